import Deployments
import Foundation
import Logging
import MeshPlanner
import NodeAgent
import NodeState
import RegistryClient
import RegistryTestSupport
import Synchronization
import SystemSupport
import Testing
import WireGuardNL
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Why the privileged daemon tests cannot run here, or nil.
enum DaemonEnvironment {
    static let unavailableReason: String? = {
        if let reason = NetworkTestEnvironment.unavailableReason { return reason }
        if WireGuardGoOptions().resolvedExecutable() == nil { return "wireguard-go is not installed" }
        return nil
    }()
}

/// One node agent under test: a registry in-process on 127.0.0.1, an owner twin with a farm, the
/// node's identity, and a reconciler on the layout `zt-<tag>-…` with the public side `zt-<tag>-pub`
/// and the userspace backend. The daemon runs in a task the test starts and stops.
final class DaemonHarness: @unchecked Sendable {
    let fixture: NamespaceFixture
    let layout: NodeLayout
    let log = LogCapture()
    let owner = Identity.generate()
    let node = Identity.generate()
    /// A second node of the network, registered but without an agent (a hidden peer).
    let peer = Identity.generate()
    /// The agent node's WireGuard private key in the network (never to be logged).
    private(set) var nodeKey = WireGuardKeys.generatePrivateKey()
    private(set) var peerKey = WireGuardKeys.generatePrivateKey()
    let network: NetworkName
    private(set) var registry: InProcessRegistry
    private(set) var ownerClient: RegistryClient
    private(set) var farm: UInt32 = 0
    private(set) var daemon: NodeDaemon?
    private var task: Task<Void, any Error>?
    private(set) var reconciler: NodeReconciler

    var networkID: NetworkID { NetworkID(owner: owner.id, name: network) }
    var namespace: String { layout.hostName(of: networkID.namespaceName) }

    private init(fixture: NamespaceFixture, registry: InProcessRegistry) throws {
        self.fixture = fixture
        self.registry = registry
        layout = NodeLayout(namespacePrefix: fixture.namespaceName(""), publicSide: .named("pub"))
        network = try NetworkName("dt-\(fixture.tag)")
        ownerClient = try Self.client(registry, owner)
        reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: log.logger("reconciler"))
    }

    static func client(_ registry: InProcessRegistry, _ identity: Identity) throws -> RegistryClient {
        var configuration = RegistryClientConfiguration()
        configuration.retry = RetryPolicy(attempts: 2, baseDelay: .milliseconds(50), maximumDelay: .milliseconds(200))
        var logger = Logger(label: "daemon-test-client")
        logger.logLevel = .critical
        return try RegistryClient(
            url: try RegistryURL("http://127.0.0.1:\(registry.port)"), identity: identity, configuration: configuration,
            logger: logger)
    }

    /// Runs `body` with a harness; stops the daemon, tears the node down, stops the registry, and
    /// records anything left behind.
    static func with(_ body: (DaemonHarness) async throws -> Void) async throws {
        let fixture = NamespaceFixture.unscoped()
        let registry = try await InProcessRegistry.start()
        let harness: DaemonHarness
        do {
            harness = try DaemonHarness(fixture: fixture, registry: registry)
            try fixture.namespace("pub")
            _ = try await harness.ownerClient.registerTwin()
            harness.farm = try await harness.ownerClient.createFarm(name: "farm-\(fixture.tag)").record.id
        } catch {
            try? await registry.stop()
            InProcessRegistry.removeDatabase(at: registry.databasePath)
            for problem in fixture.finish() { Issue.record("\(problem)") }
            throw error
        }
        let result: Result<Void, any Error>
        do {
            try await body(harness)
            result = .success(())
        } catch { result = .failure(error) }
        await harness.stopDaemon()
        let teardown = harness.reconciler.teardown()
        if !teardown.converged { Issue.record("teardown did not converge: \(teardown.failures) \(teardown.remaining)") }
        try? await harness.registry.stop()
        InProcessRegistry.removeDatabase(at: harness.registry.databasePath)
        for problem in fixture.finish() { Issue.record("\(problem)") }
        try result.get()
    }

    // MARK: The daemon

    /// Starts an agent (a new reconciler with an empty memory when `restart`, as after a restart).
    func startDaemon(restart: Bool = false, driftInterval: Duration = .seconds(2), watchesEvents: Bool = true) throws {
        if restart { reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: log.logger("reconciler")) }
        let configuration = NodeDaemonConfiguration(
            identity: node, farm: farm, publicIPs: [try IPAddress("198.51.100.7")], driftInterval: driftInterval,
            reportInterval: .seconds(5), pollWait: 5, eventDebounce: .milliseconds(200), watchesEvents: watchesEvents,
            backoff: RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(1)))
        let daemon = NodeDaemon(
            configuration: configuration, client: try Self.client(registry, node), reconciler: reconciler,
            logger: log.logger("daemon"))
        self.daemon = daemon
        task = Task { try await daemon.run() }
    }

    /// Cancels the agent and waits for it to stop.
    func stopDaemon() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }

    // MARK: The registry

    /// Stops the registry (the agent's polls fail meanwhile).
    func stopRegistry() async throws { try await registry.stop() }

    /// Starts the registry again on the same port and database.
    func restartRegistry() async throws {
        registry = try await InProcessRegistry.start(databasePath: registry.databasePath, port: registry.port)
        ownerClient = try Self.client(registry, owner)
    }

    /// Registers the hidden peer node.
    func registerPeer() async throws {
        _ = try await Self.client(registry, peer).registerNode(farm: farm, publicIPs: [])
    }

    // MARK: Deployments

    /// Version `version` of the network over the agent node (public) and the peer (hidden), drafted
    /// by the planner with keys we know, signed by the owner; `previous` keeps subnets and ports.
    /// `agentHidden` swaps the roles: the agent node is hidden and dials the peer at 198.51.100.9;
    /// `peerPublic` makes both public (at 198.51.100.7 and .9), so that each dials the other.
    func draft(
        previous: Deployment?, nodes: [IdentityID]? = nil, agentHidden: Bool = false, peerPublic: Bool = false
    ) throws -> Deployment {
        let facts = [
            NodeFacts(id: node.id, identityKey: node.publicKey, publicIPs: agentHidden ? [] : [try IPAddress("198.51.100.7")])!,
            NodeFacts(
                id: peer.id, identityKey: peer.publicKey,
                publicIPs: agentHidden || peerPublic ? [try IPAddress("198.51.100.9")] : [])!,
        ]
        let spec = DeploymentSpec(
            name: network, ipv4Range: try IPPrefix("10.77.0.0/16"), nodes: nodes ?? [node.id, peer.id])
        let keys = Mutex([peerKey, nodeKey])
        let draft = try DeploymentDraft.make(
            spec: spec, deployer: owner.id, facts: facts, previous: previous,
            generateKey: { keys.withLock { $0.popLast() ?? WireGuardKeys.generatePrivateKey() } })
        return try draft.deployment.signed(by: owner)
    }

    /// Routes `prefix` in the public side to a veth whose other end has no address: what is sent
    /// there is never answered.
    func routeToNowhere(_ prefix: String) throws {
        let pub = fixture.namespaceName("pub")
        for step in [
            ["ip", "-n", pub, "link", "add", "void0", "type", "veth", "peer", "name", "void1"],
            ["ip", "-n", pub, "link", "set", "void0", "up"], ["ip", "-n", pub, "link", "set", "void1", "up"],
            ["ip", "-n", pub, "route", "add", prefix, "dev", "void0"],
        ] { try ShellCommand.run(step) }
    }

    /// Swaps the two WireGuard keys (before the first draft) so that the agent's public key orders
    /// before the peer's, or after it.
    func orderKeys(agentFirst: Bool) {
        let agentIsFirst = WireGuardKeys.publicKey(for: nodeKey) < WireGuardKeys.publicKey(for: peerKey)
        if agentIsFirst != agentFirst { swap(&nodeKey, &peerKey) }
    }

    /// Submits a signed document; throws when the registry does not store it.
    func submit(_ deployment: Deployment) async throws {
        let answer = try await ownerClient.submitDeployment(documentJSON: Array(deployment.json(pretty: false).utf8))
        guard case .stored = answer else { throw TestFailure("not stored: \(answer)") }
    }

    /// The agent node's line of the network's status at the registry.
    func registryStatus() async throws -> NodeNetworkStatus? {
        try await ownerClient.networkStatus(owner: owner.id, network: network.rawValue).nodes.first { $0.id == node.id }
    }

    /// Waits (up to `seconds`) until the registry has `state` and `version` for the agent node.
    func waitForStatus(_ state: NetworkState, version: UInt64, seconds: Int = 30) async throws -> NodeNetworkStatus {
        var last: NodeNetworkStatus?
        let ok = await eventually(seconds: seconds) {
            last = try? await self.registryStatus()
            return last?.state == state && last?.version == version
        }
        guard ok, let last else {
            throw TestFailure("registry status never became \(state) v\(version); last: \(String(describing: last))")
        }
        return last
    }

    // MARK: The kernel

    /// The node as the reader sees it.
    func read() throws -> NodeSnapshot { try NodeReader(layout: layout).read() }

    /// The network's WireGuard device, if its NR exists and the device is configured.
    func device() -> DeviceStatus? {
        (try? read())?.namespaces[networkID.namespaceName]?.wireGuard[networkID.wireGuardInterface]
    }
}

/// Polls `condition` every 100 ms for up to `seconds`; whether it became true.
func eventually(seconds: Int, _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return (try? await condition()) == true
}

/// A UDP port held in a namespace (IPv4 and IPv6) by a python3 process, until ``release()``.
final class HeldUDPPort {
    private let process: Process

    init(namespace: String, port: UInt16) throws {
        let script = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", int(sys.argv[1])))
            print("bound", flush=True)
            time.sleep(120)
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, NetworkTestEnvironment.python, "-c", script, String(port)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        guard String(decoding: seen, as: UTF8.self).hasPrefix("bound") else {
            release()
            throw TestFailure("could not hold UDP port \(port) in \(namespace)")
        }
    }

    /// Ends the holder (SIGKILL: a child may inherit a mask that blocks SIGTERM) and waits for it.
    func release() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { release() }
}
