import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// Specs the planner refuses, each with the error that names the offending value.
@Suite struct RefusalTests {
    static let publicNode = Fixtures.publicNode(1, ipv4: "198.51.100.1")

    @Test func rangeTooSmallForTheNodes() {
        let nodes = [Self.publicNode] + (2...5).map { Fixtures.hiddenNode($0) }
        let spec = Fixtures.spec(range: "10.20.0.0/22", nodes: nodes, accesses: [Fixtures.access("laptop", 1)])
        #expect(throws: PlanError.rangeTooSmall(range: Fixtures.prefix("10.20.0.0/22"), capacity: 4, needed: 6)) {
            try NetworkPlanner.plan(spec)
        }
        #expect(
            PlanError.rangeTooSmall(range: Fixtures.prefix("10.20.0.0/22"), capacity: 4, needed: 6).description
                == "the network range 10.20.0.0/22 has 4 usable /24 subnets, but 6 are needed (one per node and per access)"
        )
    }

    @Test func slotsWhoseWireGuardAddressIsTheBlocksNetworkOrBroadcastAreSkipped() throws {
        // 10.0.0.0/24 would be 100.64.0.0 and 10.255.255.0/24 100.64.255.255.
        let spec = Fixtures.spec(
            range: "10.0.0.0/22", nodes: (1...3).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") })
        let plan = try #require(Fixtures.plan(spec))
        #expect(plan.nodes.map(\.subnet.description) == ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"])
        let full = Fixtures.spec(
            range: "10.0.0.0/22", nodes: (1...4).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") })
        #expect(throws: PlanError.rangeTooSmall(range: Fixtures.prefix("10.0.0.0/22"), capacity: 3, needed: 4)) {
            try NetworkPlanner.plan(full)
        }
    }

    @Test(arguments: ["10.0.0.0/23", "10.0.0.0/7", "fd00::/48"])
    func rangeOfTheWrongSizeOrFamily(range: String) {
        #expect(throws: PlanError.invalidRange(Fixtures.prefix(range))) {
            try NetworkPlanner.plan(Fixtures.spec(range: range, nodes: [Self.publicNode]))
        }
    }

    @Test func reservedRange() {
        #expect(
            throws: PlanError.reservedRange(
                Fixtures.prefix("100.64.0.0/10"), reserved: "the ndmz range (100.127.0.0/16)")
        ) {
            try NetworkPlanner.plan(Fixtures.spec(range: "100.64.0.0/10", nodes: [Self.publicNode]))
        }
    }

    @Test func noFreePortOnANode() {
        let used = Set(NetworkPlanner.portRange)
        let spec = Fixtures.spec(nodes: [Fixtures.publicNode(1, ipv4: "198.51.100.1", usedPorts: used)])
        #expect(throws: PlanError.noFreePort(node: Fixtures.id(1), range: NetworkPlanner.portRange)) {
            try NetworkPlanner.plan(spec)
        }
    }

    @Test func lastFreePortIsFound() throws {
        var used = Set(NetworkPlanner.portRange)
        used.remove(4242)
        let spec = Fixtures.spec(nodes: [Fixtures.publicNode(1, ipv4: "198.51.100.1", usedPorts: used)])
        let plan = try #require(Fixtures.plan(spec))
        #expect(plan.nodes[0].listenPort == 4242)
    }

    @Test func duplicates() {
        let twice = Fixtures.spec(nodes: [Self.publicNode, Self.publicNode])
        #expect(throws: PlanError.duplicateNode(Fixtures.id(1))) { try NetworkPlanner.plan(twice) }
        var sameKey = Fixtures.hiddenNode(2)
        sameKey.publicKey = Self.publicNode.publicKey
        let keys = Fixtures.spec(nodes: [Self.publicNode, sameKey])
        #expect(throws: PlanError.self) { try NetworkPlanner.plan(keys) }
        let accesses = Fixtures.spec(
            nodes: [Self.publicNode], accesses: [Fixtures.access("a", 1), Fixtures.access("a", 2)])
        #expect(throws: PlanError.duplicateAccess("a")) { try NetworkPlanner.plan(accesses) }
    }

    @Test func accessProblems() {
        let bad = Fixtures.spec(nodes: [Self.publicNode], accesses: [Fixtures.access("Alice", 1)])
        #expect(throws: PlanError.invalidAccessName("Alice")) { try NetworkPlanner.plan(bad) }
        let unknown = Fixtures.spec(nodes: [Self.publicNode], accesses: [Fixtures.access("a", 1, via: Fixtures.id(9))])
        #expect(throws: PlanError.unknownAccessNode(access: "a", node: Fixtures.id(9))) {
            try NetworkPlanner.plan(unknown)
        }
        let family = Fixtures.spec(
            nodes: [Self.publicNode], accesses: [Fixtures.access("a", 1, family: .ipv6, via: Fixtures.id(1))])
        #expect(throws: PlanError.ineligibleAccessNode(access: "a", node: Fixtures.id(1), family: .ipv6)) {
            try NetworkPlanner.plan(family)
        }
        let nobody = Fixtures.spec(nodes: [Fixtures.hiddenNode(2)], accesses: [Fixtures.access("a", 1)])
        #expect(throws: PlanError.noPublicNode(hiddenNodes: [Fixtures.id(2)], accesses: ["a"])) {
            try NetworkPlanner.plan(nobody)
        }
    }

    @Test func publicNodesWithoutACommonFamily() {
        let a = Fixtures.publicNode(1, ipv4: "198.51.100.1")
        let b = Fixtures.publicNode(2, ipv6: "2001:db8::2")
        let (first, second) = a.id < b.id ? (a.id, b.id) : (b.id, a.id)
        #expect(throws: PlanError.publicNodesCannotConnect(first, second)) {
            try NetworkPlanner.plan(Fixtures.spec(nodes: [a, b]))
        }
    }

    @Test func unusableEndpointsAndOutbound() {
        let multicast = Fixtures.publicNode(1, ipv4: "224.0.0.1")
        #expect(throws: PlanError.invalidEndpoint(node: Fixtures.id(1), address: .v4(Fixtures.v4("224.0.0.1")))) {
            try NetworkPlanner.plan(Fixtures.spec(nodes: [multicast]))
        }
        let mute = Fixtures.hiddenNode(2, outbound: [])
        #expect(throws: PlanError.noOutboundFamily(node: Fixtures.id(2))) {
            try NetworkPlanner.plan(Fixtures.spec(nodes: [Self.publicNode, mute]))
        }
    }

    @Test func previousPlanOfAnotherNetwork() throws {
        let spec = Fixtures.spec(nodes: [Self.publicNode])
        let plan = try #require(Fixtures.plan(spec))
        var other = spec
        other.name = Fixtures.name("elsewhere")
        #expect(throws: PlanError.previousPlanOfAnotherNetwork(expected: other.networkID, found: spec.networkID)) {
            try NetworkPlanner.plan(other, previous: PreviousPlan(plan))
        }
    }
}
