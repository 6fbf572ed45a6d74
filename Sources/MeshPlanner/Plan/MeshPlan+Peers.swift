import ZmeshCrypto
public import ZmeshModel

extension MeshPlan {
    /// The keepalive a hidden node (or a user access) sends to its access node, and a node that dials
    /// a peer which cannot dial back: often enough to keep NAT mappings open.
    public static let keepaliveSeconds: UInt16 = 25

    /// The WireGuard peers of `node`, in a fixed order.
    ///
    /// - A hidden node has one peer, its access node, with the whole network as allowed IPs
    ///   (``PlannedNetwork/wholeNetwork``), the access node's endpoint and a 25 s keepalive.
    /// - A public node has every other public node (by id) with that node's carried prefixes (its own,
    ///   plus the hidden nodes and accesses it serves) and an endpoint it can dial; then the hidden nodes
    ///   it serves (by id) and the accesses it serves (by name), each with its own prefixes and no
    ///   endpoint.
    public func peers(of node: PlannedNode) -> [PlannedPeer] {
        guard let index = nodeIndex[node.id] else { return [] }
        return peers(ofNodeAt: index)
    }

    /// The WireGuard peers of the node at `index` in ``nodes`` (see ``peers(of:)``).
    public func peers(ofNodeAt index: Int) -> [PlannedPeer] {
        let node = nodes[index]
        guard node.isPublic else {
            guard let accessID = node.accessNode, let a = nodeIndex[accessID] else { return [] }
            let access = nodes[a]
            return [
                PlannedPeer(
                    target: .node(access.id), publicKey: access.publicKey, allowedIPs: network.wholeNetwork,
                    endpoint: Self.endpoint(of: access, dialledBy: node.dialFamilies),
                    persistentKeepalive: Self.keepaliveSeconds)
            ]
        }
        var peers: [PlannedPeer] = []
        peers.reserveCapacity(
            publicNodeIndices.count - 1 + servedNodeIndices[index].count + servedAccessIndices[index].count)
        for p in publicNodeIndices where p != index {
            let other = nodes[p]
            let endpoint = Self.endpoint(of: other, dialledBy: node.dialFamilies)
            let dialledBack = Self.endpoint(of: node, dialledBy: other.dialFamilies) != nil
            peers.append(
                PlannedPeer(
                    target: .node(other.id), publicKey: other.publicKey, allowedIPs: carriedPrefixes[p],
                    endpoint: endpoint, persistentKeepalive: endpoint != nil && !dialledBack ? Self.keepaliveSeconds : 0
                ))
        }
        for h in servedNodeIndices[index] {
            let hidden = nodes[h]
            peers.append(
                PlannedPeer(
                    target: .node(hidden.id), publicKey: hidden.publicKey, allowedIPs: carriedPrefixes[h],
                    endpoint: nil, persistentKeepalive: 0))
        }
        for a in servedAccessIndices[index] {
            let access = accesses[a]
            peers.append(
                PlannedPeer(
                    target: .access(access.name), publicKey: access.publicKey, allowedIPs: access.ownPrefixes,
                    endpoint: nil, persistentKeepalive: 0))
        }
        return peers
    }

    /// The WireGuard device configuration of node `index` (without a private key: the node holds it).
    public func deviceConfiguration(ofNodeAt index: Int) -> DeviceConfiguration {
        DeviceConfiguration(listenPort: nodes[index].listenPort, peers: peers(ofNodeAt: index).map(\.configuration))
    }

    /// `target`'s endpoint in the first family (IPv4 first) that a node dialling over `families` can use.
    static func endpoint(of target: PlannedNode, dialledBy families: [IPFamily]) -> Endpoint? {
        target.endpoints.first { families.contains(IPFamily(of: $0.address)) }
    }
}
