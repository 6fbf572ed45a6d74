import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7's stateless reboot and shutdown: a node that lost everything but its identity rebuilds its
/// network from the registry alone; SIGTERM leaves the networks running and `zmesh node --teardown`
/// removes everything zmesh made on the node and nothing else. Real agents (userspace WireGuard, node
/// setup's ndmz uplink on, as `zmesh node` defaults), numbers printed (`grid:` lines), never bounded.
@Suite("Node reboot and teardown on a grid", .requiresGrid, .serialized)
struct NodeRebootGridTests {
    /// `count` nodes, their state read before any agent ran (how the grid built them: what a reboot
    /// gives back), then their agents started and registered.
    struct Setup {
        let owner: Deployer
        let farm: UInt32
        let nodes: [SimulatedNode]
        let boot: [NodeHostState]

        init(_ grid: Grid, nodes count: Int) throws {
            owner = try grid.deployer("alice")
            farm = try owner.createFarm()
            nodes = try grid.addNodes(count)
            boot = try nodes.map { try $0.hostState() }
            for node in nodes { try node.startAgent(farm: farm) }
            try owner.waitForRegistration(nodes)
        }
    }

    /// What node setup and an NR of `network` put in a node, and what a reboot or a teardown must take away.
    static func expectAgentMade(_ state: NodeHostState, network: GridNetwork, on node: SimulatedNode) {
        #expect(state.namespaces.contains(network.namespace) && state.namespaces.contains("ndmz"), "\(node): \(state)")
        #expect(state.links.contains { $0.hasPrefix("ndmz#") && $0.contains(" veth ") }, "\(node): the uplink veth ndmz\n\(state)")
        #expect(state.tables.contains("table inet zmesh-host"), "\(node): \(state)")
        #expect(state.ipForward == "1", "\(node): \(state)")
        #expect(state.wireGuardSockets == ["\(network.wireGuardInterface).sock"], "\(node): \(state)")
    }

    @Test(.requiresUserspaceWireGuard(KernelSkip.wireGuardGoProcesses))
    func aRebootedNodeRebuildsItsNetworkFromTheRegistryAlone() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try network.submit(setup.nodes)
            try network.waitUntilApplied()
            try network.attachWorkloads()
            let pairs = network.unreachablePairs()
            try #require(pairs.isEmpty, "pairs not pinging before the reboot: \(pairs)\n\(grid.diagnostics())")
            let running = try two.hostState()
            Self.expectAgentMade(running, network: network, on: two)
            let daemons = two.wireGuardGoProcesses()
            let port = try two.wireGuardListenPort(network: network.id)
            #expect(daemons.count == 1, "\(daemons)")

            // The untouched pair pings all along, both ways.
            let forward = try network.workload(one).startContinuousPing(to: try network.workload(three).ipv4)
            let backward = try network.workload(three).startContinuousPing(to: try network.workload(one).ipv4)
            SpawnedProcess.sleep(.milliseconds(500))

            // Power cycle: nothing of node 2 is left but its identity file.
            try two.reboot()
            let rebooted = try two.hostState()
            #expect(rebooted == setup.boot[1], "node 2 after the reboot differs from its boot state:\n\(rebooted)\nboot:\n\(setup.boot[1])")
            #expect(daemons.allSatisfy { !ProcessTable.isAlive($0) }, "wireguard-go survived the reboot: \(daemons)")
            #expect(FileManager.default.fileExists(atPath: two.identityPath))

            let start = ContinuousClock.now
            try two.startAgent(farm: setup.farm)
            let back = try Poll.require("node 2 to rebuild \(network.bridge)", timeout: .seconds(60), detail: { two.agentLogTail() }) {
                try two.bridgeAddresses(network: network.id).ipv4 != nil
            }
            try network.attachWorkload(on: two)
            let first = try network.workload(two).firstPing(try network.workload(one).ipv4)
            let firstAcross = ContinuousClock.now - start
            #expect(first != nil, "node 2's workload does not reach node 1's\n\(grid.diagnostics())")
            let after = network.unreachablePairs()
            let allPairs = ContinuousClock.now - start
            #expect(after.isEmpty, "pairs not pinging after the reboot: \(after)\n\(grid.diagnostics())")
            SpawnedProcess.sleep(.seconds(2))
            let results = [try forward.stop(), try backward.stop()]
            let actions = two.appliedActionsSinceStart()
            print(
                "grid: stateless reboot of node 2: agent start → \(network.bridge) back \(back.readable), → first ping across (node 2 → node 1, workload re-attached) \(firstAcross.readable), → all 6 pairs \(allPairs.readable); \(actions.count) actions applied"
            )
            print("grid: stateless reboot, node 1 ↔ node 3 continuous pings: \(results[0]) / \(results[1])")
            for result in results { #expect(result.isClean, "the untouched pair lost packets: \(result)") }

            // Rebuilt from the registry: the same NR, uplink and listen port, a new wireguard-go, and the
            // registry hears version 0 applied from the same node id.
            let rebuilt = try two.hostState()
            Self.expectAgentMade(rebuilt, network: network, on: two)
            #expect(rebuilt.namespaces == running.namespaces && rebuilt.tables == running.tables, "\(rebuilt)\nbefore:\n\(running)")
            #expect(try two.wireGuardListenPort(network: network.id) == port)
            #expect(two.wireGuardGoProcesses().count == 1, "\(two.wireGuardGoProcesses())")
            #expect(actions.contains { $0.hasPrefix("create") }, "\(actions)")
            let status = try network.waitUntilApplied()
            #expect(status.version == 0 && status.node(two.id)?.state == "applied", "\(status)")
        }
    }

    @Test(.requiresUserspaceWireGuard(KernelSkip.wireGuardGoProcesses))
    func aStoppedAgentLeavesItsNetworkRunningAndTeardownRemovesAllItMade() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 2)
            let (one, two) = (setup.nodes[0], setup.nodes[1])
            let network = try GridNetwork(owner: setup.owner)
            try network.submit(setup.nodes)
            try network.waitUntilApplied()
            try network.attachWorkloads()
            let pairs = network.unreachablePairs()
            try #require(pairs.isEmpty, "pairs not pinging: \(pairs)\n\(grid.diagnostics())")
            let running = try one.hostState()
            Self.expectAgentMade(running, network: network, on: one)
            let daemons = one.wireGuardGoProcesses()
            #expect(daemons.count == 1, "\(daemons)")

            // SIGTERM: the agent exits cleanly and every network keeps running, untouched.
            let ping = try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4)
            SpawnedProcess.sleep(.milliseconds(500))
            try one.killAgent(signal: SIGTERM)
            let exit = one.agent?.launcher.status()
            #expect(exit == .exited(0), "the agent's exit after SIGTERM: \(String(describing: exit))\n\(one.agentLogTail())")
            SpawnedProcess.sleep(.seconds(1))
            #expect(try network.workload(one).firstPing(try network.workload(two).ipv4) != nil)
            #expect(try network.workload(two).firstPing(try network.workload(one).ipv4) != nil)
            let result = try ping.stop()
            print("grid: agent stopped with SIGTERM (exit \(String(describing: exit))), continuous ping across the stop: \(result)")
            #expect(result.isClean, "\(result)")
            #expect(daemons.allSatisfy(ProcessTable.isAlive), "wireguard-go ended with the agent")
            let stopped = try one.hostState()
            #expect(stopped == running, "the stop changed the node:\n\(stopped)\nbefore:\n\(running)")

            // Teardown: everything zmesh made goes; the node's LAN link, addresses and routes, the
            // workload's namespace (not zmesh's) and ip_forward (left as it is) stay.
            let start = ContinuousClock.now
            let output = try one.zmesh(["node", "--teardown"]).output()
            let ran = ContinuousClock.now - start
            #expect(output.contains("removed everything"), "\(output)")
            let boot = setup.boot[0]
            var after = stopped
            let clean = Poll.until(timeout: .seconds(30)) {
                after = try one.hostState()
                return after.links == boot.links && after.namespaces == ["wl1"] && one.wireGuardGoProcesses().isEmpty
            }
            print(
                "grid: zmesh node --teardown ran \(ran.readable), the node was clean \(clean.map(\.readable) ?? "-") after it returned: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
            #expect(clean != nil, "not clean 30 s after the teardown:\n\(after)")
            #expect(after.links == boot.links, "links: \(after.links), at boot \(boot.links)")
            #expect(after.addresses == boot.addresses, "addresses: \(after.addresses), at boot \(boot.addresses)")
            #expect(after.routes == boot.routes, "routes: \(after.routes), at boot \(boot.routes)")
            #expect(after.tables == boot.tables, "tables: \(after.tables), at boot \(boot.tables)")
            #expect(after.namespaces == ["wl1"], "namespaces: \(after.namespaces)")
            #expect(after.wireGuardSockets == boot.wireGuardSockets, "/run/wireguard: \(after.wireGuardSockets)")
            #expect(after.ipForward == running.ipForward, "ip_forward changed by the teardown")
            #expect(one.wireGuardGoProcesses().isEmpty && daemons.allSatisfy { !ProcessTable.isAlive($0) })
            // The other node is untouched.
            #expect(two.agent?.isRunning == true)
            #expect(try two.namespaces().contains(network.namespace))
        }
    }
}
