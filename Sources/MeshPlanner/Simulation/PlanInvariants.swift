import Deployments
import ZmeshModel

/// The structural invariants of a plan, checked on its output alone (the simulator checks behaviour).
public enum PlanInvariants {
    /// Every violation found, one line each; empty when the plan holds them all:
    /// - every node's and access's /24 is a distinct /24 of the range, its /64 a distinct /64 of the
    ///   /48, and the WireGuard addresses are distinct;
    /// - on every node, no allowed IP is on two peers (WireGuard would silently move it), no key on two
    ///   peers, no peer has the node's own key, no allowed IP lies inside the node's own subnets;
    /// - a hidden node has exactly one peer: its access node, a public node, with an endpoint and a 25 s
    ///   keepalive;
    /// - a public node has an entry for every other public node;
    /// - an access's access node is public and has an endpoint in the access's family.
    public static func violations(of plan: MeshPlan) -> [String] {
        var problems: [String] = []
        checkAddresses(plan, &problems)
        let publicKeys = Set(plan.publicNodes.map(\.publicKey))
        for (i, node) in plan.nodes.enumerated() {
            let peers = plan.peers(ofNodeAt: i)
            var prefixes: [IPPrefix: Int] = [:]
            var keys: Set<WireGuardKey> = []
            for (p, peer) in peers.enumerated() {
                if peer.publicKey == node.publicKey { problems.append("node \(node.id): a peer has its own key") }
                if !keys.insert(peer.publicKey).inserted {
                    problems.append("node \(node.id): key \(peer.publicKey) is on two peers")
                }
                for prefix in peer.allowedIPs {
                    if let other = prefixes.updateValue(p, forKey: prefix) {
                        problems.append(
                            "node \(node.id): \(prefix) is on \(peers[other].target) and \(peer.target)")
                    }
                    if [node.subnet, node.ipv6Subnet].contains(where: { inside(prefix, $0) }) {
                        problems.append("node \(node.id): \(prefix) on \(peer.target) is inside its own subnets")
                    }
                }
            }
            if node.isPublic {
                let missing = publicKeys.subtracting(keys).subtracting([node.publicKey])
                if !missing.isEmpty {
                    problems.append("public node \(node.id): no entry for \(missing.count) other public nodes")
                }
            } else {
                let access = node.accessNode.flatMap(plan.node)
                if peers.count != 1 || access == nil || access?.isPublic != true || peers.first?.endpoint == nil
                    || peers.first?.persistentKeepalive != MeshPlan.keepaliveSeconds
                    || peers.first?.publicKey != access?.publicKey
                {
                    problems.append(
                        "hidden node \(node.id): expected one peer, its public access node, with an endpoint and "
                            + "a \(MeshPlan.keepaliveSeconds) s keepalive")
                }
            }
        }
        for access in plan.accesses {
            guard let node = plan.node(access.accessNode), node.endpoint(access.family) != nil else {
                problems.append(
                    "access '\(access.name)': access node \(access.accessNode) has no \(access.family) endpoint")
                continue
            }
        }
        return problems
    }

    private static func checkAddresses(_ plan: MeshPlan, _ problems: inout [String]) {
        var subnets: Set<IPPrefix> = []
        var addresses: Set<IPv4Address> = []
        let members: [(String, IPPrefix, IPPrefix, IPv4Address)] =
            plan.nodes.map { ("node \($0.id)", $0.subnet, $0.ipv6Subnet, $0.wireGuardAddress) }
            + plan.accesses.map { ("access '\($0.name)'", $0.subnet, $0.ipv6Subnet, $0.address) }
        for (label, subnet, ipv6Subnet, address) in members {
            if subnet.length != 24 || !inside(subnet, plan.network.ipv4Range) {
                problems.append("\(label): \(subnet) is not a /24 of \(plan.network.ipv4Range)")
            }
            if ipv6Subnet.length != 64 || !inside(ipv6Subnet, plan.network.ipv6Range) {
                problems.append("\(label): \(ipv6Subnet) is not a /64 of \(plan.network.ipv6Range)")
            }
            if !subnets.insert(subnet).inserted || !subnets.insert(ipv6Subnet).inserted {
                problems.append("\(label): its subnets are not its own")
            }
            if !addresses.insert(address).inserted || !ReservedRanges.wireGuardAddresses.contains(.v4(address)) {
                problems.append("\(label): WireGuard address \(address) is taken or outside 100.64.0.0/16")
            }
        }
    }

    /// Whether `inner` lies entirely inside `outer`.
    static func inside(_ inner: IPPrefix, _ outer: IPPrefix) -> Bool {
        inner.isIPv4 == outer.isIPv4 && inner.length >= outer.length && outer.contains(inner.address)
    }
}
