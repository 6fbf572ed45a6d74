import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// The simulator must notice broken plans: each test breaks a good plan in one way WireGuard or the
/// kernel would punish, and expects the violation.
@Suite struct SimulatorTests {
    /// Two public nodes (one of them dual-stack), four hidden nodes and a laptop.
    static let spec = Fixtures.spec(
        nodes: [
            Fixtures.publicNode(1, ipv4: "198.51.100.1", ipv6: "2001:db8::1"),
            Fixtures.publicNode(2, ipv4: "198.51.100.2"),
        ] + (3...6).map { Fixtures.hiddenNode($0) },
        accesses: [Fixtures.access("laptop", 1)])

    static func simulator() throws -> (MeshPlan, MeshSimulator) {
        let plan = try NetworkPlanner.plan(spec)
        return (plan, try MeshSimulator(plan: plan, spec: spec))
    }

    static func index(_ simulator: MeshSimulator, _ kind: SimulatedMachine.Kind) -> Int {
        simulator.machines.firstIndex { $0.kind == kind } ?? -1
    }

    @Test func theGoodPlanIsClean() throws {
        let (plan, simulator) = try Self.simulator()
        let report = simulator.verify()
        #expect(report.isClean)
        #expect(report.packets == 2 * (6 * 5 + 2 * 6))
        #expect(report.longestPath == 3)  // hidden → access → other access → hidden
        #expect(plan.hiddenNodes.map(\.accessNode).contains(Fixtures.id(1)))
        #expect(plan.hiddenNodes.map(\.accessNode).contains(Fixtures.id(2)))
    }

    @Test func aMissingAllowedIPIsUnreachable() throws {
        var (plan, simulator) = try Self.simulator()
        let hidden = try #require(plan.hiddenNodes.first)
        let access = try #require(hidden.accessNode)
        let other = try #require(plan.publicNodes.first { $0.id != access })
        let o = Self.index(simulator, .node(other.id))
        let p = try #require(simulator.machines[o].peers.firstIndex { $0.publicKey == plan.node(access)?.publicKey })
        simulator.machines[o].peers[p].allowedIPs.removeAll { $0 == hidden.subnet }
        let report = simulator.verify(families: [.ipv4])
        #expect(!report.isClean)
        #expect(report.violations.contains { $0.contains("no WireGuard peer has \(hidden.subnet.offset(10))") })
        #expect(report.violations.contains { $0.contains("source check") })
    }

    @Test func aPrefixOnTwoPeersMovesAndBreaksTheFirst() throws {
        var (plan, simulator) = try Self.simulator()
        let hidden = try #require(plan.hiddenNodes.first { $0.accessNode == Fixtures.id(1) })
        let n = Self.index(simulator, .node(Fixtures.id(1)))
        // Append the hidden node's /24 to the last peer as well: WireGuard moves it there.
        let last = simulator.machines[n].peers.count - 1
        #expect(simulator.machines[n].peers[last].publicKey != hidden.publicKey)
        simulator.machines[n].peers[last].allowedIPs.append(hidden.subnet)
        #expect(!simulator.verify(families: [.ipv4]).isClean)
    }

    @Test func aHiddenNodeWithoutKeepaliveCannotBeReached() throws {
        var (plan, simulator) = try Self.simulator()
        let hidden = try #require(plan.hiddenNodes.first)
        let h = Self.index(simulator, .node(hidden.id))
        simulator.machines[h].peers[0].persistentKeepalive = 0
        let report = simulator.verify(families: [.ipv4])
        #expect(report.violations.contains { $0.contains("cannot come up") })
        // Only packets towards the hidden node fail; it can still send.
        #expect(report.violations.allSatisfy { $0.contains("→ node \(hidden.id) (") })
    }

    @Test func aTunnelBetweenTwoHiddenNodesIsAViolation() throws {
        var (plan, simulator) = try Self.simulator()
        let a = plan.hiddenNodes[0]
        let b = plan.hiddenNodes[1]
        let ia = Self.index(simulator, .node(a.id))
        let ib = Self.index(simulator, .node(b.id))
        simulator.machines[ia].peers.append(PeerConfiguration(publicKey: b.publicKey, allowedIPs: [b.subnet]))
        simulator.machines[ib].peers.append(PeerConfiguration(publicKey: a.publicKey, allowedIPs: [a.subnet]))
        let report = simulator.verify(families: [.ipv4])
        #expect(report.violations.contains { $0.contains("tunnel between two machines behind NAT") })
    }

    @Test func aWrongEndpointPortKeepsTheTunnelDown() throws {
        var (_, simulator) = try Self.simulator()
        let n = Self.index(simulator, .node(Fixtures.id(2)))
        let p = try #require(simulator.machines[n].peers.firstIndex { $0.endpoint != nil })
        let endpoint = try #require(simulator.machines[n].peers[p].endpoint)
        simulator.machines[n].peers[p].endpoint = Endpoint(address: endpoint.address, port: endpoint.port &+ 1)
        // Node 1 does not dial node 2 on its own? It does (both public): then the link still works one way
        // only if node 1 keeps it up — it has no keepalive, so node 2's packets are lost.
        let report = simulator.verify(families: [.ipv4])
        #expect(report.violations.contains { $0.contains("cannot come up") })
    }

    @Test func withoutTheRangeRoutePacketsLeaveTheNetwork() throws {
        var (plan, simulator) = try Self.simulator()
        let n = Self.index(simulator, .node(Fixtures.id(1)))
        simulator.machines[n].wireGuardRoutes.removeAll { $0 == plan.network.ipv4Range }
        let report = simulator.verify(families: [.ipv4])
        #expect(report.violations.contains { $0.contains("no route to") })
    }

    @Test func aLaptopReachesEveryNodeAndBack() throws {
        let (plan, simulator) = try Self.simulator()
        let laptop = Self.index(simulator, .access("laptop"))
        let access = try #require(plan.access("laptop"))
        for node in plan.nodes {
            let n = Self.index(simulator, .node(node.id))
            for (source, destination) in [
                (IPAddress.v4(access.address), node.subnet.offset(10)),
                (.v6(access.ipv6Address), node.ipv6Subnet.offset(10)),
            ] {
                let there = simulator.send(from: laptop, source: source, to: destination)
                #expect(there.outcome == .delivered(n))
                #expect(
                    there.path.first == laptop
                        && there.path.dropFirst().first == Self.index(simulator, .node(access.accessNode)))
                let back = simulator.send(from: n, source: destination, to: source)
                #expect(back.outcome == .delivered(laptop))
                #expect(back.path == there.path.reversed())
            }
        }
    }

    @Test func threeHundredNodesMostlyHiddenAreCheckedPairByPair() throws {
        var topology = Topology(seed: 300)
        let spec = topology.spec(count: 300, hiddenShare: 0.8, maxAccesses: 0)
        let plan = try NetworkPlanner.plan(spec)
        let report = try MeshSimulator(plan: plan, spec: spec).verify()
        #expect(report.violations == [])
        #expect(report.packets == 2 * 300 * 299)
        #expect(report.longestPath == 3)
    }
}

extension IPPrefix {
    /// The address `n` after the network address.
    func offset(_ n: UInt32) -> IPAddress {
        switch address {
        case .v4(let a): .v4(IPv4Address(a.value + n))
        case .v6(let a): .v6(IPv6Address(high: a.high, low: a.low + UInt64(n)))
        }
    }
}
