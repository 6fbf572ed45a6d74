import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// Updates against a previous plan, case by case (the property tests cover random ones).
@Suite struct StabilityTests {
    static let base = Fixtures.spec(
        nodes: (1...5).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") }
            + (6...15).map { Fixtures.hiddenNode($0) },
        accesses: [Fixtures.access("laptop", 1)])

    /// Per node id, the peer entries that differ between the plans (by target).
    static func changedEntries(_ old: MeshPlan, _ new: MeshPlan) -> [IdentityID: Set<PlannedPeer.Target>] {
        var changed: [IdentityID: Set<PlannedPeer.Target>] = [:]
        for node in new.nodes {
            let before = old.node(node.id).map(old.peers(of:)) ?? []
            let after = new.peers(of: node)
            let a = Dictionary(before.map { ($0.target, $0) }, uniquingKeysWith: { x, _ in x })
            let b = Dictionary(after.map { ($0.target, $0) }, uniquingKeysWith: { x, _ in x })
            let diff = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
            if !diff.isEmpty { changed[node.id] = diff }
        }
        return changed
    }

    @Test func addingAPublicNodeAddsOneEntryPerPublicNodeAndChangesNothingElse() throws {
        let old = try NetworkPlanner.plan(Self.base)
        var spec = Self.base
        spec.nodes.append(Fixtures.publicNode(16, ipv4: "198.51.100.16"))
        let new = try NetworkPlanner.plan(spec, previous: PreviousPlan(old))
        let changed = Self.changedEntries(old, new)
        let newcomer = PlannedPeer.Target.node(Fixtures.id(16))
        for node in old.publicNodes { #expect(changed[node.id] == [newcomer]) }
        #expect(old.hiddenNodes.allSatisfy { changed[$0.id] == nil })
        #expect(new.notes == ["public node \(Fixtures.id(16)): new, subnet 10.20.16.0/24"])
        #expect(Fixtures.problems(new, spec) == [])
    }

    @Test func addingAHiddenNodeTouchesOnlyItsAccessNodesEntries() throws {
        let old = try NetworkPlanner.plan(Self.base)
        var spec = Self.base
        spec.nodes.append(Fixtures.hiddenNode(16))
        let new = try NetworkPlanner.plan(spec, previous: PreviousPlan(old))
        let access = try #require(new.node(Fixtures.id(16))?.accessNode)
        let changed = Self.changedEntries(old, new)
        for node in new.publicNodes where node.id != access { #expect(changed[node.id] == [.node(access)]) }
        #expect(changed[access] == [.node(Fixtures.id(16))])
        #expect(changed[Fixtures.id(16)] == [.node(access)])
        #expect(changed.count == new.publicNodes.count + 1)
        // Least loaded: the access node served the fewest members before.
        let loads = old.publicNodes.map { $0.servedNodes.count + $0.servedAccesses.count }
        #expect(old.node(access).map { $0.servedNodes.count + $0.servedAccesses.count } == loads.min())
    }

    @Test func removingAnAccessNodeMovesOnlyItsMembers() throws {
        let old = try NetworkPlanner.plan(Self.base)
        let victim = try #require(old.publicNodes.first { !$0.servedNodes.isEmpty })
        var spec = Self.base
        spec.nodes.removeAll { $0.id == victim.id }
        let new = try NetworkPlanner.plan(spec, previous: PreviousPlan(old))
        for node in new.nodes {
            let before = try #require(old.node(node.id))
            #expect(node.subnet == before.subnet && node.listenPort == before.listenPort)
            if victim.servedNodes.contains(node.id) {
                #expect(node.accessNode != victim.id && node.accessNode != nil)
            } else {
                #expect(node.accessNode == before.accessNode)
            }
        }
        #expect(PlanComparison.unexplainedChanges(old: old, new: new) == [])
        #expect(new.notes.contains("node \(victim.id): removed"))
        #expect(Fixtures.problems(new, spec) == [])
    }

    @Test func aFreedSubnetIsNotReusedInTheSameUpdateUnlessTheRangeIsFull() throws {
        let nodes = (1...3).map { Fixtures.publicNode($0, ipv4: "198.51.100.\($0)") }
        let spec = Fixtures.spec(range: "10.20.0.0/22", nodes: nodes)
        let old = try NetworkPlanner.plan(spec)
        let leaving = old.nodes[0]
        var next = spec
        next.nodes.removeAll { $0.id == leaving.id }
        next.nodes.append(Fixtures.publicNode(4, ipv4: "198.51.100.4"))
        let new = try NetworkPlanner.plan(next, previous: PreviousPlan(old))
        let newcomer = try #require(new.node(Fixtures.id(4)))
        #expect(newcomer.subnet != leaving.subnet)
        #expect(newcomer.ipv6Subnet != leaving.ipv6Subnet)
        next.nodes.append(Fixtures.publicNode(5, ipv4: "198.51.100.5"))
        let full = try NetworkPlanner.plan(next, previous: PreviousPlan(old))
        #expect(Set(full.nodes.map(\.subnet)).contains(leaving.subnet))
    }

    @Test func aPortNowInUseMovesAndSaysSo() throws {
        let old = try NetworkPlanner.plan(Self.base)
        let node = try #require(old.node(Fixtures.id(1)))
        var spec = Self.base
        let i = try #require(spec.nodes.firstIndex { $0.id == node.id })
        spec.nodes[i].usedPorts.insert(node.listenPort)
        let new = try NetworkPlanner.plan(spec, previous: PreviousPlan(old))
        let moved = try #require(new.node(node.id))
        #expect(moved.listenPort != node.listenPort)
        #expect(
            new.notes == [
                "public node \(node.id): port \(node.listenPort) is in use on the node; now \(moved.listenPort)"
            ])
        // Everyone else keeps everything; the peers of the moved node see its new endpoint.
        let changed = Self.changedEntries(old, new)
        for other in new.nodes where other.id != node.id {
            #expect(
                changed[other.id] == (other.accessNode == nil || other.accessNode == node.id ? [.node(node.id)] : nil))
        }
    }
}
