import MeshPlanner
import ZmeshCrypto
import ZmeshModel

/// What may change between a plan and the next one, and what did.
enum PlanComparison {
    /// Every change from `old` to `new` that adding and removing nodes and accesses does not explain.
    ///
    /// Nodes in both keep their /24, /64 and port; hidden nodes keep their access node unless it was
    /// removed; accesses in both keep their subnets and access node unless it was removed. A peer entry
    /// of a node in both plans may differ only if it stands for an added, removed or moved member, for a
    /// node whose endpoints or role changed, for an access node whose set of served members changed, or if
    /// it belongs to a hidden node that moved or a node whose endpoints or role changed.
    static func unexplainedChanges(old: MeshPlan, new: MeshPlan) -> [String] {
        var problems: [String] = []
        var moved: Set<PlannedPeer.Target> = []
        var reconfigured: Set<IdentityID> = []
        for node in new.nodes {
            guard let before = old.node(node.id) else {
                moved.insert(.node(node.id))
                continue
            }
            if node.subnet != before.subnet || node.ipv6Subnet != before.ipv6Subnet
                || node.listenPort != before.listenPort
            {
                problems.append("node \(node.id): subnet, IPv6 subnet or port changed")
            }
            if node.endpoints != before.endpoints || node.isPublic != before.isPublic {
                // New addresses or a new role: every entry for the node, and the node's own, may change.
                moved.insert(.node(node.id))
                reconfigured.insert(node.id)
            }
            if node.accessNode != before.accessNode {
                moved.insert(.node(node.id))
                if let previous = before.accessNode, node.accessNode != nil,
                    let server = new.node(previous), node.dialFamilies.contains(where: { server.endpoint($0) != nil })
                {
                    problems.append("hidden node \(node.id) moved from \(previous), which is still there")
                }
            }
        }
        for node in old.nodes where new.node(node.id) == nil { moved.insert(.node(node.id)) }
        for access in new.accesses {
            guard let before = old.access(access.name) else {
                moved.insert(.access(access.name))
                continue
            }
            if access.subnet != before.subnet || access.ipv6Subnet != before.ipv6Subnet {
                problems.append("access '\(access.name)': subnets changed")
            }
            if access.accessNode != before.accessNode {
                moved.insert(.access(access.name))
                if new.node(before.accessNode)?.endpoint(access.family) != nil {
                    problems.append("access '\(access.name)' moved from \(before.accessNode), which is still there")
                }
            }
        }
        for access in old.accesses where new.access(access.name) == nil { moved.insert(.access(access.name)) }
        var servingChanged: Set<PlannedPeer.Target> = []
        for node in new.nodes {
            guard let before = old.node(node.id) else { continue }
            if node.servedNodes != before.servedNodes || node.servedAccesses != before.servedAccesses {
                servingChanged.insert(.node(node.id))
            }
        }
        for (i, node) in new.nodes.enumerated() {
            guard let j = old.index(of: node.id), !reconfigured.contains(node.id),
                !moved.contains(.node(node.id)) || node.isPublic
            else { continue }
            var before: [PlannedPeer.Target: PlannedPeer] = [:]
            for peer in old.peers(ofNodeAt: j) { before[peer.target] = peer }
            var after: [PlannedPeer.Target: PlannedPeer] = [:]
            for peer in new.peers(ofNodeAt: i) { after[peer.target] = peer }
            for target in Set(before.keys).union(after.keys) {
                let a = before[target]
                let b = after[target]
                if a == b || moved.contains(target) || servingChanged.contains(target) { continue }
                problems.append("node \(node.id): the entry for \(target) changed without cause")
            }
        }
        return problems
    }
}
