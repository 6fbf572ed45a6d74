public import ZmeshCrypto
public import ZmeshModel

/// One WireGuard peer entry of a planned node.
public struct PlannedPeer: Sendable, Hashable {
    /// Whom a peer entry stands for.
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        /// A node of the network.
        case node(IdentityID)
        /// A user access, by name.
        case access(String)

        public var description: String {
            switch self {
            case .node(let id): "node \(id)"
            case .access(let name): "access \(name)"
            }
        }
    }

    /// Whom the entry stands for.
    public let target: Target
    /// The target's WireGuard public key.
    public let publicKey: WireGuardKey
    /// The prefixes routed to this peer and accepted from it: the target's own prefixes, plus, for an
    /// access node, those of the hidden nodes and user accesses it serves.
    public let allowedIPs: [IPPrefix]
    /// Where to reach the target; `nil` when the target dials in (hidden nodes, user accesses).
    public let endpoint: Endpoint?
    /// Seconds between keepalives; 0 is off. 25 on the dialling side of a peer that cannot dial back.
    public let persistentKeepalive: UInt16

    /// Memberwise.
    public init(
        target: Target, publicKey: WireGuardKey, allowedIPs: [IPPrefix], endpoint: Endpoint?,
        persistentKeepalive: UInt16
    ) {
        self.target = target
        self.publicKey = publicKey
        self.allowedIPs = allowedIPs
        self.endpoint = endpoint
        self.persistentKeepalive = persistentKeepalive
    }

    /// The entry as a WireGuard device takes it.
    public var configuration: PeerConfiguration {
        PeerConfiguration(
            publicKey: publicKey, endpoint: endpoint, persistentKeepalive: persistentKeepalive, allowedIPs: allowedIPs)
    }
}
