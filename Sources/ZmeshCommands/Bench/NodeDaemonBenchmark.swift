import Deployments
import Logging
import RegistryClient
import RouteNL
import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh bench node`, part two: a real `zmesh node` process with a real `zmesh registry` process, both
/// inside one namespace made for the benchmark (`zb<tag>`: only its loopback; the registry listens on
/// its 127.0.0.1). Measures, for `networks` networks sent one after the other, submission → the node's
/// `applied` report; then the idle agent's resident memory and CPU (against one wireguard-go's, the
/// datapath it drives); then drift repair: `w-<id>` deleted (found by link events) and `n-<id>`
/// deleted (found by the agent's watch of `/run/netns`).
struct NodeDaemonBenchmark {
    let networks: Int
    let idleSeconds: Int
    let repairs: Int
    let driftInterval: Int
    let tag: String
    let fixture: NodeBenchFixture
    let zmeshPath: String
    let logger: Logger

    var namespaceName: String { "zb\(tag)" }
    var prefix: String { "zb\(tag)-d-" }

    func run(report: (String) -> Void) async throws {
        let namespace = try NetworkNamespace.create(named: namespaceName)
        defer { try? NetworkNamespace.delete(named: namespaceName) }
        try RouteNetlink(namespace: namespace).setUp(try InterfaceName("lo"))
        let registry = try RegistryChild(zmesh: zmeshPath, namespace: namespace)
        defer { registry.stop() }
        let directory = try PrivateDirectory(prefix: "zmesh-bench-agent")
        defer { directory.remove() }

        let url = try RegistryURL(registry.url)
        let (owner, logger) = (fixture.owner, self.logger)
        let client = try namespace.run { () throws(RegistryClientError) -> RegistryClient in
            try RegistryClient(url: url, identity: owner, logger: logger)
        }
        _ = try await client.registerTwin()
        let farm = try await client.createFarm(name: "bench").record.id
        _ = try await client.signing(as: fixture.peer).registerNode(farm: farm, publicIPs: [NodeBenchFixture.peerAddress])
        let identityPath = "\(directory.path)/node.identity"
        try IdentityFile.write(fixture.node, to: identityPath)

        let agent = try AgentChild(
            zmesh: zmeshPath, namespace: namespace,
            logPath: getenv("ZMESH_BENCH_AGENT_LOG").map { String(cString: $0) } ?? "\(directory.path)/agent.log",
            arguments: [
                "node", "--registry", registry.url, "--identity", identityPath, "--farm", "\(farm)", "--public-ip",
                "\(NodeBenchFixture.nodeAddress)", "--backend", "userspace", "--namespace-prefix", prefix,
                "--drift-interval", "\(driftInterval)",
            ])
        var ids: [NetworkID] = []
        defer {
            agent.stop()
            agent.teardown(zmesh: zmeshPath, namespace: namespace, prefix: prefix)
            NodeApplyBenchmark.waitForDaemons(ids.map(\.wireGuardName))
        }
        try await waitUntil("the agent registers", agent) { (try? await client.node(fixture.node.id)) != nil }

        var delivery: [Duration] = []
        for index in 1...networks {
            let document = try fixture.deployment(index)
            ids.append(try document.admitted(after: nil).network.id)
            let start = ContinuousClock.now
            _ = try await client.submitDeployment(documentJSON: Array(document.json(pretty: false).utf8))
            let name = fixture.networkName(index)
            try await waitUntil("network \(name) is applied", agent) {
                let status = try? await client.networkStatus(owner: owner.id, network: name)
                return status?.nodes.contains { $0.id == fixture.node.id && $0.state == .applied } ?? false
            }
            delivery.append(ContinuousClock.now - start)
        }
        let times = Stats(delivery)
        report("the agent process: \(networks) networks submitted one after another to the registry")
        report("  submission → the node's 'applied' status at the registry: median \(times.median)  max \(times.max)")

        // Idle: the agent long-polls, and its drift timer re-reads the node.
        SpawnedProcess.sleep(.seconds(2))
        guard let before = ProcessSample.of(agent.process.id) else { throw agent.failure("exited") }
        SpawnedProcess.sleep(.seconds(idleSeconds))
        guard let after = ProcessSample.of(agent.process.id) else { throw agent.failure("exited") }
        let cpu = (after.cpuSeconds - before.cpuSeconds) / Double(idleSeconds) * 100
        report("  idle with \(networks) networks over \(idleSeconds) s (drift timer \(driftInterval) s):")
        report(
            "    agent: resident \(Self.mib(after.residentKiB)) (peak \(Self.mib(after.peakResidentKiB)); target < 30 MiB), CPU \(Stats.fixed(cpu, 2)) % of a core"
        )
        let daemons = ids.compactMap { ProcessSample.wireGuardGo(serving: $0.wireGuardName.rawValue).first }
        if let first = daemons.first, let wgBefore = ProcessSample.of(first) {
            SpawnedProcess.sleep(.seconds(2))
            let wgAfter = ProcessSample.of(first) ?? wgBefore
            report(
                "    reference, one wireguard-go (of \(daemons.count)): resident \(Self.mib(wgAfter.residentKiB)), CPU \(Stats.fixed((wgAfter.cpuSeconds - wgBefore.cpuSeconds) / 2 * 100, 2)) %; agent/wireguard-go resident \(Stats.fixed(Double(after.residentKiB) / Double(max(wgAfter.residentKiB, 1)), 2))×"
            )
        }

        var linkRepairs: [Duration] = []
        var namespaceRepairs: [Duration] = []
        for round in 0..<repairs {
            let id = ids[round % ids.count]
            let nr = NetworkNamespace.named(prefix + id.namespaceName)
            try RouteNetlink(namespace: nr).deleteLink(id.wireGuardName)
            let start = ContinuousClock.now
            try await waitUntil("w-\(id) comes back", agent) { Self.isConfigured(id, prefix: prefix) }
            linkRepairs.append(ContinuousClock.now - start)
        }
        for round in 0..<repairs {
            let id = ids[(round + 1) % ids.count]
            try NetworkNamespace.delete(named: prefix + id.namespaceName)
            let start = ContinuousClock.now
            try await waitUntil("n-\(id) comes back", agent) { Self.isConfigured(id, prefix: prefix) }
            namespaceRepairs.append(ContinuousClock.now - start)
        }
        report("  drift repair, \(repairs) times each (until the device is back, up and configured):")
        report("    w-<id> deleted (link event):     median \(Stats(linkRepairs).median)  max \(Stats(linkRepairs).max)")
        report(
            "    n-<id> deleted (/run/netns event): median \(Stats(namespaceRepairs).median)  max \(Stats(namespaceRepairs).max)"
        )
    }

    /// Whether `w-<id>` is in its NR, up, and its wireguard-go answers with the peer configured.
    static func isConfigured(_ id: NetworkID, prefix: String) -> Bool {
        let name = id.wireGuardName
        guard NetworkNamespace.exists(named: prefix + id.namespaceName),
            let links = try? RouteNetlink(namespace: .named(prefix + id.namespaceName)).links(),
            links.contains(where: { $0.name == name.rawValue && $0.isUp }),
            let device = try? WireGuardClient(choice: .userspace).device(name)
        else { return false }
        return device.configuration.peers.count == 1
    }

    private func waitUntil(_ what: String, _ agent: AgentChild, _ condition: () async -> Bool) async throws {
        for _ in 0..<6000 {
            if await condition() { return }
            if !agent.isRunning { throw agent.failure("exited while waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw agent.failure("not done after 30 s: \(what)")
    }

    static func mib(_ kib: Int) -> String { Stats.fixed(Double(kib) / 1024, 1) + " MiB" }
}

extension NetworkID {
    /// `w-<id>`.
    var wireGuardName: InterfaceName { try! InterfaceName("w-" + rawValue) }
}
