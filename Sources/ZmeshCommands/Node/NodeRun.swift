public import ArgumentParser
import Logging
import NodeAgent
import NodeState
import RegistryClient
import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh node --registry URL --identity PATH --farm ID [--public-ip IP]… [--backend kernel|userspace|auto]
/// [--public-interface IF --public-address ADDR/LEN --public-gateway GW [--public-address6 ADDR/LEN
/// --public-gateway6 GW]]`: the node agent (the default subcommand of `zmesh node`).
public struct NodeRun: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node agent: apply the deployments sent to this node, repair drift, report status.",
        discussion: """
            Registers with the registry, reads the node's mailbox, and keeps every network resource sent to \
            this node as its signed deployment says. Outbound-only: it listens on no port. While the registry \
            is unreachable everything keeps running and the agent retries. SIGTERM or SIGINT stops the agent \
            and leaves the networks running; --teardown removes everything zmesh made on this node. \
            The identity file is the node's only state: it is created (mode 0600) when missing. \
            Logs go to standard error (ZMESH_LOG_LEVEL, default info for the agent).
            """)

    @Option(help: "The registry: http(s)://HOST:PORT (not needed with --teardown).")
    public var registry: String?

    @Option(help: "PEM file of the certificate authorities to trust for an https registry (default: the system's).")
    public var caFile: String?

    @Option(help: "The node's identity file (mode 0600); created when missing.")
    public var identity: String?

    @Option(help: "The farm the node belongs to (see 'zmesh node farm-create').")
    public var farm: UInt32?

    @Option(name: .customLong("public-ip"), help: "A public address of the node (at most one IPv4 and one IPv6); none: hidden.")
    public var publicIPs: [String] = []

    @Option(help: "WireGuard implementation: kernel, userspace (wireguard-go) or auto.")
    public var backend: BackendOption = .auto

    @Option(help: "Seconds between drift repairs (re-read and re-apply).")
    public var driftInterval: Double = 10

    @Option(help: "Seconds between full status reports (besides one on every change).")
    public var reportInterval: Double = 60

    @Option(help: "Seconds the registry may hold a mailbox poll (1–60).")
    public var pollWait: Int = 30

    @Flag(
        inversion: .prefixedNo,
        help: """
            Node setup: give the ndmz its way out through this host (veth ndmz, table inet zmesh-host, IPv4 \
            forwarding on) with the ndmz policy protecting this host's addresses and LANs.
            """)
    public var uplink = true

    @Option(
        help: """
            Node setup: the host interface of the node's dedicated public network. Given, the node gets its \
            'public' namespace (a macvlan on this interface with --public-address, its gateway, table inet \
            zmesh-public) and its WireGuard sockets live there. Also with --teardown, to remove it.
            """)
    public var publicInterface: String?

    @Option(help: "The node's public IPv4 address with its prefix length (ADDR/LEN), with --public-interface.")
    public var publicAddress: String?

    @Option(help: "The IPv4 gateway of --public-address, on its subnet.")
    public var publicGateway: String?

    @Option(help: "The node's public IPv6 address with its prefix length (ADDR/LEN), optional.")
    public var publicAddress6: String?

    @Option(help: "The IPv6 gateway of --public-address6 (on its subnet, or link-local).")
    public var publicGateway6: String?

    @Flag(help: "Remove every namespace, link, table and wireguard-go process zmesh made on this node, then exit.")
    public var teardown = false

    @Option(help: .hidden)
    public var namespacePrefix: String = ""

    public init() {}

    public enum BackendOption: String, ExpressibleByArgument, Sendable, CaseIterable {
        case kernel, userspace, auto
    }

    public func validate() throws {
        guard driftInterval > 0, driftInterval.isFinite else { throw ValidationError("--drift-interval must be positive") }
        guard reportInterval > 0, reportInterval.isFinite else {
            throw ValidationError("--report-interval must be positive")
        }
        guard (1...RegistryClient.maximumWaitSeconds).contains(pollWait) else {
            throw ValidationError("--poll-wait must be 1–\(RegistryClient.maximumWaitSeconds)")
        }
        if teardown {
            guard publicAddress == nil, publicGateway == nil, publicAddress6 == nil, publicGateway6 == nil else {
                throw ValidationError("--teardown takes only --public-interface of the public options")
            }
            if let publicInterface { _ = try Self.interface(publicInterface) }
            return
        }
        _ = try publicConfig()
        guard registry != nil else { throw ValidationError("--registry is required (except with --teardown)") }
        guard identity != nil else { throw ValidationError("--identity is required (except with --teardown)") }
        guard farm != nil else { throw ValidationError("--farm is required (except with --teardown)") }
    }

    public func run() async throws {
        // A mostly idle daemon with a dozen threads: two malloc arenas instead of one per thread (issue 7: memory).
        ProcessMemory.limitArenas(Self.mallocArenas)
        var logger = ZmeshCommand.logger
        // One line per applied change is the point of the agent's log: info unless told otherwise.
        if getenv("ZMESH_LOG_LEVEL") == nil { logger.logLevel = .info }
        // With a public configuration the WireGuard sockets live in the agent's `public` namespace.
        let layout = NodeLayout(
            namespacePrefix: namespacePrefix, publicSide: publicInterface == nil ? .host : .named(Ownership.publicNamespace))
        if teardown {
            // Removing needs no WireGuard: the backend only decides how links would be created.
            let kind = (try? Self.resolve(backend)) ?? .userspace
            try Self.tearDown(NodeReconciler(layout: layout, backend: kind, logger: logger), logger: logger)
            return
        }
        let backend = try Self.resolve(backend)
        let reconciler = NodeReconciler(layout: layout, backend: backend, logger: logger)
        guard let registry, let identityPath = identity, let farm else { throw ValidationError("missing options") }
        var addresses: [IPAddress] = []
        for text in publicIPs {
            do { addresses.append(try IPAddress(text)) } catch { throw ValidationError("--public-ip '\(text)': \(error)") }
        }
        let publicConfig = try publicConfig()
        let node = try Self.loadOrCreateIdentity(at: identityPath, logger: logger)
        let client: RegistryClient
        do {
            client = try RegistryClient(
                url: try RegistryURL(registry), identity: node,
                configuration: RegistryClientConfiguration(caFile: caFile), logger: logger)
        } catch { throw CommandError(error.description) }
        let configuration = NodeDaemonConfiguration(
            identity: node, farm: farm, publicIPs: addresses, driftInterval: .seconds(driftInterval),
            reportInterval: .seconds(reportInterval), pollWait: pollWait, setsUpUplink: uplink,
            publicConfig: publicConfig)
        logger.notice(
            "node agent starting",
            metadata: [
                "node": "\(node.id)", "registry": "\(registry)", "farm": "\(farm)", "backend": "\(backend.rawValue)",
            ])
        let daemon = NodeDaemon(configuration: configuration, client: client, reconciler: reconciler, logger: logger)
        try await daemon.runUntilSignalled()
    }

    /// The public configuration the options give, `nil` without `--public-interface`; every refusal
    /// names the option and its value.
    func publicConfig() throws(ValidationError) -> PublicConfig? {
        guard let publicInterface else {
            guard publicAddress == nil, publicGateway == nil, publicAddress6 == nil, publicGateway6 == nil else {
                throw ValidationError("--public-address, --public-gateway and their IPv6 twins need --public-interface")
            }
            return nil
        }
        let parent = try Self.interface(publicInterface)
        guard let publicAddress else { throw ValidationError("--public-interface '\(publicInterface)' needs --public-address") }
        guard let publicGateway else { throw ValidationError("--public-interface '\(publicInterface)' needs --public-gateway") }
        let ipv4 = try Self.parse("--public-address", publicAddress) { try AssignedAddress($0) }
        let gateway4 = try Self.parse("--public-gateway", publicGateway) { try IPAddress($0) }
        let ipv6 = try publicAddress6.map { text throws(ValidationError) in
            try Self.parse("--public-address6", text) { try AssignedAddress($0) }
        }
        let gateway6 = try publicGateway6.map { text throws(ValidationError) in
            try Self.parse("--public-gateway6", text) { try IPAddress($0) }
        }
        do {
            return try PublicConfig(parent: parent, ipv4: ipv4, gateway4: gateway4, ipv6: ipv6, gateway6: gateway6)
        } catch {
            throw ValidationError("\(Self.option(of: error)) \(error)")
        }
    }

    static func interface(_ text: String) throws(ValidationError) -> InterfaceName {
        do { return try InterfaceName(text) } catch { throw ValidationError("--public-interface '\(text)': \(error)") }
    }

    static func parse<T>(_ option: String, _ text: String, _ body: (String) throws -> T) throws(ValidationError) -> T {
        do { return try body(text) } catch { throw ValidationError("\(option) '\(text)': \(error)") }
    }

    /// The option a refused configuration value came from.
    static func option(of error: PublicConfigError) -> String {
        if error.value.hasPrefix("public IPv6 address") { return "--public-address6:" }
        if error.value.hasPrefix("public IPv6 gateway") { return "--public-gateway6:" }
        if error.value.hasPrefix("public gateway") { return "--public-gateway:" }
        return "--public-address:"
    }

    /// glibc malloc arenas the agent may use (the main one and one more).
    static let mallocArenas = 2

    /// The backend `option` names; `auto`: the kernel's when it has WireGuard, else wireguard-go.
    static func resolve(_ option: BackendOption) throws(CommandError) -> WireGuardBackendKind {
        switch option {
        case .kernel:
            guard KernelBackend.isAvailable() else { throw CommandError("--backend kernel: this kernel has no WireGuard") }
            return .kernel
        case .userspace:
            guard WireGuardGoOptions().resolvedExecutable() != nil else {
                throw CommandError("--backend userspace: wireguard-go not found (PATH, /usr/bin)")
            }
            return .userspace
        case .auto:
            if KernelBackend.isAvailable() { return .kernel }
            if WireGuardGoOptions().resolvedExecutable() != nil { return .userspace }
            throw CommandError("no WireGuard: the kernel has none and wireguard-go is not installed")
        }
    }

    /// The identity at `path`, created (mode 0600) when there is no file.
    static func loadOrCreateIdentity(at path: String, logger: Logger) throws(CommandError) -> Identity {
        do { return try IdentityFile.load(from: path) } catch {
            guard error.kind == .system(errno: ENOENT) else { throw CommandError(error.description) }
        }
        do {
            let identity = try IdentityFile.create(at: path)
            logger.notice("node identity created", metadata: ["path": "\(path)", "node": "\(identity.id)"])
            return identity
        } catch { throw CommandError(error.description) }
    }

    static func tearDown(_ reconciler: NodeReconciler, logger: Logger) throws {
        let outcome = reconciler.teardown()
        if let failure = outcome.nodeFailure ?? outcome.failures.values.first {
            throw CommandError("teardown failed: \(failure)")
        }
        logger.notice("teardown done", metadata: ["actions": "\(outcome.applied.count)"])
        CommandOutput.write("removed everything zmesh made on this node (\(outcome.applied.count) actions)\n")
    }
}
