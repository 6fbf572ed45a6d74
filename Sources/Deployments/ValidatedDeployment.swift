public import ZmeshCrypto
public import ZmeshModel

/// A deployment that passed validation, as typed values: what the node agent and the planner work with.
public struct ValidatedDeployment: Sendable, Hashable {
    /// The document it was read from (signatures included).
    public let document: Deployment
    /// The deployment's version (0 for a new network).
    public let version: UInt64
    /// The owner twin.
    public let owner: IdentityID
    /// The tenant network.
    public let network: Network
    /// In document order.
    public let nodes: [Node]

    /// The tenant network.
    public struct Network: Sendable, Hashable {
        /// The network's name.
        public let name: NetworkName
        /// Derived from the owner and the name.
        public let id: NetworkID
        /// The IPv4 range of the whole network.
        public let ipv4Range: IPPrefix
        /// The network's unique local IPv6 /48.
        public let ipv6Range: IPPrefix
    }

    /// One node's network resource.
    public struct Node: Sendable, Hashable {
        /// The node's identity id.
        public let id: IdentityID
        /// The node's IPv4 /24.
        public let subnet: IPPrefix
        /// The node's IPv6 /64.
        public let ipv6Subnet: IPPrefix
        /// The WireGuard UDP port.
        public let listenPort: UInt16
        /// The node's WireGuard public key for this network.
        public let publicKey: WireGuardKey
        /// The matching private key, sealed to the node's identity.
        public let sealedPrivateKey: SealedPrivateKey
        /// Peers as WireGuard configures them (a missing keepalive is 0, off).
        public let peers: [PeerConfiguration]

        /// The address of the node's WireGuard interface, `100.64.b.c` for subnet `a.b.c.0/24`.
        public var wireGuardAddress: IPv4Address? { ReservedRanges.wireGuardAddress(forSubnet: subnet) }

        /// Opens the node's WireGuard private key with the node's identity, checking that the
        /// identity is this node's and that the key matches ``publicKey``.
        public func openPrivateKey(with identity: Identity) throws(CryptoError) -> PrivateKey {
            guard identity.id == id else { throw .cannotOpenSealedBox }
            return try sealedPrivateKey.open(with: identity, expectedPublicKey: publicKey)
        }

        /// The WireGuard device configuration of this node's interface.
        public func deviceConfiguration(privateKey: PrivateKey) -> DeviceConfiguration {
            DeviceConfiguration(privateKey: privateKey, listenPort: listenPort, peers: peers)
        }
    }

    /// The part for node `id`, if the network spans it.
    public func node(_ id: IdentityID) -> Node? { nodes.first { $0.id == id } }
}

/// What validation knows beyond the document.
public struct ValidationContext: Sendable {
    /// UDP ports already taken on each node (by its other networks), which this deployment may not use.
    public var usedListenPorts: [IdentityID: Set<UInt16>]

    /// A context; by default no port is known to be in use.
    public init(usedListenPorts: [IdentityID: Set<UInt16>] = [:]) { self.usedListenPorts = usedListenPorts }
}
