public import ZmeshCrypto
public import ZmeshModel

/// One node's network resource as planned: addresses, port, role and routes. Its WireGuard peers are
/// derived on demand by ``MeshPlan/peers(of:)`` (a public node's peer list is the whole public mesh, so
/// the plan stores who serves whom rather than O(n²) entries).
public struct PlannedNode: Sendable, Hashable {
    /// The node's identity id.
    public let id: IdentityID
    /// The node's WireGuard public key (from the spec).
    public let publicKey: WireGuardKey
    /// The node's IPv4 /24.
    public let subnet: IPPrefix
    /// The node's IPv6 /64.
    public let ipv6Subnet: IPPrefix
    /// `100.64.b.c` for subnet `a.b.c.0/24`.
    public let wireGuardAddress: IPv4Address
    /// The WireGuard UDP port.
    public let listenPort: UInt16
    /// Where peers reach the node (its public addresses with ``listenPort``), IPv4 first; empty for a
    /// hidden node.
    public let endpoints: [Endpoint]
    /// The families the node dials out over, IPv4 first.
    public let dialFamilies: [IPFamily]
    /// For a hidden node: the public node it peers with. `nil` for a public node.
    public let accessNode: IdentityID?
    /// For a public node: the hidden nodes it is the access node of, by id.
    public let servedNodes: [IdentityID]
    /// For a public node: the user accesses it serves, by name.
    public let servedAccesses: [String]
    /// The routes the network resource's namespace needs: the network's IPv4 range and IPv6 range into
    /// the WireGuard interface (the node's own subnets are on-link on the bridge, so they win).
    public let routes: [PlannedRoute]

    /// Memberwise (the planner builds nodes; this is for tests and decoders).
    public init(
        id: IdentityID, publicKey: WireGuardKey, subnet: IPPrefix, ipv6Subnet: IPPrefix, wireGuardAddress: IPv4Address,
        listenPort: UInt16, endpoints: [Endpoint], dialFamilies: [IPFamily], accessNode: IdentityID?,
        servedNodes: [IdentityID], servedAccesses: [String], routes: [PlannedRoute]
    ) {
        self.id = id
        self.publicKey = publicKey
        self.subnet = subnet
        self.ipv6Subnet = ipv6Subnet
        self.wireGuardAddress = wireGuardAddress
        self.listenPort = listenPort
        self.endpoints = endpoints
        self.dialFamilies = dialFamilies
        self.accessNode = accessNode
        self.servedNodes = servedNodes
        self.servedAccesses = servedAccesses
        self.routes = routes
    }

    /// Whether peers can reach the node at an endpoint.
    public var isPublic: Bool { !endpoints.isEmpty }

    /// The node's endpoint in `family`, if it has one.
    public func endpoint(_ family: IPFamily) -> Endpoint? { endpoints.first { IPFamily(of: $0.address) == family } }

    /// The address of the WireGuard interface: ``wireGuardAddress``/16, so that the kernel routes the
    /// whole WireGuard address block 100.64.0.0/16 into the interface (as Zero-OS does).
    public var wireGuardInterfaceAddress: PlannedAddress { PlannedAddress(.v4(wireGuardAddress), prefixLength: 16) }

    /// The workload bridge's addresses: the first host of the /24 and of the /64.
    public var bridgeAddresses: [PlannedAddress] {
        [
            PlannedAddress(subnet.firstHost, prefixLength: subnet.length),
            PlannedAddress(ipv6Subnet.firstHost, prefixLength: ipv6Subnet.length),
        ]
    }

    /// The prefixes that stand for this node in its peers' allowed IPs: its /24, its WireGuard address
    /// (/32) and its /64.
    public var ownPrefixes: [IPPrefix] { [subnet, IPPrefix.host(.v4(wireGuardAddress)), ipv6Subnet] }
}

extension IPPrefix {
    /// The host prefix (/32 or /128) of `address`.
    static func host(_ address: IPAddress) -> IPPrefix {
        guard let prefix = try? IPPrefix(address, length: address.bitWidth) else {
            preconditionFailure("a host prefix is valid")
        }
        return prefix
    }

    /// The prefix's first address after the network address (`.1`, `::1`).
    var firstHost: IPAddress { offset(1) }

    /// The address `n` after the prefix's network address.
    func offset(_ n: UInt32) -> IPAddress {
        switch address {
        case .v4(let a): .v4(IPv4Address(a.value &+ n))
        case .v6(let a): .v6(IPv6Address(high: a.high, low: a.low &+ UInt64(n)))
        }
    }
}
