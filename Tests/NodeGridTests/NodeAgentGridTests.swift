import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 7's multi-node tests: real `zmesh node` agents (userspace WireGuard) on simulated nodes,
/// a real registry on the LAN, networks deployed with the deployer's commands. Measured numbers are
/// printed (`grid:` lines), never asserted against an upper bound.
@Suite("Node agents on a grid", .requiresGrid, .serialized)
struct NodeAgentGridTests {
    /// A grid with `count` nodes whose agents run and registered, an owner and a farm.
    struct Setup {
        let grid: Grid
        let owner: Deployer
        let farm: UInt32
        let nodes: [SimulatedNode]

        init(_ grid: Grid, nodes count: Int, agentArguments: [String] = []) throws {
            self.grid = grid
            owner = try grid.deployer("alice")
            farm = try owner.createFarm()
            nodes = try grid.addNodes(count)
            for node in nodes { try node.startAgent(farm: farm, extraArguments: agentArguments) }
            try owner.waitForRegistration(nodes)
        }

        /// Deploys `network` over `members`, waits until it is applied, attaches a workload per node
        /// and checks that every pair pings; returns (submit → all applied, submit → all pairs ping).
        @discardableResult
        func deploy(_ network: GridNetwork, over members: [SimulatedNode]) throws -> (applied: Duration, pinging: Duration) {
            let start = ContinuousClock.now
            try network.submit(members)
            try network.waitUntilApplied()
            let applied = ContinuousClock.now - start
            try network.attachWorkloads()
            let failures = network.unreachablePairs()
            #expect(failures.isEmpty, "pairs not pinging: \(failures)\n\(grid.diagnostics())")
            return (applied, ContinuousClock.now - start)
        }
    }

    @Test func aNetworkOverThreeNodesConnectsEveryPairOfWorkloads() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let network = try GridNetwork(owner: setup.owner)
            let start = ContinuousClock.now
            try network.submit(setup.nodes)
            let status = try network.waitUntilApplied()
            let applied = ContinuousClock.now - start
            #expect(status.version == 0)
            try network.attachWorkloads()
            // The first successful ping of the first pair, then every pair.
            let first = try network.workload(setup.nodes[0]).firstPing(try network.workload(setup.nodes[1]).ipv4)
            #expect(first != nil)
            let firstPing = ContinuousClock.now - start
            let failures = network.unreachablePairs()
            let allPairs = ContinuousClock.now - start
            #expect(failures.isEmpty, "IPv4 pairs not pinging: \(failures)\n\(grid.diagnostics())")
            print("grid: 3 nodes, submit → all applied \(applied.readable), → first ping \(firstPing.readable), → all 6 pairs \(allPairs.readable) (includes attaching the workloads)")

            // IPv6: every bridge has the node's /64 of the network's ULA /48.
            for node in setup.nodes { #expect(try network.workload(node).ipv6 != nil, "\(node): no IPv6 on \(network.bridge)") }
            let failures6 = network.unreachablePairs(ipv6: true)
            #expect(failures6.isEmpty, "IPv6 pairs not pinging: \(failures6)")
            // A TCP transfer across the tunnel.
            let a = try network.workload(setup.nodes[0]), c = try network.workload(setup.nodes[2])
            #expect(try a.tcpTransfer(to: c, address: c.ipv4, bytes: 4 << 20) == 4 << 20)

            // What the deployer and the node operator see.
            let text = try setup.owner.statusText(network: network.name)
            #expect(text.contains("nodes 3, 3 on version 0"), "\(text)")
            for node in setup.nodes {
                let local = try node.nodeStatus()
                #expect(local.contains(network.id.rawValue), "\(node): \(local)")
                let handshakes = try node.latestHandshakes(network: network.id)
                #expect(handshakes.count == 2, "\(node): two peers")
                #expect(handshakes.values.allSatisfy { $0 > 0 }, "\(node): every peer handshook after the pings: \(handshakes)")
            }
        }
    }

    @Test func addingANodeKeepsTheExistingTunnelsAndBringsUpTheNewPairs() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two])
            let before = try [one, two].map { try $0.latestHandshakes(network: network.id) }
            #expect(before.allSatisfy { $0.count == 1 && $0.values.allSatisfy { $0 > 0 } }, "\(before)")
            let indexes = [one, two].map { $0.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) }
            let daemons = [one, two].map { $0.wireGuardGoProcesses().map(\.pid) }

            let ping = try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4)
            let start = ContinuousClock.now
            try network.submit([one, two, three])
            try network.waitUntilApplied()
            let applied = ContinuousClock.now - start
            try network.attachWorkload(on: three)
            let firstNew = try network.workload(three).firstPing(try network.workload(one).ipv4)
            let firstNewPing = ContinuousClock.now - start
            let pairs = network.unreachablePairs()
            let result = try ping.stop()
            print("grid: update adding a node, submit → applied \(applied.readable), → first ping to the new node \(firstNewPing.readable); the untouched pair's ping during it: \(result)")
            #expect(firstNew != nil)
            #expect(pairs.isEmpty, "pairs not pinging after the update: \(pairs)\n\(grid.diagnostics())")
            #expect(result.isClean, "the existing pair lost packets during the update: \(result)")

            // The existing peers were not touched: same handshake, same interface, same daemon.
            let after = try [one, two].map { try $0.latestHandshakes(network: network.id) }
            for (i, node) in [one, two].enumerated() {
                for (peer, time) in before[i] {
                    #expect(
                        after[i][peer] == time,
                        "\(node): the handshake with \(peer) was reset (\(time) → \(after[i][peer] ?? -1))\n\(grid.diagnostics(lines: 40))")
                }
                #expect(after[i].count == 2, "\(node) now has the new node as a peer")
                #expect(node.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) == indexes[i])
                #expect(node.wireGuardGoProcesses().map(\.pid) == daemons[i])
            }
        }
    }

    @Test func anUpdateANodeCannotApplyIsReportedAndTheRestKeepsWorking() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two])

            // The port the update will give node 3, taken on node 3 (its public side) beforehand.
            let spec = try network.writeSpec([one, two, three])
            let port = try #require(try setup.owner.plannedPorts(spec: spec, creating: false)[three.id])
            let blocker = try three.holdUDPPort(port)
            let ping = try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4)
            try network.submit([one, two, three])

            var report: NetworkStatusReport?
            try Poll.require("node 3 to report the failed update", timeout: .seconds(60), detail: { "\(String(describing: report))" }) {
                report = try setup.owner.status(network: network.name)
                return report?.node(three.id)?.state == "failed"
            }
            let error = report?.node(three.id)?.error ?? ""
            print("grid: node 3's error for a taken port \(port): \(error)")
            #expect(error.contains(String(port)) || error.contains(network.id.rawValue), "the error names the port or the network: \(error)")
            let text = try setup.owner.statusText(network: network.name)
            #expect(text.contains("failed"), "\(text)")
            // The other nodes applied the update; their traffic never stopped.
            try Poll.require("nodes 1 and 2 to apply version 1", timeout: .seconds(60)) {
                let status = try setup.owner.status(network: network.name)
                return [one, two].allSatisfy { status.node($0.id)?.state == "applied" && status.node($0.id)?.version == 1 }
            }
            let result = try ping.stop()
            print("grid: the working pair during node 3's failed update: \(result)")
            #expect(result.isClean, "\(result)")

            // Node 3 kept nothing half-made of the failed version: no NR, no daemon.
            #expect(try !three.namespaces().contains(network.namespace))
            #expect(three.wireGuardGoProcesses().isEmpty, "\(three.wireGuardGoProcesses())")

            // The port is released. The agent does not retry a failed version by itself (it waits for
            // the next one); a restarted agent catches up from its mailbox and applies it.
            blocker.terminateAll()
            try three.killAgent(signal: SIGTERM)
            let start = ContinuousClock.now
            try three.startAgent(farm: setup.farm)
            try network.waitUntilApplied(timeout: .seconds(90))
            print("grid: node 3 applied version 1 \((ContinuousClock.now - start).readable) after its agent restarted with the port free")
            try network.attachWorkload(on: three)
            let pairs = network.unreachablePairs()
            #expect(pairs.isEmpty, "\(pairs)\n\(grid.diagnostics())")
        }
    }

    @Test func driftIsRepaired() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 2)
            let (one, two) = (setup.nodes[0], setup.nodes[1])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two])
            let target = try network.workload(two).ipv4

            // 1. The WireGuard interface deleted.
            try one.run(inNamespace: network.namespace, ["ip", "link", "delete", network.wireGuardInterface]).output()
            let start1 = ContinuousClock.now
            let back1 = Poll.until(timeout: .seconds(40)) {
                one.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) != nil
            }
            #expect(back1 != nil, "w-<id> did not come back\n\(one.agentLogTail())")
            let ping1 = try network.workload(one).firstPing(target)
            #expect(ping1 != nil)
            print("grid: drift repair, w-<id> deleted: back after \(back1?.readable ?? "-"), pinging after \((ContinuousClock.now - start1).readable)")

            // 2. The NR namespace deleted (its workload port goes with it: the workload is re-attached).
            try one.run(["ip", "netns", "delete", network.namespace]).output()
            let start2 = ContinuousClock.now
            let back2 = Poll.until(timeout: .seconds(40)) { try one.bridgeAddresses(network: network.id).ipv4 != nil }
            #expect(back2 != nil, "n-<id> did not come back\n\(one.agentLogTail())")
            try network.attachWorkload(on: one)
            let ping2 = try network.workload(one).firstPing(target)
            #expect(ping2 != nil)
            print("grid: drift repair, n-<id> deleted: back after \(back2?.readable ?? "-"), pinging after \((ContinuousClock.now - start2).readable)")

            // 3. The NR's nftables table deleted.
            #expect(try one.nftablesTables(inNamespace: network.namespace).contains("table inet zmesh-nr"))
            let listing = try one.run(inNamespace: network.namespace, ["nft", "list", "table", "inet", "zmesh-nr"]).output()
            try one.run(inNamespace: network.namespace, ["nft", "delete", "table", "inet", "zmesh-nr"]).output()
            let back3 = Poll.until(timeout: .seconds(40)) {
                try one.run(inNamespace: network.namespace, ["nft", "list", "table", "inet", "zmesh-nr"]).output() == listing
            }
            #expect(back3 != nil, "the zmesh-nr table did not come back\n\(one.agentLogTail())")
            print("grid: drift repair, table inet zmesh-nr deleted: back after \(back3?.readable ?? "-")")

            // 4. The table's rules flushed (the table stays, empty).
            try one.run(inNamespace: network.namespace, ["nft", "flush", "table", "inet", "zmesh-nr"]).output()
            let flushed = try one.run(inNamespace: network.namespace, ["nft", "list", "table", "inet", "zmesh-nr"]).output()
            #expect(flushed != listing)
            let back4 = Poll.until(timeout: .seconds(40)) {
                try one.run(inNamespace: network.namespace, ["nft", "list", "table", "inet", "zmesh-nr"]).output() == listing
            }
            #expect(back4 != nil, "the zmesh-nr table's rules did not come back\n\(one.agentLogTail())")
            print("grid: drift repair, table inet zmesh-nr flushed: rules back after \(back4?.readable ?? "-")")
            #expect(try network.workload(one).firstPing(target) != nil)
            #expect(network.unreachablePairs().isEmpty)
        }
    }

    @Test(.requiresUserspaceWireGuard(KernelSkip.wireGuardGoProcesses))
    func anAgentKilledAndRestartedLosesNoTraffic() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 2)
            let (one, two) = (setup.nodes[0], setup.nodes[1])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two])
            let index = one.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace)
            let bridgeIndex = one.interfaceIndex(network.bridge, inNamespace: network.namespace)
            let daemons = one.wireGuardGoProcesses().map(\.pid)
            let handshakes = try one.latestHandshakes(network: network.id)
            #expect(index != nil && daemons.count == 1)

            let forward = try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4)
            let backward = try network.workload(two).startContinuousPing(to: try network.workload(one).ipv4)
            SpawnedProcess.sleep(.milliseconds(500))
            try one.killAgent(signal: SIGKILL)
            SpawnedProcess.sleep(.seconds(1))
            let restart = Int64(time(nil))
            try one.startAgent(farm: setup.farm)
            // The restarted agent is back once it has talked to the registry and had time to reconcile.
            try Poll.require("the restarted agent to reach the registry", timeout: .seconds(60)) {
                (try setup.owner.lastSeen(one) ?? 0) >= restart
            }
            try Poll.require("the restarted agent's first reconcile", timeout: .seconds(60), detail: { one.agentLogTail() }) {
                one.agentLogSinceStart().contains("reconciled")
            }
            SpawnedProcess.sleep(.seconds(2))
            let results = [try forward.stop(), try backward.stop()]
            print("grid: agent kill -9 and restart, continuous pings: \(results[0]) / \(results[1])")
            for result in results { #expect(result.isClean, "\(result)") }
            #expect(one.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) == index, "w-<id> was re-created")
            #expect(one.interfaceIndex(network.bridge, inNamespace: network.namespace) == bridgeIndex, "b-<id> was re-created")
            #expect(one.wireGuardGoProcesses().map(\.pid) == daemons, "wireguard-go was restarted")
            #expect(try one.latestHandshakes(network: network.id) == handshakes, "a handshake was reset")
            #expect(one.agent?.isRunning == true, "\(one.agentLogTail())")
            // It adopted what was there: at most the table is applied again (its listing memory is
            // empty after a restart: docs/node-agent.md), nothing created, moved or deleted.
            let actions = one.appliedActionsSinceStart()
            print("grid: the restarted agent applied \(actions)")
            #expect(actions.allSatisfy { $0.hasPrefix("apply table inet zmesh") }, "\(actions)")
        }
    }

    @Test func theRegistryGoingDownChangesNothingAndTheNodesCatchUp() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two])

            let ping = try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4)
            grid.registry.stop()
            SpawnedProcess.sleep(.seconds(60))
            let result = try ping.stop()
            print("grid: 60 s without the registry, continuous ping: \(result)")
            #expect(result.isClean, "\(result)")
            #expect(setup.nodes.allSatisfy { $0.agent?.isRunning == true }, "an agent exited without its registry")
            #expect(network.unreachablePairs().isEmpty)

            try grid.registry.start()
            let start = ContinuousClock.now
            try network.submit([one, two, three])
            try network.waitUntilApplied(timeout: .seconds(120))
            let applied = ContinuousClock.now - start
            try network.attachWorkload(on: three)
            let pairs = network.unreachablePairs()
            print("grid: registry back, update adding a node: submit → all applied \(applied.readable), → all pairs \((ContinuousClock.now - start).readable)")
            #expect(pairs.isEmpty, "\(pairs)\n\(grid.diagnostics())")
        }
    }
}
