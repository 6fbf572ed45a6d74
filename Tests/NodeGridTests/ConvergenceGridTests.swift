import Foundation
import GridSupport
import SystemSupport
import Testing

/// Issue 8's scenario 8: how long a deployment takes from its submission until every ordered pair of
/// workloads pings, for 10 nodes of which 3 are hidden behind NAT routers. Printed, never asserted
/// against the target (under 3 s); only a generous bound for "it converges at all".
@Suite("Convergence on a grid", .requiresGrid, .serialized)
struct ConvergenceGridTests {
    @Test func tenNodesThreeHiddenConverge() throws {
        try Grid.with { grid in
            let owner = try grid.deployer("alice")
            let farm = try owner.createFarm()
            let nodes =
                try grid.addNodes(7) + [try grid.addNode(hidden: .endpointIndependent), try grid.addNode(hidden: .symmetric)]
                + [try grid.addNode(hidden: .endpointIndependent)]
            #expect(nodes.filter(\.isHidden).count == 3)
            for node in nodes { try node.startAgent(farm: farm) }
            try owner.waitForRegistration(nodes)

            // Odd runs probe every ordered pair at once; even runs first one direction of each pair
            // (lower node index → higher), then all: two peers whose tenants start talking at the same
            // instant both initiate a WireGuard handshake, and crossing initiations leave both sides
            // waiting for WireGuard's 5 s retry (REKEY_TIMEOUT).
            var together: [Duration] = [], oneWayFirst: [Duration] = []
            for run in 1...6 {
                let network = try GridNetwork(owner: owner, name: "conv\(run)", ipv4Range: "10.\(40 + run).0.0/16")
                let start = ContinuousClock.now
                try network.submit(nodes)
                // Workloads are attached as soon as each node's bridge exists, all nodes at once.
                try network.attachWorkloadsConcurrently(timeout: .seconds(60))
                let attached = ContinuousClock.now - start
                if run % 2 == 0 {
                    let first = try network.connectivity(timeout: .seconds(60), ipv6: false, samples: 0, only: { $0 < $1 })
                    #expect(first.unreachable.isEmpty, "run \(run): \(first.unreachable)\n\(grid.diagnostics())")
                }
                let probeStart = ContinuousClock.now - start
                let matrix = try network.connectivity(timeout: .seconds(60), ipv6: false, samples: 0)
                #expect(matrix.pairs.count == 90)
                #expect(matrix.unreachable.isEmpty, "run \(run): \(matrix.unreachable)\n\(grid.diagnostics())")
                guard let last = matrix.allAnsweredAfter else { break }
                let converged = probeStart + last
                if run % 2 == 0 { oneWayFirst.append(converged) } else { together.append(converged) }
                let status = try network.waitUntilApplied()
                #expect(status.nodes.count == 10)
                let slow = matrix.pairs.filter { ($0.firstReply ?? .zero) > .seconds(2) }.map { "\($0.source)→\($0.target)" }
                print("grid: convergence run \(run) (\(run % 2 == 0 ? "one direction first" : "all pairs at once")), 10 nodes (3 hidden): workloads attached after \(attached.readable), every one of the 90 pairs pinging after \(converged.readable); pairs answering after more than 2 s of the last probe: \(slow.isEmpty ? "none" : slow.joined(separator: " "))")

                // Delete it and wait until no node has anything of it left.
                try owner.delete(network: network.name)
                for node in nodes {
                    try Poll.require("\(node) to remove \(network.namespace)", timeout: .seconds(60), detail: {
                        node.agentLogTail()
                    }) { try !node.namespaces().contains(network.namespace) }
                }
                try network.removeWorkloads()
            }
            #expect(together.count == 3 && oneWayFirst.count == 3)
            func summary(_ runs: [Duration]) -> String {
                let sorted = runs.sorted()
                guard !sorted.isEmpty else { return "no run" }
                return "median \(sorted[sorted.count / 2].readable) (runs \(runs.map { "\(Int($0.milliseconds.rounded()))" }.joined(separator: ", ")) ms)"
            }
            print("grid: convergence, 10 nodes (3 hidden): \(summary(together))")
            print("grid: convergence, 10 nodes (3 hidden), one direction of each pair first: \(summary(oneWayFirst))")
        }
    }
}
