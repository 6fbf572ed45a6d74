public import Deployments
import ZmeshCrypto
import ZmeshModel

extension PreviousPlan {
    /// The plan in force, read back from the deployment in force — the signed source of truth, so a
    /// deployer needs no state of its own to update a network.
    ///
    /// Each node keeps its /24, /64 and port. A hidden node is recognised by its one peer carrying the
    /// whole network (see ``MeshPlan/peers(ofNodeAt:)``), which is its access node. A peer whose key is
    /// no node's is a user access; `accesses` (the spec's) name it by its public key, and its /24 and
    /// /64 are read from its allowed IPs. An access the spec no longer lists is dropped.
    ///
    /// - Returns: `nil` when the document is not a valid deployment (then nothing can be kept).
    public init?(deployment: Deployment, accesses: [AccessRequest]) {
        guard let document = try? deployment.validated() else { return nil }
        let ipv4Range = document.network.ipv4Range
        let ipv6Range = document.network.ipv6Range
        var nodeByKey: [WireGuardKey: IdentityID] = [:]
        for node in document.nodes { nodeByKey[node.publicKey] = node.id }
        var accessNames: [WireGuardKey: String] = [:]
        for access in accesses { accessNames[access.publicKey] = access.name }

        var nodes: [Node] = []
        var keptAccesses: [Access] = []
        for node in document.nodes {
            let peers = node.peers
            var accessNode: IdentityID?
            if peers.count == 1, let only = peers.first, only.allowedIPs.contains(ipv4Range) {
                accessNode = nodeByKey[only.publicKey]
            }
            nodes.append(
                Node(
                    id: node.id, subnet: node.subnet, ipv6Subnet: node.ipv6Subnet, listenPort: node.listenPort,
                    accessNode: accessNode))
            for peer in peers where nodeByKey[peer.publicKey] == nil {
                guard let name = accessNames[peer.publicKey],
                    let subnet = peer.allowedIPs.first(where: { $0.length == 24 && ipv4Range.contains($0.address) }),
                    let ipv6Subnet = peer.allowedIPs.first(where: { $0.length == 64 && ipv6Range.contains($0.address) })
                else { continue }
                keptAccesses.append(Access(name: name, subnet: subnet, ipv6Subnet: ipv6Subnet, accessNode: node.id))
            }
        }
        self.init(networkID: document.network.id, nodes: nodes, accesses: keptAccesses)
    }
}
