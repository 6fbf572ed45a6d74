import DeploymentTestSupport
import Deployments
import NodeAgent
import NodeState
import SystemSupport
import Testing
import WireGuardNL
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A node of an applier test: the layout `zt-<tag>-<role>` (the fixture's tag, a role per simulated
/// node), its public side `zt-<tag>-<role>pub` created by the test, and a reconciler whose log lines
/// are kept. The teardown (and the end of any daemon left) is registered as a cleanup, so it runs
/// before the fixture deletes the public side.
final class ApplierNode {
    let fixture: NamespaceFixture
    let role: String
    let layout: NodeLayout
    let log = LogCapture()
    private(set) var reconciler: NodeReconciler
    let publicSide: NetworkNamespace
    /// The WireGuard links whose daemons the test checks are gone at its end.
    private var watched: [InterfaceName] = []

    /// `socketDirectory` other than the default gives this node's wireguard-go daemons their own
    /// socket directory (two nodes of one network on one machine serve the same `w-<id>` name).
    init(_ f: NamespaceFixture, role: String = "", socketDirectory: String = UserspaceBackend.defaultSocketDirectory)
        throws
    {
        fixture = f
        self.role = role
        layout = NodeLayout(
            namespacePrefix: f.namespaceName(role), publicSide: .named("pub"), wireGuardSocketDirectory: socketDirectory)
        publicSide = try f.namespace(role + "pub")
        reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: log.logger(role))
        // Runs after the teardown below: no daemon of the test's links may be left (ends and reports
        // any), and no socket file.
        f.addCleanup("no wireguard-go left by node \(role)") { [self] in
            var left: [String] = []
            let backend = UserspaceBackend(socketDirectory: socketDirectory)
            for name in watched {
                let socket = backend.socketPath(for: name)
                if backend.hasSocket(for: name) {
                    left.append("a daemon still answers on \(socket)")
                    Applier.endDaemons(serving: name)
                }
                // With the machine-wide directory the test's names are unique: any daemon is a leftover.
                if socketDirectory == UserspaceBackend.defaultSocketDirectory, !Applier.daemons(serving: name).isEmpty {
                    left.append("wireguard-go for \(name): \(Applier.daemons(serving: name))")
                    Applier.endDaemons(serving: name)
                }
                if access(socket, F_OK) == 0 {
                    left.append("socket file \(socket)")
                    unlink(socket)
                }
            }
            if socketDirectory != UserspaceBackend.defaultSocketDirectory { rmdir(socketDirectory) }
            if !left.isEmpty { throw Leftovers(what: left) }
        }
        f.addCleanup("tear down node \(role)") { [self] in
            let outcome = reconciler.teardown()
            for name in (try? NetworkNamespace.namedNamespaces()) ?? [] where name.hasPrefix(f.namespaceName(role)) {
                if name == f.namespaceName(role + "pub") { continue }
                if name.hasPrefix(f.namespaceName(role + "wl")) { continue }
                try? NetworkNamespace.delete(named: name)
                Issue.record("teardown left namespace \(name)")
            }
            guard outcome.converged else { throw TeardownFailure(outcome: "\(outcome.remaining) \(outcome.failures)") }
        }
    }

    struct TeardownFailure: Error { let outcome: String }
    struct Leftovers: Error { let what: [String] }

    /// Registers `name` for the end-of-test check that no daemon serves it any more.
    func watch(_ name: InterfaceName) { if !watched.contains(name) { watched.append(name) } }

    /// A new reconciler with an empty memory (an agent restart); the old one's daemons keep running.
    func restart() {
        reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: log.logger(role))
    }

    /// The host name of the agent's namespace `name`.
    func hostName(_ name: String) -> String { layout.hostName(of: name) }

    /// A fresh reader (with the reconciler's memory) and the plan from what it reads.
    func plan(to desired: NodeDesiredState) throws -> ReconcilePlan {
        let reader = NodeReader(layout: layout, recognisedTables: reconciler.recognisedTables)
        return ReconcilePlan(from: try reader.read(), to: desired)
    }

    /// A workload: namespace `zt-<tag>-<role>wl`, a veth into the NR's bridge, `address`/24 and a
    /// default route via the bridge's address.
    func workload(on resource: NetworkResourceState, address: String) throws -> String {
        let namespace = fixture.namespaceName(role + "wl")
        try fixture.namespace(role + "wl")
        let inside = "wl\(role)-\(fixture.tag)"
        let outside = "wb\(role)-\(fixture.tag)"
        let nr = hostName(resource.namespace)
        try ShellCommand.run(["ip", "-n", namespace, "link", "add", inside, "type", "veth", "peer", "name", outside, "netns", nr])
        try ShellCommand.run(["ip", "-n", nr, "link", "set", outside, "master", resource.bridge.name.rawValue, "up"])
        try ShellCommand.run(["ip", "-n", namespace, "addr", "add", "\(address)/24", "dev", inside])
        try ShellCommand.run(["ip", "-n", namespace, "link", "set", inside, "up"])
        let gateway = try #require(resource.bridge.addresses.first { $0.address.isIPv4 }).address
        try ShellCommand.run(["ip", "-n", namespace, "route", "add", "default", "via", "\(gateway)"])
        return namespace
    }
}

enum Applier {
    /// The desired state of `node` (index into the sample deployment's nodes: 0, 1) for the networks
    /// named `names` (each a copy of the sample deployment; `ports` overrides node 1's listen port per network).
    static func desired(
        node: Int = 0, networks names: [String], ports: [String: Int64] = [:]
    ) throws -> NodeDesiredState {
        let identities = [Fixtures.node1, Fixtures.node2, Fixtures.node3]
        let keys: [UInt8] = [0x31, 0x32, 0x33]
        let inputs = try names.map { name in
            var deployment = Fixtures.deployment(name: name)
            if let port = ports[name] { deployment.nodes[node].listenPort = port }
            return NodeDesiredState.Input(
                deployment: try deployment.validated(), privateKey: Fixtures.wireGuardKey(keys[node]))
        }
        return try NodeDesiredState(node: identities[node].id, inputs: inputs, publicSide: .named("pub"))
    }

    /// The live wireguard-go processes serving `name` (not zombies), from `/proc`.
    static func daemons(serving name: InterfaceName) -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [pid_t] = []
        while let entry = readdir(directory) {
            let text = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(text) else { continue }
            guard let bytes = try? FileIO.readFile("/proc/\(pid)/cmdline", limit: 4096) else { continue }
            let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            guard let program = arguments.first, program.hasSuffix("wireguard-go"),
                arguments.dropFirst().contains(name.rawValue), isAlive(pid)
            else { continue }
            pids.append(pid)
        }
        return pids.sorted()
    }

    /// Running (not a zombie).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let bytes = try? FileIO.readFile("/proc/\(pid)/stat", limit: 4096),
            let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count
        else { return false }
        return bytes[close + 2] != UInt8(ascii: "Z")
    }

    /// Ends the daemons still serving `name` (a failed test's leftovers) and reaps them.
    static func endDaemons(serving name: InterfaceName) {
        for pid in daemons(serving: name) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            SpawnedProcess.sleep(.milliseconds(50))
        }
        return try condition()
    }

    /// Tunnel pings: the first may be spent on the handshake or on wireguard-go noticing its link is up.
    static func ping(from namespace: String, _ address: String, attempts: Int = 15) -> Bool {
        for _ in 0..<attempts
        where ShellCommand.succeeds(["ip", "netns", "exec", namespace, "ping", "-c", "1", "-W", "1", address]) {
            return true
        }
        return false
    }

    static func kind(_ action: NodeAction) -> String { "\(action)".split(separator: " ").prefix(2).joined(separator: " ") }
}

