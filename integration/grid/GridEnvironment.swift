import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can build a simulated grid, and why not; where the tools are.
public enum GridEnvironment {
    /// A tool the grid runs and the Debian package that installs it.
    public struct Tool: Sendable, Equatable {
        public let name: String
        public let package: String
        /// What it is for, for the message when it is missing.
        public let purpose: String
    }

    /// Something the grid needs that this machine lacks: what, and what to do about it.
    public struct Missing: Sendable, Equatable, CustomStringConvertible {
        public let what: String
        /// The Debian package that provides it, when installing one fixes it.
        public let package: String?
        public let remedy: String

        public init(what: String, package: String?, remedy: String) {
            self.what = what
            self.package = package
            self.remedy = remedy
        }

        public var description: String { "\(what): \(remedy)" }
    }

    /// Tools every grid runs, whatever the WireGuard backend.
    public static let commonTools: [Tool] = [
        Tool(name: "ip", package: "iproute2", purpose: "namespaces, links, addresses and routes"),
        Tool(name: "nsenter", package: "util-linux", purpose: "entering a node's namespaces"),
        Tool(name: "unshare", package: "util-linux", purpose: "each node's private mount and PID namespaces"),
        Tool(name: "mount", package: "mount", purpose: "each node's private /run/netns and /run/wireguard"),
        Tool(name: "sh", package: "dash", purpose: "the node holders' start-up"),
        Tool(name: "python3", package: "python3", purpose: "the node holders (PID 1 of each node), pingers, TCP transfers"),
        Tool(name: "wg", package: "wireguard-tools", purpose: "reading the nodes' WireGuard peers and handshakes"),
        Tool(name: "curl", package: "curl", purpose: "asking the registry for status"),
        Tool(name: "ping", package: "iputils-ping", purpose: "pings between workloads"),
        Tool(name: "nft", package: "nftables", purpose: "reading and setting nftables tables (NAT routers)"),
    ]
    /// Tools only the userspace backend needs.
    public static let userspaceTools: [Tool] = [
        Tool(name: "wireguard-go", package: "wireguard-go", purpose: "userspace WireGuard (--backend userspace)")
    ]

    /// Tools a grid with the agents' backend `backend` needs (wireguard-go only for `userspace`).
    public static func tools(backend: String) -> [Tool] {
        commonTools + (backend == "userspace" ? userspaceTools : [])
    }

    /// The environment variable that sets the tests' backend: `ZMESH_GRID_BACKEND=kernel` runs every
    /// grid of the tests with the kernel's WireGuard (the QEMU guest: `integration/vm/grid.sh --tests`).
    public static let backendVariable = "ZMESH_GRID_BACKEND"
    /// The backends a grid's agents can use.
    public static let backends = ["userspace", "kernel"]

    /// The agents' `--backend` when ``Grid/with(agentLogLevel:binary:backend:_:)`` is given none:
    /// ``backendVariable``'s value when set (`userspace` or `kernel`), otherwise `userspace`.
    public static let defaultBackend: String = {
        let value = ProcessInfo.processInfo.environment[backendVariable] ?? ""
        return value.isEmpty ? "userspace" : value
    }()

    /// `nil` when the grid of the tests (``defaultBackend``, the zmesh built next to the runner) can be
    /// built; otherwise the first missing piece, for the skip message.
    public static let unavailableReason: String? = {
        let backend = defaultBackend
        var missing: [Missing] = []
        if !backends.contains(backend) {
            missing.append(
                Missing(
                    what: "\(backendVariable)=\(backend)", package: nil,
                    remedy: "not a backend (\(backends.joined(separator: " or ")))"))
        }
        if missing.isEmpty { missing = GridEnvironment.missing(backend: backend) }
        if missing.isEmpty, backend == "kernel", let problem = kernelWireGuardProblem() {
            missing.append(problem)
        }
        if missing.isEmpty, zmeshBinary == nil {
            missing.append(
                Missing(what: "the zmesh executable", package: nil, remedy: "not built next to the tests (swift build)"))
        }
        let reason = missing.first.map { problem in
            problem.package.map { "\(problem.what) is missing (apt-get install --no-install-recommends \($0))" }
                ?? problem.description
        }
        if let reason {
            FileHandle.standardError.write(Data("node grid tests (\(backend) WireGuard) skipped: \(reason)\n".utf8))
        }
        return reason
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// Everything missing for a grid whose agents use `backend` (`userspace` or `kernel`), in the order
    /// to fix it: root first (without it nothing else is checked), then tools, TUN, namespaces. Empty
    /// when a grid can be built. The kernel's WireGuard itself is not checked here (the caller knows how:
    /// ``kernelWireGuardProblem()``, or `KernelBackend.isAvailable()` where WireGuardNL is at hand).
    public static func missing(backend: String) -> [Missing] {
        guard geteuid() == 0 else {
            return [
                Missing(
                    what: "root", package: nil,
                    remedy: "run as root (sudo): a grid makes network, mount and PID namespaces, links and routes")
            ]
        }
        var missing: [Missing] = []
        for tool in tools(backend: backend) where SpawnedProcess.locate(tool.name) == nil {
            missing.append(
                Missing(
                    what: "`\(tool.name)` (\(tool.purpose))", package: tool.package,
                    remedy: "apt-get install --no-install-recommends \(tool.package)"))
        }
        if backend == "userspace", access("/dev/net/tun", R_OK | W_OK) != 0 {
            missing.append(
                Missing(
                    what: "/dev/net/tun (wireguard-go needs TUN)", package: nil,
                    remedy: "load the tun module (modprobe tun) or, in a container, pass the device (--device /dev/net/tun)"))
        }
        // Namespaces can only be probed with the tools present.
        if missing.isEmpty, let problem = namespaceProblem() {
            missing.append(problem)
        }
        return missing
    }

    /// The `zmesh` executable built next to the test runner (as ZmeshCommandsTests find it).
    public static let zmeshBinary: String? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner may live inside a `.xctest` bundle directory.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("zmesh").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// The absolute path of `name` (it must exist: checked by ``missing(backend:)``).
    public static func path(_ name: String) -> String {
        if name == "python3", access("/usr/bin/python3", X_OK) == 0 { return "/usr/bin/python3" }
        return SpawnedProcess.locate(name) ?? name
    }

    /// The names of the namespaces this process makes to probe (`zt-probe-<pid>-…`): a process
    /// interrupted during the check deletes what has this prefix.
    public static let probeNamespacePrefix = "zt-probe-\(getpid())-"

    /// Whether the kernel has WireGuard: an `ip link add … type wireguard` in a probe namespace (which
    /// loads the module when it can). `nil` when it has; call after ``missing(backend:)`` found nothing.
    public static func kernelWireGuardProblem() -> Missing? {
        let probe = probeNamespacePrefix + String(UInt32.random(in: 0...UInt32.max))
        let command = GridCommand(directory: NSTemporaryDirectory())
        guard let made = try? command.run([path("ip"), "netns", "add", probe]), made.succeeded else {
            return Missing(what: "network namespaces", package: nil, remedy: "`ip netns add` failed")
        }
        defer { _ = try? command.run([path("ip"), "netns", "delete", probe]) }
        let added = try? command.run([path("ip"), "-n", probe, "link", "add", "wg-probe", "type", "wireguard"])
        guard let added, added.succeeded else {
            return Missing(
                what: "WireGuard in this kernel (\(backendVariable)=kernel)", package: nil,
                remedy: "modprobe wireguard, or unset \(backendVariable) (userspace: wireguard-go); "
                    + "`ip link add type wireguard`: \(added?.description ?? "could not run it")")
        }
        return nil
    }

    /// Whether a network namespace with a private mount and PID namespace can be made here.
    private static func namespaceProblem() -> Missing? {
        let probe = probeNamespacePrefix + String(UInt32.random(in: 0...UInt32.max))
        let command = GridCommand(directory: NSTemporaryDirectory())
        guard let made = try? command.run([path("ip"), "netns", "add", probe]), made.succeeded else {
            return Missing(
                what: "network namespaces", package: nil,
                remedy: "`ip netns add` failed: a container needs CAP_SYS_ADMIN (docker run --privileged)")
        }
        defer { _ = try? command.run([path("ip"), "netns", "delete", probe]) }
        let unshare = try? command.run([
            path("ip"), "netns", "exec", probe, path("unshare"), "--mount", "--propagation", "private", "--pid", "--fork",
            "--mount-proc", path("sh"), "-c", "mount -t tmpfs zt-probe /run && test -d /proc/1",
        ])
        guard let unshare, unshare.succeeded else {
            return Missing(
                what: "private mount and PID namespaces", package: nil,
                remedy: "unshare failed: \(unshare?.description ?? "could not run it")")
        }
        return nil
    }
}
