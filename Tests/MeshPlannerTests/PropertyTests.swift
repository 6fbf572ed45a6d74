import MeshPlanner
import PropertyBased
import Testing
import ZmeshCrypto
import ZmeshModel

/// Properties over random topologies: 1–300 nodes, 0–80 % hidden, IPv4-only, dual-stack and IPv6-only
/// public nodes, hidden nodes dialling either family, ports in use, user accesses, random ranges, and
/// random previous plans. Each case is built from one seed, which the failure message names (shrinking
/// is off: a smaller seed is not a smaller topology, only a different one).
@Suite(.shrinking(false)) struct PropertyTests {
    /// A node count in 1...300, most of them small (the simulation of every pair costs n²).
    static func size(_ rng: inout SplitMix64) -> Int {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: Int.random(in: 150...300, using: &rng)
        case 1, 2, 3: Int.random(in: 30...150, using: &rng)
        default: Int.random(in: 1...30, using: &rng)
        }
    }

    @Test func randomTopologiesAreReachableExclusiveAndValid() async {
        await propertyCheck(count: 16, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var topology = Topology(seed: seed)
            let spec = topology.spec(count: Self.size(&rng), hiddenShare: Double.random(in: 0...0.8, using: &rng))
            guard let plan = Fixtures.plan(spec) else { return }
            let problems = Fixtures.problems(plan, spec)
            #expect(problems == [], "seed \(seed): \(spec.nodes.count) nodes")
        }
    }

    @Test func addingAndRemovingNodesChangesOnlyWhatMust() async {
        await propertyCheck(count: 16, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var topology = Topology(seed: seed)
            let hiddenShare = Double.random(in: 0...0.8, using: &rng)
            let first = topology.spec(count: Self.size(&rng), hiddenShare: hiddenShare)
            guard let old = Fixtures.plan(first) else { return }
            let second = topology.changed(first, hiddenShare: hiddenShare)
            guard let new = Fixtures.plan(second, previous: PreviousPlan(old)) else { return }
            #expect(PlanComparison.unexplainedChanges(old: old, new: new) == [], "seed \(seed)")
            #expect(Fixtures.problems(new, second, simulate: second.nodes.count <= 120) == [], "seed \(seed)")
            // Planning the same update again from the new plan changes nothing at all.
            guard let again = Fixtures.plan(second, previous: PreviousPlan(new)) else { return }
            #expect(again.nodes == new.nodes && again.accesses == new.accesses, "seed \(seed)")
            #expect(again.notes == [], "seed \(seed)")
        }
    }

    @Test func arbitraryPreviousPlansStillGiveValidPlansAndKeepWhatTheyCan() async {
        await propertyCheck(count: 16, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var topology = Topology(seed: seed)
            let spec = topology.spec(
                count: Int.random(in: 1...80, using: &rng), hiddenShare: Double.random(in: 0...0.8, using: &rng))
            let previous = Self.randomPrevious(for: spec, using: &rng)
            guard let plan = Fixtures.plan(spec, previous: previous) else { return }
            #expect(Fixtures.problems(plan, spec) == [], "seed \(seed)")
            var claims: [IPPrefix: Int] = [:]
            for node in previous.nodes { claims[node.subnet, default: 0] += 1 }
            for access in previous.accesses { claims[access.subnet, default: 0] += 1 }
            let byID = Dictionary(previous.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let specByID = Dictionary(spec.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for node in plan.nodes {
                guard let before = byID[node.id], let facts = specByID[node.id] else { continue }
                if before.listenPort >= 1024, !facts.usedPorts.contains(before.listenPort) {
                    #expect(node.listenPort == before.listenPort, "seed \(seed): port of \(node.id)")
                }
                if claims[before.subnet] == 1, Self.isUsableSlot(before.subnet, of: spec.ipv4Range) {
                    #expect(node.subnet == before.subnet, "seed \(seed): subnet of \(node.id)")
                }
                if let access = before.accessNode, let server = specByID[access], !facts.isPublic,
                    facts.dialFamilies.contains(where: { server.endpointAddress($0) != nil })
                {
                    #expect(node.accessNode == access, "seed \(seed): access node of \(node.id)")
                }
            }
        }
    }

    @Test func theSameInputsGiveTheSamePlanWhateverTheirOrder() async {
        await propertyCheck(count: 12, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var topology = Topology(seed: seed)
            var spec = topology.spec(count: Self.size(&rng), hiddenShare: Double.random(in: 0...0.8, using: &rng))
            guard let plan = Fixtures.plan(spec) else { return }
            spec.nodes.shuffle(using: &rng)
            spec.accesses.shuffle(using: &rng)
            guard let again = Fixtures.plan(spec) else { return }
            #expect(again.text() == plan.text(), "seed \(seed)")
            let previous = PreviousPlan(plan)
            var shuffled = previous
            shuffled.nodes.shuffle(using: &rng)
            #expect(
                (try? NetworkPlanner.plan(spec, previous: shuffled).text())
                    == (try? NetworkPlanner.plan(spec, previous: previous).text()), "seed \(seed)")
        }
    }

    /// A previous plan with values good and bad: subnets inside and outside the range, some claimed
    /// twice, ports in use or below 1024, access nodes that are hidden, gone or fine, nodes that left.
    static func randomPrevious(for spec: NetworkSpec, using rng: inout SplitMix64) -> PreviousPlan {
        let slots = 1 << (24 - Int(spec.ipv4Range.length))
        guard case .v4(let base) = spec.ipv4Range.address else {
            return PreviousPlan(networkID: spec.networkID, nodes: [])
        }
        func subnet() -> IPPrefix {
            let inside = Int.random(in: 0..<5, using: &rng) > 0
            let value = inside ? base.value + UInt32(Int.random(in: 0..<slots, using: &rng)) << 8 : 0xC0A8_0000
            return Fixtures.prefix("\(IPv4Address(value))/24")
        }
        let ula = UniqueLocalRange.derived(from: spec.networkID)
        func ipv6Subnet() -> IPPrefix { ula.subnet64(Int.random(in: 0..<300, using: &rng)) }
        var nodes: [PreviousPlan.Node] = []
        for node in spec.nodes where Int.random(in: 0..<10, using: &rng) < 7 {
            let access =
                Int.random(in: 0..<3, using: &rng) == 0
                ? Fixtures.id(using: &rng) : spec.nodes.randomElement(using: &rng)?.id
            let port =
                Bool.random(using: &rng)
                ? UInt16.random(in: 1...65535, using: &rng) : node.usedPorts.randomElement(using: &rng) ?? 40000
            nodes.append(
                .init(id: node.id, subnet: subnet(), ipv6Subnet: ipv6Subnet(), listenPort: port, accessNode: access))
        }
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            nodes.append(
                .init(
                    id: Fixtures.id(using: &rng), subnet: subnet(), ipv6Subnet: ipv6Subnet(), listenPort: 5000,
                    accessNode: nil))
        }
        let accesses = spec.accesses.compactMap { access -> PreviousPlan.Access? in
            guard let via = spec.nodes.randomElement(using: &rng)?.id, Bool.random(using: &rng) else { return nil }
            return .init(name: access.name, subnet: subnet(), ipv6Subnet: ipv6Subnet(), accessNode: via)
        }
        return PreviousPlan(networkID: spec.networkID, nodes: nodes, accesses: accesses)
    }

    /// Whether `subnet` is a /24 of `range` that the planner may assign.
    static func isUsableSlot(_ subnet: IPPrefix, of range: IPPrefix) -> Bool {
        guard subnet.length == 24, range.contains(subnet.address), case .v4(let a) = subnet.address else {
            return false
        }
        let wireGuard = (a.value >> 8) & 0xffff
        return wireGuard != 0 && wireGuard != 0xffff
    }
}
