public import ZmeshCrypto
public import ZmeshModel

/// What the planner knows about one node the network spans: facts the node reports, never choices.
///
/// A node with at least one endpoint address is **public**: peers can reach its WireGuard port there.
/// A node without one is **hidden** (behind NAT or a firewall): it only dials out, so it peers with one
/// access node.
public struct NodeSpec: Sendable, Hashable {
    /// The node's identity id.
    public var id: IdentityID
    /// The node's WireGuard public key for this network (the node generates and keeps the private key).
    public var publicKey: WireGuardKey
    /// The node's public IPv4 address, if it has one.
    public var ipv4Endpoint: IPv4Address?
    /// The node's public IPv6 address, if it has one.
    public var ipv6Endpoint: IPv6Address?
    /// The families the node can dial out over, when they differ from the default: the families of its
    /// endpoints for a public node, IPv4 alone for a hidden node. A public node can always dial over the
    /// families of its own endpoints.
    public var outbound: Set<IPFamily>?
    /// UDP ports already in use on the node (by its other networks or other software).
    public var usedPorts: Set<UInt16>

    /// Memberwise.
    public init(
        id: IdentityID, publicKey: WireGuardKey, ipv4Endpoint: IPv4Address? = nil, ipv6Endpoint: IPv6Address? = nil,
        outbound: Set<IPFamily>? = nil, usedPorts: Set<UInt16> = []
    ) {
        self.id = id
        self.publicKey = publicKey
        self.ipv4Endpoint = ipv4Endpoint
        self.ipv6Endpoint = ipv6Endpoint
        self.outbound = outbound
        self.usedPorts = usedPorts
    }

    /// Whether peers can reach the node: it has at least one endpoint address.
    public var isPublic: Bool { ipv4Endpoint != nil || ipv6Endpoint != nil }

    /// The node's endpoint address in `family`, if any.
    public func endpointAddress(_ family: IPFamily) -> IPAddress? {
        switch family {
        case .ipv4: ipv4Endpoint.map(IPAddress.v4)
        case .ipv6: ipv6Endpoint.map(IPAddress.v6)
        }
    }

    /// The families of the node's endpoints, IPv4 first.
    public var endpointFamilies: [IPFamily] { IPFamily.allCases.filter { endpointAddress($0) != nil } }

    /// The families the node can dial out over (see ``outbound``).
    public var dialFamilies: Set<IPFamily> {
        let declared = outbound ?? (isPublic ? [] : [.ipv4])
        return declared.union(endpointFamilies)
    }
}
