import Foundation
import GridSupport
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 8's updates (scenario 5) beyond adding a node (``NodeAgentGridTests``): removing a node and
/// changing a node's endpoint, while the pair the update does not concern keeps pinging without a
/// loss.
@Suite("Grid updates", .requiresGrid, .serialized)
struct UpdateGridTests {
    typealias Setup = NodeAgentGridTests.Setup

    @Test func removingANodeTakesItsTunnelsDownAndLeavesTheOthersUntouched() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two, three])
            let before = try [one, two].map { try $0.latestHandshakes(network: network.id) }
            let indexes = [one, two].map { $0.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) }
            let pings = [
                try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4),
                try network.workload(two).startContinuousPing(to: try network.workload(one).ipv4),
            ]

            let start = ContinuousClock.now
            try network.submit([one, two])
            let status = try network.waitUntilApplied()
            let applied = ContinuousClock.now - start
            #expect(status.version == 1)
            #expect(status.node(three.id) == nil, "the removed node is no member: \(status)")
            // Node 3 removes its NR and its wireguard-go once the registry tells it (its mailbox).
            try Poll.require("node 3 to remove its network resource", timeout: .seconds(60), detail: { three.agentLogTail() }) {
                try !three.namespaces().contains(network.namespace) && three.wireGuardGoProcesses().isEmpty
            }
            let removed = ContinuousClock.now - start
            SpawnedProcess.sleep(.seconds(2))
            let results = try pings.map { try $0.stop() }
            print("grid: update removing a node: submit → applied \(applied.readable), → node 3 clean \(removed.readable); the untouched pair: \(results.map(\.description).joined(separator: " / "))")
            for result in results { #expect(result.isClean, "the untouched pair lost packets: \(result)") }

            // The remaining nodes dropped the removed node's peer and kept the other one as it was.
            let after = try [one, two].map { try $0.latestHandshakes(network: network.id) }
            for (i, node) in [one, two].enumerated() {
                #expect(after[i].count == 1, "\(node) has one peer left: \(after[i])")
                for (peer, time) in after[i] {
                    #expect(before[i][peer] == time, "\(node): the handshake with \(peer) was reset")
                }
                #expect(node.interfaceIndex(network.wireGuardInterface, inNamespace: network.namespace) == indexes[i])
            }
            // Node 3's workload has nothing to reach any more; the others still reach each other.
            let oneAddress = try network.workload(one).ipv4
            #expect(!(try network.workload(three).ping(oneAddress)), "the removed node still reaches the network")
            #expect(network.unreachablePairs().isEmpty)
        }
    }

    @Test func aNodeChangingItsEndpointIsReachedAtTheNewOne() throws {
        try Grid.with { grid in
            let setup = try Setup(grid, nodes: 3)
            let (one, two, three) = (setup.nodes[0], setup.nodes[1], setup.nodes[2])
            let network = try GridNetwork(owner: setup.owner)
            try setup.deploy(network, over: [one, two, three])
            let port = try #require(try three.wireGuardListenPort(network: network.id))
            let pings = [
                try network.workload(one).startContinuousPing(to: try network.workload(two).ipv4),
                try network.workload(two).startContinuousPing(to: try network.workload(one).ipv4),
            ]

            // Node 3 moves to a new public address: the address changes on its uplink and its agent
            // restarts with the new --public-ip, which it registers (facts replaced).
            let moved = "198.51.100.\(130 + three.index)"
            try three.killAgent(signal: SIGTERM)
            let ip = GridEnvironment.path("ip")
            // (Old address first: deleting a primary address takes its secondaries with it.)
            try three.run([ip, "addr", "del", "\(three.ipv4)/24", "dev", "eth0"]).output()
            try three.run([ip, "addr", "add", "\(moved)/24", "dev", "eth0"]).output()
            try three.startAgent(farm: setup.farm, hidden: true, extraArguments: ["--public-ip", moved])
            try Poll.require("the registry to know node 3 at \(moved)", timeout: .seconds(60), detail: { three.agentLogTail() }) {
                try grid.runOnLAN([GridEnvironment.path("curl"), "-sf", "-m", "5", "\(grid.registryURL)/v1/nodes/\(three.id)"])
                    .output().contains(moved)
            }

            // The deployer's update plans the new endpoint from the registry's facts.
            let start = ContinuousClock.now
            try network.submit([one, two, three])
            let status = try network.waitUntilApplied()
            let applied = ContinuousClock.now - start
            #expect(status.version == 1)
            for node in [one, two] {
                let endpoints = try node.run(
                    inNamespace: network.namespace, [GridEnvironment.path("wg"), "show", network.wireGuardInterface, "endpoints"]
                ).output()
                #expect(endpoints.contains("\(moved):\(port)"), "\(node) has node 3 at its new endpoint: \(endpoints)")
                #expect(!endpoints.contains("\(three.ipv4):"), "\(node) still has node 3's old endpoint: \(endpoints)")
            }
            let pairs = network.unreachablePairs()
            SpawnedProcess.sleep(.seconds(2))
            let results = try pings.map { try $0.stop() }
            print("grid: endpoint change of node 3 (\(three.ipv4) → \(moved)): submit → applied \(applied.readable); the untouched pair: \(results.map(\.description).joined(separator: " / "))")
            #expect(pairs.isEmpty, "pairs not pinging after the endpoint change: \(pairs)\n\(grid.diagnostics())")
            for result in results { #expect(result.isClean, "the untouched pair lost packets: \(result)") }
        }
    }
}
