public import ZmeshCrypto
public import ZmeshModel

/// What the registry says about a node, as the deployer needs it: the identity key it seals the node's
/// WireGuard key to, its public addresses (none: hidden behind NAT), the families it dials out over,
/// and the UDP ports in use on it.
public struct NodeFacts: Sendable, Hashable {
    public var id: IdentityID
    /// The node's Ed25519 identity key (its id is this key's: checked by ``init(id:identityKey:publicIPs:outbound:usedPorts:)``).
    public var identityKey: Ed25519PublicKey
    public var ipv4: IPv4Address?
    public var ipv6: IPv6Address?
    /// `nil`: the planner's default for the node's addresses.
    public var outbound: Set<IPFamily>?
    /// Ports in use on the node, including those of networks deployed on it.
    public var usedPorts: Set<UInt16>

    /// Facts about node `id`; `nil` when `identityKey` is not that id's key (the registry cannot
    /// substitute a key of its own: ids are hashes of keys).
    public init?(
        id: IdentityID, identityKey: Ed25519PublicKey, publicIPs: [IPAddress] = [], outbound: Set<IPFamily>? = nil,
        usedPorts: Set<UInt16> = []
    ) {
        guard identityKey.id == id else { return nil }
        self.id = id
        self.identityKey = identityKey
        for address in publicIPs {
            switch address {
            case .v4(let a): ipv4 = ipv4 ?? a
            case .v6(let a): ipv6 = ipv6 ?? a
            }
        }
        self.outbound = outbound
        self.usedPorts = usedPorts
    }
}
