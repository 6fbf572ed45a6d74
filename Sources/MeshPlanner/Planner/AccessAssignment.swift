import ZmeshCrypto

/// Chooses the access node of every hidden node and user access.
///
/// Rules, in order: an access's chosen access node (validated before); the previous access node while
/// it is still a public node with an endpoint in a family the member dials; otherwise the eligible
/// public node with the fewest members so far, ties broken by the highest rendezvous score
/// `mix(fnv(member) ^ fnv(node))`. Members choose in a fixed order — those with the fewest eligible
/// nodes first, then hidden nodes by id before accesses by name — so the result is deterministic; a
/// member only moves when its access node goes away or stops being eligible, so adding or removing
/// nodes moves nobody else.
struct AccessAssignment {
    /// One hidden node or access to place.
    struct Member {
        /// "hidden node <id>" or "access '<name>'", for messages.
        let label: String
        /// The key the rendezvous hash is computed from.
        let hashKey: String
        /// The families the member dials over.
        let families: [IPFamily]
        /// A node index fixed by the user (accesses only).
        let pinned: Int?
        /// The node index of the previous access node, if it is still in the network.
        let previous: Int?
    }

    let nodes: [NodeSpec]
    let publicIndices: [Int]
    private let nodeHashes: [UInt64]

    init(nodes: [NodeSpec]) {
        self.nodes = nodes
        publicIndices = nodes.indices.filter { nodes[$0].isPublic }
        nodeHashes = nodes.map { StableHash.fnv1a($0.id.rawValue) }
    }

    /// Whether node `index` can serve a member dialling over `families`.
    func isEligible(_ index: Int, for families: [IPFamily]) -> Bool {
        nodes[index].isPublic && families.contains { nodes[index].endpointAddress($0) != nil }
    }

    /// The node index chosen for each member.
    func assign(_ members: [Member]) throws(PlanError) -> [Int] {
        var load = [Int](repeating: 0, count: nodes.count)
        var choices = [Int?](repeating: nil, count: members.count)
        for (m, member) in members.enumerated() {
            if let pinned = member.pinned {
                choices[m] = pinned
            } else if let previous = member.previous, isEligible(previous, for: member.families) {
                choices[m] = previous
            }
            if let choice = choices[m] { load[choice] += 1 }
        }
        var candidatesByMask: [Int: [Int]] = [:]
        func candidates(_ member: Member) -> [Int] {
            let mask = PlanBuilder.familyMask(member.families)
            if let list = candidatesByMask[mask] { return list }
            let list = publicIndices.filter { isEligible($0, for: member.families) }
            candidatesByMask[mask] = list
            return list
        }
        // The most constrained members choose first (fewest eligible nodes, then in member order), so
        // that members with one possible access node do not find it full of members that had a choice.
        let open = members.indices.filter { choices[$0] == nil }
            .map { (m: $0, count: candidates(members[$0]).count) }
            .sorted { ($0.count, $0.m) < ($1.count, $1.m) }
        for (m, _) in open {
            let member = members[m]
            let candidates = candidates(member)
            guard let first = candidates.first else {
                throw .noAccessNode(member: member.label, families: member.families)
            }
            let memberHash = StableHash.fnv1a(member.hashKey)
            var best = first
            var bestScore = StableHash.mix(memberHash ^ nodeHashes[best])
            for c in candidates.dropFirst() {
                guard load[c] <= load[best] else { continue }
                let score = StableHash.mix(memberHash ^ nodeHashes[c])
                if load[c] < load[best] || score > bestScore {
                    best = c
                    bestScore = score
                }
            }
            choices[m] = best
            load[best] += 1
        }
        return choices.compactMap { $0 }
    }
}
