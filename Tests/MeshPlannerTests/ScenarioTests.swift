import Deployments
import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// The named scenarios of the issue, each planned, checked against the invariants and the deployment
/// validator, and simulated packet by packet.
@Suite struct ScenarioTests {
    @Test func allPublicNodesAreFullyMeshedWithDirectEndpoints() throws {
        let nodes = (1...6).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") }
        let spec = Fixtures.spec(nodes: nodes)
        let plan = try #require(Fixtures.plan(spec))
        #expect(Fixtures.problems(plan, spec) == [])
        for (i, node) in plan.nodes.enumerated() {
            let peers = plan.peers(ofNodeAt: i)
            #expect(peers.count == 5)
            #expect(peers.allSatisfy { $0.endpoint != nil && $0.persistentKeepalive == 0 && $0.allowedIPs.count == 3 })
            #expect(node.accessNode == nil && node.servedNodes.isEmpty)
        }
        #expect(plan.nodes.map(\.subnet.description) == (0...5).map { "10.20.\($0).0/24" })
        #expect(plan.nodes.map(\.wireGuardAddress.description) == (0...5).map { "100.64.20.\($0)" })
        #expect(plan.nodes.map(\.ipv6Subnet) == (0...5).map { plan.network.ipv6Range.subnet64($0) })
    }

    @Test func onePublicNodeServesManyHiddenNodes() throws {
        let nodes = [Fixtures.publicNode(1, ipv4: "198.51.100.1")] + (2...41).map { Fixtures.hiddenNode($0) }
        let spec = Fixtures.spec(nodes: nodes, accesses: [Fixtures.access("alice-laptop", 1)])
        let plan = try #require(Fixtures.plan(spec))
        #expect(Fixtures.problems(plan, spec) == [])
        let access = try #require(plan.publicNodes.first)
        #expect(access.servedNodes.count == 40)
        #expect(access.servedAccesses == ["alice-laptop"])
        let accessIndex = try #require(plan.index(of: access.id))
        #expect(plan.peers(ofNodeAt: accessIndex).count == 41)
        for hidden in plan.hiddenNodes {
            let peers = plan.peers(of: hidden)
            #expect(peers.count == 1)
            #expect(peers.first?.allowedIPs == plan.network.wholeNetwork)
            #expect(peers.first?.persistentKeepalive == 25)
            #expect(peers.first?.endpoint?.description == "198.51.100.1:\(access.listenPort)")
        }
        let report = try MeshSimulator(plan: plan, spec: spec).verify()
        #expect(report.isClean)
        #expect(report.longestPath == 2)  // hidden → access node → hidden
        #expect(report.packets == 2 * (41 * 40 + 2 * 41))
    }

    @Test func hiddenOnlyNetworkIsRefused() {
        let spec = Fixtures.spec(nodes: (1...3).map { Fixtures.hiddenNode($0) })
        #expect(throws: PlanError.noPublicNode(hiddenNodes: spec.nodes.map(\.id).sorted(), accesses: [])) {
            try NetworkPlanner.plan(spec)
        }
    }

    @Test func ipv6OnlyPublicNodesServeNoIPv4OnlyHiddenNode() throws {
        let nodes =
            [
                Fixtures.publicNode(1, ipv6: "2001:db8::1", outbound: [.ipv4, .ipv6]),
                Fixtures.publicNode(2, ipv6: "2001:db8::2", outbound: [.ipv4, .ipv6]),
                Fixtures.publicNode(3, ipv6: "2001:db8::3", outbound: [.ipv4, .ipv6]),
                Fixtures.publicNode(4, ipv4: "198.51.100.4", ipv6: "2001:db8::4"),
                Fixtures.publicNode(5, ipv4: "198.51.100.5"),
            ] + (6...20).map { Fixtures.hiddenNode($0) }
        let spec = Fixtures.spec(nodes: nodes)
        let plan = try #require(Fixtures.plan(spec))
        #expect(Fixtures.problems(plan, spec) == [])
        let ipv4Capable = Set([Fixtures.id(4), Fixtures.id(5)])
        for hidden in plan.hiddenNodes {
            #expect(hidden.accessNode.map(ipv4Capable.contains) == true)
            #expect(plan.peers(of: hidden).first?.endpoint?.address.isIPv4 == true)
        }
        // Spread, not piled on one: 15 hidden nodes over the two IPv4 nodes.
        #expect(Set(plan.hiddenNodes.compactMap(\.accessNode)).count == 2)
        // The IPv6-only node that dials IPv4 reaches the IPv4-only node and keeps the session up.
        let ipv6Only = try #require(plan.index(of: Fixtures.id(1)))
        let toIPv4Only = try #require(plan.peers(ofNodeAt: ipv6Only).first { $0.target == .node(Fixtures.id(5)) })
        #expect(toIPv4Only.endpoint?.address.isIPv4 == true && toIPv4Only.persistentKeepalive == 25)
        let ipv4Only = try #require(plan.index(of: Fixtures.id(5)))
        let back = try #require(plan.peers(ofNodeAt: ipv4Only).first { $0.target == .node(Fixtures.id(1)) })
        #expect(back.endpoint == nil && back.persistentKeepalive == 0)
    }

    @Test func ipv6OnlyPublicNodeThatCannotDialIPv4IsRefusedBesideAnIPv4OnlyNode() {
        let a = Fixtures.publicNode(1, ipv6: "2001:db8::1")
        let b = Fixtures.publicNode(2, ipv4: "198.51.100.2")
        #expect(throws: PlanError.publicNodesCannotConnect(min(a.id, b.id), max(a.id, b.id))) {
            try NetworkPlanner.plan(Fixtures.spec(nodes: [a, b, Fixtures.hiddenNode(3)]))
        }
    }

    @Test func ipv6OnlyPublicNodesAloneRefuseIPv4OnlyHiddenNodes() {
        let nodes = [
            Fixtures.publicNode(1, ipv6: "2001:db8::1"), Fixtures.publicNode(2, ipv6: "2001:db8::2"),
            Fixtures.hiddenNode(3),
        ]
        #expect(throws: PlanError.noAccessNode(member: "hidden node \(Fixtures.id(3))", families: [.ipv4])) {
            try NetworkPlanner.plan(Fixtures.spec(nodes: nodes))
        }
    }

    @Test func ipv6OnlyHiddenNodesUseIPv6AccessNodes() throws {
        let nodes =
            [
                Fixtures.publicNode(1, ipv4: "198.51.100.1"),
                Fixtures.publicNode(2, ipv4: "198.51.100.2", ipv6: "2001:db8::2"),
            ] + (3...8).map { Fixtures.hiddenNode($0, outbound: [.ipv6]) }
        let spec = Fixtures.spec(nodes: nodes)
        let plan = try #require(Fixtures.plan(spec))
        #expect(Fixtures.problems(plan, spec) == [])
        #expect(plan.hiddenNodes.allSatisfy { $0.accessNode == Fixtures.id(2) })
        #expect(plan.hiddenNodes.allSatisfy { plan.peers(of: $0).first?.endpoint?.address.isIPv4 == false })
    }

    @Test func hiddenNodesAreSpreadEvenly() throws {
        let nodes =
            (1...4).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") } + (5...44).map { Fixtures.hiddenNode($0) }
        let spec = Fixtures.spec(nodes: nodes)
        let plan = try #require(Fixtures.plan(spec))
        #expect(plan.publicNodes.map(\.servedNodes.count) == [10, 10, 10, 10])
        #expect(Fixtures.problems(plan, spec) == [])
    }

    @Test func singleNodeNeedsNoPeers() throws {
        let spec = Fixtures.spec(nodes: [Fixtures.publicNode(1, ipv4: "198.51.100.1")])
        let plan = try #require(Fixtures.plan(spec))
        #expect(plan.peers(ofNodeAt: 0) == [])
        #expect(Fixtures.problems(plan, spec) == [])
    }

    @Test func derivedIPv6RangeIsAUniqueLocalSlash48OfTheNetworkID() throws {
        let spec = Fixtures.spec(nodes: [Fixtures.publicNode(1, ipv4: "198.51.100.1")])
        let plan = try #require(Fixtures.plan(spec))
        #expect(plan.network.ipv6Range == UniqueLocalRange.derived(from: spec.networkID))
        #expect(plan.network.ipv6Range.length == 48)
        #expect(plan.network.ipv6Range.description.hasPrefix("fd"))
        let given = Fixtures.spec(ipv6Range: "fd12:3456:789a::/48", nodes: spec.nodes)
        let givenPlan = try #require(Fixtures.plan(given))
        #expect(givenPlan.nodes[0].ipv6Subnet == Fixtures.prefix("fd12:3456:789a::/64"))
    }
}

extension IPPrefix {
    /// The /64 with subnet id `n` of this /48.
    func subnet64(_ n: Int) -> IPPrefix {
        guard case .v6(let base) = address,
            let prefix = try? IPPrefix(.v6(IPv6Address(high: base.high | UInt64(n), low: 0)), length: 64)
        else { preconditionFailure("a /48") }
        return prefix
    }
}
