public import ZmeshCrypto
import ZmeshModel

/// What every node of a network must configure, and the user accesses: the planner's output.
///
/// Nodes are sorted by id and accesses by name; peer lists are derived on demand by ``peers(of:)`` in
/// a fixed order, so the same inputs always give the same values and the same text.
public struct MeshPlan: Sendable {
    /// The network: names, id, ranges.
    public let network: PlannedNetwork
    /// Every node's network resource, sorted by id.
    public let nodes: [PlannedNode]
    /// The user accesses, sorted by name.
    public let accesses: [PlannedAccess]
    /// What changed against the previous plan and why (new and removed nodes, subnets, ports or access
    /// nodes that had to change), in a fixed order; empty without a previous plan.
    public let notes: [String]

    let nodeIndex: [IdentityID: Int]
    let accessIndex: [String: Int]
    /// For each node, the allowed IPs of every peer entry that stands for it: its own prefixes, plus
    /// for an access node those of the hidden nodes and accesses it serves.
    let carriedPrefixes: [[IPPrefix]]
    /// Indices of the public nodes, in id order.
    let publicNodeIndices: [Int]
    /// For each node, the indices of the hidden nodes it serves.
    let servedNodeIndices: [[Int]]
    /// For each node, the indices of the accesses it serves.
    let servedAccessIndices: [[Int]]

    init(
        network: PlannedNetwork, nodes: [PlannedNode], accesses: [PlannedAccess], notes: [String],
        servedNodeIndices: [[Int]], servedAccessIndices: [[Int]]
    ) {
        self.network = network
        self.nodes = nodes
        self.accesses = accesses
        self.notes = notes
        self.servedNodeIndices = servedNodeIndices
        self.servedAccessIndices = servedAccessIndices
        var nodeIndex: [IdentityID: Int] = [:]
        nodeIndex.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() { nodeIndex[node.id] = i }
        self.nodeIndex = nodeIndex
        var accessIndex: [String: Int] = [:]
        for (i, access) in accesses.enumerated() { accessIndex[access.name] = i }
        self.accessIndex = accessIndex
        publicNodeIndices = nodes.indices.filter { nodes[$0].isPublic }
        carriedPrefixes = nodes.indices.map { i in
            var prefixes = nodes[i].ownPrefixes
            for h in servedNodeIndices[i] { prefixes += nodes[h].ownPrefixes }
            for a in servedAccessIndices[i] { prefixes += accesses[a].ownPrefixes }
            return prefixes
        }
    }

    /// The node with id `id`, if the network spans it.
    public func node(_ id: IdentityID) -> PlannedNode? { nodeIndex[id].map { nodes[$0] } }

    /// The position of node `id` in ``nodes``.
    public func index(of id: IdentityID) -> Int? { nodeIndex[id] }

    /// The access named `name`, if there is one.
    public func access(_ name: String) -> PlannedAccess? { accessIndex[name].map { accesses[$0] } }

    /// The public nodes, by id.
    public var publicNodes: [PlannedNode] { publicNodeIndices.map { nodes[$0] } }

    /// The hidden nodes, by id.
    public var hiddenNodes: [PlannedNode] { nodes.filter { !$0.isPublic } }

    /// The number of peer entries over all nodes (what the whole plan configures).
    public var peerEntryCount: Int {
        let publicCount = publicNodeIndices.count
        let hiddenCount = nodes.count - publicCount
        // Each public node: every other public node; each hidden node and access: one entry on both sides.
        return publicCount * max(publicCount - 1, 0) + 2 * hiddenCount + accesses.count
    }
}
