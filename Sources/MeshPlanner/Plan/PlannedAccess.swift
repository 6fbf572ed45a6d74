public import ZmeshCrypto
public import ZmeshModel

/// A user access as planned: the /24 and /64 reserved for it, its addresses, and the access node it
/// dials.
public struct PlannedAccess: Sendable, Hashable {
    /// The access's name.
    public let name: String
    /// The device's WireGuard public key.
    public let publicKey: WireGuardKey
    /// The family the device dials over.
    public let family: IPFamily
    /// The /24 reserved for the access (it stands for the device in the nodes' allowed IPs).
    public let subnet: IPPrefix
    /// The /64 reserved for the access.
    public let ipv6Subnet: IPPrefix
    /// The device's IPv4 address: `100.64.b.c` for subnet `a.b.c.0/24`, as a node's WireGuard address.
    public let address: IPv4Address
    /// The device's IPv6 address: the first host of its /64.
    public let ipv6Address: IPv6Address
    /// The public node the device peers with.
    public let accessNode: IdentityID
    /// The access node's endpoint in ``family``.
    public let endpoint: Endpoint

    /// Memberwise (the planner builds accesses; this is for tests and decoders).
    public init(
        name: String, publicKey: WireGuardKey, family: IPFamily, subnet: IPPrefix, ipv6Subnet: IPPrefix,
        address: IPv4Address, ipv6Address: IPv6Address, accessNode: IdentityID, endpoint: Endpoint
    ) {
        self.name = name
        self.publicKey = publicKey
        self.family = family
        self.subnet = subnet
        self.ipv6Subnet = ipv6Subnet
        self.address = address
        self.ipv6Address = ipv6Address
        self.accessNode = accessNode
        self.endpoint = endpoint
    }

    /// The device's interface addresses (`Address =` of the wg-quick file): host addresses, since
    /// every route the device needs comes from its peer's allowed IPs.
    public var interfaceAddresses: [PlannedAddress] {
        [PlannedAddress(.v4(address), prefixLength: 32), PlannedAddress(.v6(ipv6Address), prefixLength: 128)]
    }

    /// The prefixes that stand for the device in the nodes' allowed IPs: its /24, its address (/32)
    /// and its /64.
    public var ownPrefixes: [IPPrefix] { [subnet, IPPrefix.host(.v4(address)), ipv6Subnet] }
}
