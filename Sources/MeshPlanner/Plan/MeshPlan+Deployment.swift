public import Deployments
import ZmeshCrypto
import ZmeshModel

extension MeshPlan {
    /// The network part of a deployment document.
    public var deploymentNetwork: Deployment.Network {
        Deployment.Network(name: network.name.rawValue, ipv4Range: network.ipv4Range, ipv6Range: network.ipv6Range)
    }

    /// Node `index`'s part of a deployment document. The private key is the node's own, sealed to its
    /// identity by whoever holds it (`sealedPrivateKey`, base64 of 80 bytes); the planner never sees it.
    public func deploymentNode(at index: Int, sealedPrivateKey: String) -> Deployment.Node {
        let node = nodes[index]
        return Deployment.Node(
            id: node.id.rawValue, subnet: node.subnet.description, ipv6Subnet: node.ipv6Subnet.description,
            listenPort: Int64(node.listenPort), publicKey: node.publicKey.base64, sealedPrivateKey: sealedPrivateKey,
            peers: peers(ofNodeAt: index).map {
                Deployment.Peer(
                    publicKey: $0.publicKey, allowedIPs: $0.allowedIPs, endpoint: $0.endpoint,
                    persistentKeepalive: $0.persistentKeepalive == 0 ? nil : $0.persistentKeepalive)
            })
    }

    /// What deployment validation must know about ports: each node's ports in use by other networks.
    public static func validationContext(for spec: NetworkSpec) -> ValidationContext {
        var used: [IdentityID: Set<UInt16>] = [:]
        for node in spec.nodes { used[node.id] = node.usedPorts }
        return ValidationContext(usedListenPorts: used)
    }
}
