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

            var runs: [Duration] = []
            for run in 1...3 {
                let network = try GridNetwork(owner: owner, name: "conv\(run)", ipv4Range: "10.\(40 + run).0.0/16")
                let start = ContinuousClock.now
                try network.submit(nodes)
                // Workloads are attached as soon as each node's bridge exists, all nodes at once.
                try network.attachWorkloadsConcurrently(timeout: .seconds(60))
                let attached = ContinuousClock.now - start
                let probeStart = ContinuousClock.now - start
                let matrix = try network.connectivity(timeout: .seconds(60), ipv6: false, samples: 0)
                #expect(matrix.unreachable.isEmpty, "run \(run): \(matrix.unreachable)\n\(grid.diagnostics())")
                guard let last = matrix.allAnsweredAfter else { break }
                let converged = probeStart + last
                runs.append(converged)
                let status = try network.waitUntilApplied()
                #expect(status.nodes.count == 10)
                print("grid: convergence run \(run), 10 nodes (3 hidden): workloads attached after \(attached.readable), every one of the 90 pairs pinging after \(converged.readable)")

                // Delete it and wait until no node has anything of it left.
                try owner.delete(network: network.name)
                for node in nodes {
                    try Poll.require("\(node) to remove \(network.namespace)", timeout: .seconds(60), detail: {
                        node.agentLogTail()
                    }) { try !node.namespaces().contains(network.namespace) }
                }
                try network.removeWorkloads()
            }
            #expect(runs.count == 3)
            let sorted = runs.sorted()
            guard !sorted.isEmpty else { return }
            print("grid: convergence, 10 nodes (3 hidden): median \(sorted[sorted.count / 2].readable) (runs \(runs.map { "\(Int($0.milliseconds.rounded()))" }.joined(separator: ", ")) ms)")
        }
    }
}
