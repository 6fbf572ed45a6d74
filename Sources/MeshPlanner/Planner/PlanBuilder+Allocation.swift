import Deployments
import ZmeshCrypto
import ZmeshModel

extension PlanBuilder {
    /// The /24 slot of every node and access: the previous one when it is still a free, usable /24 of
    /// the range; otherwise the lowest free slot (nodes by id first, then accesses by name) — but not one
    /// that this update frees (a removed member's), unless the range has no other: peers still holding
    /// the removed member's entry until they apply the update would send the newcomer's traffic there.
    mutating func ipv4Slots() throws(PlanError) -> (nodes: [Int], accesses: [Int]) {
        var slots = SubnetSlots(range: network.ipv4Range)
        let needed = nodes.count + accesses.count
        let capacity = slots.usableCount
        guard needed <= capacity else {
            throw .rangeTooSmall(range: network.ipv4Range, capacity: capacity, needed: needed)
        }
        func keep(_ previous: IPPrefix?) -> Int? {
            guard let previous, let slot = slots.slot(of: previous), slots.claim(slot) else { return nil }
            return slot
        }
        var nodeSlots = previousNodes.map { keep($0?.subnet) }
        var accessSlots = previousAccesses.map { keep($0?.subnet) }
        var quarantined = freedSubnets.compactMap(keep)
        func claim() -> Int? {
            if let slot = slots.claimLowestFree() { return slot }
            for slot in quarantined { slots.release(slot) }
            quarantined = []
            return slots.claimLowestFree()
        }
        for i in nodes.indices where nodeSlots[i] == nil {
            nodeSlots[i] = claim()
            note(previousNodes[i]?.subnet, label(node: i), "subnet", now: nodeSlots[i].map(slots.subnet))
        }
        for l in accesses.indices where accessSlots[l] == nil {
            accessSlots[l] = claim()
            note(previousAccesses[l]?.subnet, label(access: l), "subnet", now: accessSlots[l].map(slots.subnet))
        }
        return (nodeSlots.compactMap { $0 }, accessSlots.compactMap { $0 })
    }

    /// The /64 subnet id of every node and access: the previous one when it is still a free /64 of the
    /// range; otherwise the one numbered like the member's /24 slot, or the lowest free one (the /64s
    /// this update frees are avoided as the /24s are; the /48 has room for every /24 of any range).
    mutating func ipv6Slots(nodeSlots: [Int], accessSlots: [Int]) -> (nodes: [Int], accesses: [Int]) {
        var slots = IPv6Slots(range: network.ipv6Range)
        func keep(_ previous: IPPrefix?) -> Int? {
            guard let previous, let slot = slots.slot(of: previous), slots.claim(slot) else { return nil }
            return slot
        }
        var nodeV6 = previousNodes.map { keep($0?.ipv6Subnet) }
        var accessV6 = previousAccesses.map { keep($0?.ipv6Subnet) }
        _ = freedIPv6Subnets.compactMap(keep)
        for i in nodes.indices where nodeV6[i] == nil {
            nodeV6[i] = slots.claim(nodeSlots[i]) ? nodeSlots[i] : slots.claimLowestFree()
            note(previousNodes[i]?.ipv6Subnet, label(node: i), "IPv6 subnet", now: nodeV6[i].map(slots.subnet))
        }
        for l in accesses.indices where accessV6[l] == nil {
            accessV6[l] = slots.claim(accessSlots[l]) ? accessSlots[l] : slots.claimLowestFree()
            note(
                previousAccesses[l]?.ipv6Subnet, label(access: l), "IPv6 subnet", now: accessV6[l].map(slots.subnet))
        }
        return (nodeV6.compactMap { $0 }, accessV6.compactMap { $0 })
    }

    /// Every node's listen port: the previous one unless the node now reports it in use; otherwise the
    /// first free port of ``NetworkPlanner/portRange`` from a start given by a stable hash of the
    /// network and node ids (so that two networks planned at once on one node rarely pick the same).
    mutating func listenPorts() throws(PlanError) -> [UInt16] {
        let range = NetworkPlanner.portRange
        let span = Int(range.upperBound - range.lowerBound) + 1
        var ports: [UInt16] = []
        ports.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            if let previous = previousNodes[i]?.listenPort, previous >= 1024, !node.usedPorts.contains(previous) {
                ports.append(previous)
                continue
            }
            let start = Int(StableHash.fnv1a(network.id.rawValue, node.id.rawValue) % UInt64(span))
            var chosen: UInt16?
            for k in 0..<span {
                let port = range.lowerBound + UInt16((start + k) % span)
                if !node.usedPorts.contains(port) {
                    chosen = port
                    break
                }
            }
            guard let chosen else { throw .noFreePort(node: node.id, range: range) }
            if let previous = previousNodes[i]?.listenPort {
                notes.append("\(label(node: i)): port \(previous) is in use on the node; now \(chosen)")
            }
            ports.append(chosen)
        }
        return ports
    }

    /// The access node of every hidden node (`nil` for public nodes) and of every access.
    mutating func accessNodes() throws(PlanError) -> (nodes: [Int?], accesses: [Int]) {
        let assignment = AccessAssignment(nodes: nodes)
        var members: [AccessAssignment.Member] = []
        var hiddenIndices: [Int] = []
        for (i, node) in nodes.enumerated() where !node.isPublic {
            hiddenIndices.append(i)
            members.append(
                .init(
                    label: label(node: i), hashKey: node.id.rawValue, families: node.dialFamilies.sorted(),
                    pinned: nil, previous: previousNodes[i]?.accessNode.flatMap { nodeIndex[$0] }))
        }
        for (l, access) in accesses.enumerated() {
            var pinned: Int?
            if let id = access.accessNode {
                guard let index = nodeIndex[id] else { throw .unknownAccessNode(access: access.name, node: id) }
                guard assignment.isEligible(index, for: [access.family]) else {
                    throw .ineligibleAccessNode(access: access.name, node: id, family: access.family)
                }
                pinned = index
            }
            members.append(
                .init(
                    label: label(access: l), hashKey: "access\u{0}" + access.name, families: [access.family],
                    pinned: pinned, previous: previousAccesses[l].flatMap { nodeIndex[$0.accessNode] }))
        }
        let choices = try assignment.assign(members)
        var nodeAccess = [Int?](repeating: nil, count: nodes.count)
        for (m, i) in hiddenIndices.enumerated() {
            nodeAccess[i] = choices[m]
            noteAccessNode(previousNodes[i]?.accessNode, label(node: i), now: choices[m])
        }
        let accessAccess = Array(choices[hiddenIndices.count...])
        for (l, choice) in accessAccess.enumerated() {
            noteAccessNode(previousAccesses[l]?.accessNode, label(access: l), now: choice)
        }
        return (nodeAccess, accessAccess)
    }

    /// The /24s of previous members that are not in the spec any more.
    var freedSubnets: [IPPrefix] { removedPrevious.map(\.subnet) }

    /// The /64s of previous members that are not in the spec any more.
    var freedIPv6Subnets: [IPPrefix] { removedPrevious.map(\.ipv6Subnet) }

    /// Notes a value that could not be kept, or a member that is new.
    private mutating func note(_ previous: IPPrefix?, _ member: String, _ what: String, now: IPPrefix?) {
        guard hasPrevious, let now else { return }
        if let previous {
            notes.append("\(member): \(what) \(previous) could not be kept (outside the range or taken); now \(now)")
        } else if what == "subnet" {
            notes.append("\(member): new, \(what) \(now)")
        }
    }

    /// Notes an access node that changed.
    private mutating func noteAccessNode(_ previous: IdentityID?, _ member: String, now index: Int) {
        let now = nodes[index].id
        guard hasPrevious, let previous, previous != now else { return }
        notes.append(
            "\(member): access node \(previous) is gone or has no endpoint it can dial; now \(now)")
    }
}
