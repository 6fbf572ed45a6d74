import Foundation
import SystemSupport
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One simulated node: a network namespace `zt-<tag>-node<i>` with `eth0` on the LAN bridge, and a
/// holder process in it that owns a private mount namespace (tmpfs on `/run/netns` and
/// `/run/wireguard`, `/var/run` being `/run`) and a PID namespace (the holder is its init, so killing
/// the holder kills everything the node runs, wireguard-go included).
///
/// Inside, `ip netns add`, wireguard-go's UAPI sockets and `ps` see only this node. Commands run in
/// it with `nsenter -t <holder> -m -n -p` (``run(_:timeout:)``), or in one of its named namespaces
/// (``run(inNamespace:_:timeout:)``).
public final class SimulatedNode: @unchecked Sendable, CustomStringConvertible {
    public let index: Int
    /// The host's name of its network namespace.
    public let name: String
    /// Its addresses on `eth0`: on the internet bridge for a public node (`198.51.100.(10 + i)`,
    /// `2001:db8:100::(10 + i)`); for a hidden node, its private addresses on its NAT router's link
    /// (host 2 of the router's /28, ``NATRouter/privateSubnet(forNode:)``, and `2001:db8:203:<i>::2`,
    /// which goes no further than the router).
    public let ipv4: String
    public let ipv6: String
    /// The NAT router a hidden node sits behind (`nil`: a public node, on the internet bridge itself).
    public let router: NATRouter?
    /// Whether the node is hidden behind a NAT router: it has no public address, dials out only, and
    /// its agent registers without `--public-ip`.
    public var isHidden: Bool { router != nil }
    /// The node's identity file and id (created with `zmesh identity new`).
    public let identityPath: String
    public let id: String
    /// The internet bridge's end of its veth (in the LAN namespace); for a hidden node, its router's
    /// WAN port.
    public let lanLink: String

    let grid: Grid
    private let launcher: BackgroundProcess
    /// The holder: PID 1 of the node's PID namespace, as the host numbers it.
    public let holderPID: pid_t
    /// `/proc/<holder>/ns/pid` and `…/mnt`, to find the node's processes from the host. Both
    /// namespaces are pinned by descriptors this object holds until ``shutdown()`` has checked that
    /// nothing is left in them: a freed namespace's inode number is reused by the next namespace
    /// anyone makes, and matching on a stale one would find (and kill) strangers.
    public let pidNamespace: String
    public let mountNamespace: String
    private var pins: [Int32] = []
    /// The running agent (`zmesh node`), if started.
    public private(set) var agent: AgentProcess?
    private var agentStarts = 0

    public var description: String {
        "node\(index) (\(id.prefix(8)), \(router.map { "hidden \(ipv4) behind \($0.wanIPv4)" } ?? ipv4))"
    }

    /// Makes the namespace, its uplink (a port of the internet bridge, or for a `hidden` node a NAT
    /// router of that kind) and its holder. What was made is removed by the grid's fixture.
    init(index: Int, grid: Grid, hidden: NATKind? = nil) throws {
        self.index = index
        self.grid = grid
        name = "zt-\(grid.tag)-node\(index)"
        if hidden != nil {
            ipv4 = try NATRouter.privateSubnet(forNode: index).node
            ipv6 = "2001:db8:203:\(index)::2"
            lanLink = "r\(index)-\(grid.tag)"
        } else {
            ipv4 = "198.51.100.\(10 + index)"
            ipv6 = "2001:db8:100::\(10 + index)"
            lanLink = "l\(index)-\(grid.tag)"
        }
        identityPath = "\(grid.directory)/node\(index).id"
        id = try grid.zmeshIdentityNew(identityPath)

        try grid.addNamespace(name)
        if let hidden {
            let router = try NATRouter(grid: grid, nodeIndex: index, kind: hidden)
            self.router = router
            try router.attach(nodeNamespace: name, nodeIPv4: ipv4, nodeIPv6: ipv6)
        } else {
            router = nil
            try grid.plugIntoInternet(port: lanLink, namespace: name, inside: "eth0", addresses: ["\(ipv4)/24", "\(ipv6)/64"])
        }

        // The holder: `ip netns exec` execs unshare, which forks the new PID namespace's init (sh,
        // then a reaping python loop) once the two tmpfs are mounted.
        let tag = grid.tag
        let script = """
            mkdir -p /run/netns /run/wireguard \
            && mount -t tmpfs -o mode=0755 zt-\(tag)-netns /run/netns \
            && mount --make-shared /run/netns \
            && mount -t tmpfs -o mode=0755 zt-\(tag)-wireguard /run/wireguard \
            && exec \(GridEnvironment.path("python3")) -c "$0"
            """
        // The PID namespace's init must reap the orphans reparented to it (wireguard-go daemonises):
        // a zombie would look alive to `kill -0`.
        let initScript = """
            import os, time
            while True:
                try:
                    os.waitpid(-1, 0)
                except ChildProcessError:
                    time.sleep(0.2)
            """
        launcher = try grid.command.start(
            [
                GridEnvironment.path("ip"), "netns", "exec", name, GridEnvironment.path("unshare"), "--mount", "--propagation", "private",
                "--pid", "--fork", "--mount-proc", GridEnvironment.path("sh"), "-c", script, initScript,
            ], log: "\(grid.directory)/node\(index)-holder.log")
        let launcher = launcher
        var holder: pid_t = 0
        let started = Poll.until(timeout: .seconds(60), interval: .milliseconds(20)) {
            guard let child = ProcessTable.children(of: launcher.pid).first else { return false }
            holder = child
            return ProcessTable.entry(child)?.name.hasPrefix("python") == true
        }
        guard started != nil, let pidNS = ProcessTable.namespace("pid", of: holder),
            let mountNS = ProcessTable.namespace("mnt", of: holder)
        else {
            // What the launcher and its children were doing, for the failure message.
            let state = launcher.status().map { "launcher \($0)" } ?? "launcher running"
            let children = ProcessTable.children(of: launcher.pid).map { pid in
                let wchan = GridCommand.readText("/proc/\(pid)/wchan")
                return "\(ProcessTable.entry(pid)?.description ?? String(pid)) (waiting in \(wchan.isEmpty ? "?" : wchan))"
            }
            launcher.terminateAll()
            throw GridError(
                "start the holder of", name,
                "not ready after 60 s: \(state), children \(children), log: \(launcher.logTail())")
        }
        holderPID = holder
        pidNamespace = pidNS
        mountNamespace = mountNS
        for kind in ["pid", "mnt"] {
            let fd = open("/proc/\(holder)/ns/\(kind)", O_RDONLY | O_CLOEXEC)
            if fd >= 0 { pins.append(fd) }
        }
        // The holder may have died between the reads and the opens: then the pins may be others'.
        guard pins.count == 2, ProcessTable.namespace("pid", of: holder) == pidNS,
            ProcessTable.namespace("mnt", of: holder) == mountNS
        else {
            for fd in pins { close(fd) }
            pins = []
            launcher.terminateAll()
            throw GridError("pin the namespaces of", name, "its holder \(holder) exited")
        }
    }

    // MARK: Running things in the node

    /// `nsenter` into the node's mount, network and PID namespaces.
    var enter: [String] { [GridEnvironment.path("nsenter"), "-t", String(holderPID), "-m", "-n", "-p", "--"] }

    /// `nsenter` into the node's mount and PID namespaces and its named network namespace `namespace`
    /// (reached through the holder's root, where the node's `/run/netns` is).
    func enter(namespace: String) -> [String] {
        [
            GridEnvironment.path("nsenter"), "-t", String(holderPID), "-m", "-p",
            "--net=/proc/\(holderPID)/root/run/netns/\(namespace)", "--",
        ]
    }

    /// Runs `argv` in the node (its root network namespace: the public side).
    public func run(_ argv: [String], timeout: Duration = .seconds(120)) throws(GridError) -> CommandResult {
        try grid.command.run(enter + argv, timeout: timeout)
    }

    /// Runs `argv` in the node's named network namespace `namespace` (`n-<id>`, a workload's).
    public func run(inNamespace namespace: String, _ argv: [String], timeout: Duration = .seconds(120)) throws(GridError)
        -> CommandResult
    {
        try grid.command.run(enter(namespace: namespace) + argv, timeout: timeout)
    }

    /// Runs a shell script in the node (`sh -c`), failing with its output on a non-zero status.
    @discardableResult
    public func shell(_ script: String) throws(GridError) -> String {
        try run([GridEnvironment.path("sh"), "-c", script]).output()
    }

    /// `zmesh ARGS` in the node.
    public func zmesh(_ arguments: [String]) throws(GridError) -> CommandResult {
        try run([grid.binary] + arguments)
    }

    /// The node's named network namespaces (`ip netns list` inside it).
    public func namespaces() throws(GridError) -> [String] {
        try run([GridEnvironment.path("ip"), "netns", "list"]).output().split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }.sorted()
    }

    /// Every process the node runs (its PID namespace), as the host numbers them.
    public func processes() -> [ProcessTable.Entry] {
        ProcessTable.processes(in: pidNamespace, kind: "pid")
    }

    // MARK: The agent

    /// Starts `zmesh node` in the node: `--registry`, `--identity`, `--farm`, `--public-ip` (this
    /// node's internet address unless `hidden`, which defaults to ``isHidden``), `--backend`, then
    /// `extraArguments`. Its output is appended to ``agentLog`` (`ZMESH_LOG_LEVEL` from
    /// ``Grid/agentLogLevel``).
    public func startAgent(farm: UInt32, hidden: Bool? = nil, extraArguments: [String] = []) throws(GridError) {
        if let agent, agent.isRunning { throw GridError("start the agent of", description, "it is already running") }
        agentStarts += 1
        var arguments = ["node", "--registry", grid.registryURL, "--identity", identityPath, "--farm", String(farm)]
        if !(hidden ?? isHidden) { arguments += ["--public-ip", ipv4] }
        arguments += ["--backend", grid.backend] + extraArguments
        let marker = "==== grid: agent start \(agentStarts): zmesh \(arguments.joined(separator: " "))\n"
        _ = try? FileIO.writeFile(GridCommand.readText(agentLog) + marker, to: agentLog)
        let launcher = try grid.agentCommand.start(enter + [grid.binary] + arguments, log: agentLog)
        agent = AgentProcess(launcher: launcher, node: description)
    }

    /// The agent's log (every start appended, each after a `==== grid: agent start N` line).
    public var agentLog: String { "\(grid.directory)/node\(index)-agent.log" }

    /// Kills the agent with `signal` (SIGKILL: `kill -9`) and waits for it to be gone.
    public func killAgent(signal: Int32 = SIGKILL) throws(GridError) {
        guard let agent else { throw GridError("kill the agent of", description, "it was never started") }
        try agent.kill(signal: signal)
    }

    // MARK: Cleanup

    /// Kills every process of the node (the holder first: the kernel then kills its whole PID
    /// namespace; then anything left in its PID or mount namespace, by PID), waits until none is left,
    /// reaps the launchers and releases the namespaces. Returns what could not be removed.
    func shutdown() -> [String] {
        guard !pins.isEmpty else { return [] }
        var problems: [String] = []
        kill(holderPID, SIGKILL)
        let gone = Poll.until(timeout: .seconds(20), interval: .milliseconds(20)) {
            let left = processes() + ProcessTable.processes(in: mountNamespace, kind: "mnt")
            for entry in left { kill(entry.pid, SIGKILL) }
            return left.isEmpty
        }
        if gone == nil {
            problems.append("\(name): processes still running: \(processes().map(\.description).joined(separator: ", "))")
        }
        launcher.signal(SIGKILL)
        if launcher.wait(timeout: .seconds(10)) == nil { problems.append("\(name): its launcher did not exit") }
        if let agent { problems += agent.reap() }
        // Only now may the namespaces go (and their inode numbers be reused).
        for fd in pins { close(fd) }
        pins = []
        return problems
    }
}

/// A running `zmesh node`: the `nsenter` this process started, and its child, the agent itself (PID
/// namespaces make nsenter fork).
public final class AgentProcess: @unchecked Sendable {
    public let launcher: BackgroundProcess
    let node: String

    init(launcher: BackgroundProcess, node: String) {
        self.launcher = launcher
        self.node = node
    }

    public var isRunning: Bool { launcher.isRunning }

    /// The agent's host PID (nsenter's child), `nil` before it is forked or after it ended.
    public var pid: pid_t? { ProcessTable.children(of: launcher.pid).first }

    /// Sends `signal` to the agent and waits for it (and its nsenter) to end.
    func kill(signal: Int32) throws(GridError) {
        guard isRunning else { throw GridError("kill the agent of", node, "it is not running: \(launcher.logTail(10))") }
        guard let pid else { throw GridError("kill the agent of", node, "nsenter has no child") }
        Glibc.kill(pid, signal)
        guard launcher.wait(timeout: .seconds(30)) != nil else {
            throw GridError("kill the agent of", node, "still running 30 s after signal \(signal)")
        }
    }

    func reap() -> [String] {
        if let pid { Glibc.kill(pid, SIGKILL) }
        launcher.signal(SIGKILL)
        return launcher.wait(timeout: .seconds(10)) == nil ? ["\(node): the agent's nsenter did not exit"] : []
    }
}

extension SimulatedNode {
    /// The last `lines` lines of the agent's log.
    public func agentLogTail(_ lines: Int = 25) -> String {
        GridCommand.readText(agentLog).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            .joined(separator: "\n")
    }

    /// The agent's log since its latest start (after the last `==== grid: agent start` line).
    public func agentLogSinceStart() -> String {
        let log = GridCommand.readText(agentLog)
        guard let range = log.range(of: "==== grid: agent start", options: .backwards) else { return log }
        return String(log[range.lowerBound...].drop { $0 != "\n" }.dropFirst())
    }

    /// The actions the agent logged as applied since its latest start (`action=…` of its
    /// "[NodeAgent] applied" lines), in order.
    public func appliedActionsSinceStart() -> [String] {
        agentLogSinceStart().split(separator: "\n").filter { $0.hasSuffix("[NodeAgent] applied") }.compactMap { line in
            guard let start = line.range(of: "action=") else { return nil }
            let rest = line[start.upperBound...]
            let end = rest.range(of: " namespace=")?.lowerBound ?? rest.endIndex
            return String(rest[..<end])
        }
    }
}
