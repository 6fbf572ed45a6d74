import Foundation
import SystemSupport
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A simulated grid on one machine: a LAN namespace `zt-<tag>-lan` with a bridge (198.51.100.1/24,
/// 2001:db8:100::1/64) that plays **the internet**, a real `zmesh registry` process in it on
/// 198.51.100.1:8080, and simulated nodes (``SimulatedNode``), each running a real `zmesh node`: public
/// nodes attached to the internet bridge with their own addresses, hidden nodes each behind their own
/// NAT router (``NATRouter``) attached to it. Deployer commands run in the LAN (internet) namespace
/// (``Deployer``). Documentation addresses only; no traffic leaves the namespaces.
///
/// ```swift
/// try Grid.with { grid in
///     let owner = try grid.deployer("alice")
///     let farm = try owner.createFarm()
///     let nodes = try grid.addNodes(2)
///     …
/// }
/// ```
/// ``with(_:)`` removes everything on the way out, whether the body passed, failed or threw, then
/// fails when anything with the grid's tag is left (namespaces, mounts, links, tables, processes).
public final class Grid: @unchecked Sendable {
    public static let bridge = "br0"
    public static let registryAddress = "198.51.100.1"
    public static let registryPort = 8080
    public static let lanIPv6 = "2001:db8:100::1"

    /// The fixture whose tag names everything and whose cleanups and leak check run at the end.
    public let fixture: NamespaceFixture
    public var tag: String { fixture.tag }
    /// The grid's scratch directory: identities, specs, the registry database, every process's log.
    public let directory: String
    /// The LAN namespace's name: the simulated internet (its bridge ``bridge`` joins the public nodes,
    /// the NAT routers' WAN sides and the registry).
    public let lanNamespace: String
    /// The `zmesh` executable.
    public let binary: String
    /// The agents' `--backend`.
    public let backend: String
    /// Runs commands (no proxy variables).
    public let command: GridCommand
    /// Runs agents: as ``command`` plus `ZMESH_LOG_LEVEL=<agentLogLevel>`.
    let agentCommand: GridCommand
    public private(set) var nodes: [SimulatedNode] = []
    public private(set) var registry: RegistryProcess!

    public var registryURL: String { "http://\(Self.registryAddress):\(Self.registryPort)" }

    /// Builds the LAN and starts the registry, runs `body`, removes everything. When `body` throws,
    /// the tail of every log is written to standard error first; `ZMESH_GRID_LOGS=DIR` keeps a copy of
    /// all logs in `DIR/<tag>/` in every case.
    /// `binary` is the `zmesh` executable the grid runs (default: the one built next to the tests);
    /// `backend` the agents' `--backend` (`userspace`: wireguard-go; `kernel` in the QEMU guest); by
    /// default ``GridEnvironment/defaultBackend`` (`ZMESH_GRID_BACKEND`, else `userspace`).
    public static func with<T>(
        agentLogLevel: String = "info", binary: String? = nil, backend: String = GridEnvironment.defaultBackend,
        _ body: (Grid) throws -> T
    ) throws -> T {
        guard let binary = binary ?? GridEnvironment.zmeshBinary else {
            throw GridError("build", "a grid", "the zmesh executable is not built next to the tests")
        }
        let fixture = NamespaceFixture.unscoped()
        let directory = try TemporaryDirectory(prefix: "zt-\(fixture.tag)-grid")
        let grid = Grid(
            fixture: fixture, directory: directory.path, binary: binary, agentLogLevel: agentLogLevel, backend: backend)
        fixture.addCleanup("remove \(directory.path)") { directory.remove() }
        let result = Result { () throws -> T in
            try grid.buildLAN()
            try grid.startRegistry()
            return try body(grid)
        }
        if case .failure(let error) = result {
            FileHandle.standardError.write(Data("grid \(fixture.tag) failed: \(error)\n\(grid.diagnostics())\n".utf8))
        }
        grid.keepLogsIfAsked()
        var problems = grid.shutdownProcesses()
        problems += fixture.finish()
        problems += grid.leaks()
        if !problems.isEmpty {
            if case .failure(let error) = result { throw GridLeak(problems: problems, testError: error) }
            throw GridLeak(problems: problems, testError: nil)
        }
        return try result.get()
    }

    init(fixture: NamespaceFixture, directory: String, binary: String, agentLogLevel: String, backend: String) {
        self.fixture = fixture
        self.backend = backend
        self.directory = directory
        self.binary = binary
        lanNamespace = "zt-\(fixture.tag)-lan"
        command = GridCommand(directory: directory)
        agentCommand = GridCommand(directory: directory, extraEnvironment: ["ZMESH_LOG_LEVEL=\(agentLogLevel)"])
    }

    /// The LAN namespace and its bridge.
    private func buildLAN() throws {
        let ip = GridEnvironment.path("ip")
        let lan = lanNamespace
        try addNamespace(lan)
        for step in [
            [ip, "-n", lan, "link", "set", "lo", "up"],
            [ip, "-n", lan, "link", "add", Self.bridge, "type", "bridge"],
            [ip, "-n", lan, "addr", "add", "\(Self.registryAddress)/24", "dev", Self.bridge],
            [ip, "-n", lan, "addr", "add", "\(Self.lanIPv6)/64", "dev", Self.bridge, "nodad"],
            [ip, "-n", lan, "link", "set", Self.bridge, "up"],
        ] {
            try command.run(step).output()
        }
    }

    private func startRegistry() throws {
        registry = RegistryProcess(grid: self)
        try registry.start()
    }

    /// `nsenter` into the LAN namespace (network only: the host's files and mounts).
    var enterLAN: [String] { [GridEnvironment.path("nsenter"), "--net=/run/netns/\(lanNamespace)", "--"] }

    /// Runs `argv` in the LAN namespace (where the registry and the deployer are).
    public func runOnLAN(_ argv: [String], timeout: Duration = .seconds(120)) throws(GridError) -> CommandResult {
        try command.run(enterLAN + argv, timeout: timeout)
    }

    /// A deployer identity `name` (created and registered as a twin).
    public func deployer(_ name: String) throws -> Deployer {
        try Deployer(grid: self, name: name)
    }

    /// Adds a simulated node (numbered from 1); its agent is not started. A `hidden` node sits behind
    /// its own NAT router of that kind (``NATRouter``, namespace `zt-<tag>-rtr<i>`) instead of on the
    /// internet bridge.
    @discardableResult
    public func addNode(hidden: NATKind? = nil) throws -> SimulatedNode {
        let node = try SimulatedNode(index: nodes.count + 1, grid: self, hidden: hidden)
        nodes.append(node)
        return node
    }

    /// Adds `count` nodes (all public, or all hidden behind routers of kind `hidden`).
    public func addNodes(_ count: Int, hidden: NATKind? = nil) throws -> [SimulatedNode] {
        try (0..<count).map { _ in try addNode(hidden: hidden) }
    }

    /// The NAT routers of the hidden nodes.
    public var routers: [NATRouter] { nodes.compactMap(\.router) }

    /// `zmesh identity new PATH`; the new identity's id.
    func zmeshIdentityNew(_ path: String) throws(GridError) -> String {
        let text = try command.run([binary, "identity", "new", path]).output()
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("id: ") }) else {
            throw GridError("read the id of", path, "unexpected output: \(text)")
        }
        return String(line.dropFirst(4))
    }

    // MARK: Diagnostics and cleanup

    /// The tail of the registry's and every agent's log, for failure messages.
    public func diagnostics(lines: Int = 25) -> String {
        var text = ""
        if let registry { text += "--- registry log (\(registry.log)):\n\(registry.logTail(lines))\n" }
        for node in nodes {
            let log = GridCommand.readText(node.agentLog).split(separator: "\n", omittingEmptySubsequences: false)
            text += "--- \(node) agent log (\(node.agentLog)):\n\(log.suffix(lines).joined(separator: "\n"))\n"
        }
        return text
    }

    private func keepLogsIfAsked() {
        guard let target = ProcessInfo.processInfo.environment["ZMESH_GRID_LOGS"], !target.isEmpty else { return }
        let destination = "\(target)/\(tag)"
        try? FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasSuffix(".log") {
            try? FileManager.default.copyItem(atPath: "\(directory)/\(file)", toPath: "\(destination)/\(file)")
        }
    }

    /// Kills every node's processes and the registry; what failed.
    private func shutdownProcesses() -> [String] {
        var problems: [String] = []
        for node in nodes.reversed() { problems += node.shutdown() }
        if let registry { problems += registry.shutdown() }
        return problems
    }

    /// Processes of the grid still alive after the cleanups (the namespaces, mounts, links and tables
    /// with the tag are checked by the fixture).
    private func leaks() -> [String] {
        // (Each node's processes were checked by its shutdown, while its namespaces were pinned.)
        var problems: [String] = []
        if let registry, registry.isRunning { problems.append("the registry process is still running") }
        if FileManager.default.fileExists(atPath: directory) { problems.append("\(directory) still exists") }
        return problems
    }
}

/// What survived a grid, or why removing it failed (and the body's own error, if it threw).
public struct GridLeak: Error, CustomStringConvertible {
    public let problems: [String]
    public let testError: (any Error)?
    public var description: String {
        let leaks = "grid resources leaked or cleanup failed: " + problems.joined(separator: "; ")
        return testError.map { "\($0) — and \(leaks)" } ?? leaks
    }
}
