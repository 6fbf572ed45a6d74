public import ZmeshCrypto
public import ZmeshModel

/// A signed deployment: one private network over a set of nodes, as its owners sign it and nodes
/// receive it.
///
/// This is the document as written (schema 1): addresses, keys and ids are kept as the text the
/// document holds, so that a document with problems can still be read, hashed and reported on in
/// full. ``validated(context:)`` checks it and returns typed values; ``digest`` is what signatures
/// cover (see `docs/deployments.md` for the canonical encoding byte by byte).
public struct Deployment: Sendable, Hashable {
    /// The schema this zmesh reads and writes.
    public static let currentSchema: Int64 = 1

    /// Layout of the document; only ``currentSchema`` is accepted.
    public var schema: Int64
    /// 0 for a new network, then previous + 1 for every update.
    public var version: Int64
    /// The owner twin's ``IdentityID``; with the network name it makes the ``NetworkID``.
    public var owner: String
    /// The tenant network.
    public var network: Network
    /// One entry per node the network spans; an empty list removes the network from every node.
    public var nodes: [Node]
    /// Who must sign, with which weights.
    public var signatureRequirement: SignatureRequirement
    /// Not covered by the digest: signatures are added without changing what is signed.
    public var signatures: [Signature]

    /// Memberwise, with values as the document holds them (nothing is checked here).
    public init(
        schema: Int64 = Deployment.currentSchema, version: Int64, owner: String, network: Network, nodes: [Node],
        signatureRequirement: SignatureRequirement, signatures: [Signature] = []
    ) {
        self.schema = schema
        self.version = version
        self.owner = owner
        self.network = network
        self.nodes = nodes
        self.signatureRequirement = signatureRequirement
        self.signatures = signatures
    }

    /// From typed values.
    public init(
        version: UInt64, owner: IdentityID, network: Network, nodes: [Node], signatureRequirement: SignatureRequirement
    ) {
        self.init(
            version: Int64(clamping: version), owner: owner.rawValue, network: network, nodes: nodes,
            signatureRequirement: signatureRequirement)
    }

    /// The tenant network: its name and address ranges.
    public struct Network: Sendable, Hashable {
        /// `^[a-z0-9][a-z0-9-]{0,31}$`.
        public var name: String
        /// The IPv4 range of the whole network, /8 to /22; each node gets a /24 of it.
        public var ipv4Range: String
        /// A unique local IPv6 /48 (in fd00::/8); each node gets a /64 of it.
        public var ipv6Range: String

        /// Memberwise, with the text the document holds.
        public init(name: String, ipv4Range: String, ipv6Range: String) {
            self.name = name
            self.ipv4Range = ipv4Range
            self.ipv6Range = ipv6Range
        }

        /// From typed values.
        public init(name: String, ipv4Range: IPPrefix, ipv6Range: IPPrefix) {
            self.init(name: name, ipv4Range: ipv4Range.description, ipv6Range: ipv6Range.description)
        }
    }

    /// What one node must configure: its network resource.
    public struct Node: Sendable, Hashable {
        /// The node's ``IdentityID``.
        public var id: String
        /// The node's IPv4 /24, inside the network's range.
        public var subnet: String
        /// The node's IPv6 /64, inside the network's /48.
        public var ipv6Subnet: String
        /// WireGuard UDP port, 1024–65535.
        public var listenPort: Int64
        /// The node's WireGuard public key for this network (base64).
        public var publicKey: String
        /// The matching WireGuard private key sealed to the node's identity (base64 of 80 bytes).
        public var sealedPrivateKey: String
        /// The node's WireGuard peers, in document order.
        public var peers: [Peer]

        /// Memberwise, with the text the document holds.
        public init(
            id: String, subnet: String, ipv6Subnet: String, listenPort: Int64, publicKey: String,
            sealedPrivateKey: String, peers: [Peer]
        ) {
            self.id = id
            self.subnet = subnet
            self.ipv6Subnet = ipv6Subnet
            self.listenPort = listenPort
            self.publicKey = publicKey
            self.sealedPrivateKey = sealedPrivateKey
            self.peers = peers
        }

        /// From typed values, sealing the node's new WireGuard private key to its identity key; the
        /// node id and the public key are derived.
        public init(
            node: Ed25519PublicKey, subnet: IPPrefix, ipv6Subnet: IPPrefix, listenPort: UInt16,
            privateKey: PrivateKey, peers: [Peer]
        ) throws(CryptoError) {
            let sealed = try SealedPrivateKey(sealing: privateKey, to: node)
            self.init(
                id: node.id.rawValue, subnet: subnet.description, ipv6Subnet: ipv6Subnet.description,
                listenPort: Int64(listenPort), publicKey: WireGuardKeys.publicKey(for: privateKey).base64,
                sealedPrivateKey: sealed.base64, peers: peers)
        }
    }

    /// One WireGuard peer of a node.
    public struct Peer: Sendable, Hashable {
        /// The peer's WireGuard public key (base64).
        public var publicKey: String
        /// Prefixes routed to this peer, each inside the network's ranges or the WireGuard address block.
        public var allowedIPs: [String]
        /// Literal `IPv4:port` or `[IPv6]:port`; absent for peers that connect in (hidden nodes, laptops).
        public var endpoint: String?
        /// Seconds between keepalives (0–65535); absent or 0 means off.
        public var persistentKeepalive: Int64?

        /// Memberwise, with the text the document holds.
        public init(publicKey: String, allowedIPs: [String], endpoint: String? = nil, persistentKeepalive: Int64? = nil)
        {
            self.publicKey = publicKey
            self.allowedIPs = allowedIPs
            self.endpoint = endpoint
            self.persistentKeepalive = persistentKeepalive
        }

        /// From typed values.
        public init(
            publicKey: WireGuardKey, allowedIPs: [IPPrefix], endpoint: Endpoint? = nil,
            persistentKeepalive: UInt16? = nil
        ) {
            self.init(
                publicKey: publicKey.base64, allowedIPs: allowedIPs.map(\.description), endpoint: endpoint?.description,
                persistentKeepalive: persistentKeepalive.map(Int64.init))
        }
    }

    /// Who must sign: weighted multisig.
    public struct SignatureRequirement: Sendable, Hashable {
        /// The twins whose signatures count, each at most once.
        public var requests: [SignatureRequest]
        /// The total weight of valid signatures needed (at least 1).
        public var weightRequired: Int64

        /// Memberwise.
        public init(requests: [SignatureRequest], weightRequired: Int64) {
            self.requests = requests
            self.weightRequired = weightRequired
        }
    }

    /// One twin whose signature counts.
    public struct SignatureRequest: Sendable, Hashable {
        /// The twin's ``IdentityID``.
        public var twin: String
        /// What the twin's signature adds, 0–4294967295.
        public var weight: Int64
        /// Whether the deployment is invalid without this twin's signature, whatever the weight.
        public var required: Bool

        /// Memberwise, with the text the document holds.
        public init(twin: String, weight: Int64, required: Bool) {
            self.twin = twin
            self.weight = weight
            self.required = required
        }

        /// From typed values.
        public init(twin: IdentityID, weight: UInt32, required: Bool) {
            self.init(twin: twin.rawValue, weight: Int64(weight), required: required)
        }
    }

    /// A twin's signature of the ``Deployment/digest``, with the twin's public key (which must hash to
    /// the twin's id, so nobody needs to be asked for it).
    public struct Signature: Sendable, Hashable {
        /// The signer's ``IdentityID``.
        public var twin: String
        /// The signer's Ed25519 public key (base64).
        public var publicKey: String
        /// Ed25519 signature of the 32-byte digest (base64 of 64 bytes).
        public var signature: String

        /// Memberwise, with the text the document holds.
        public init(twin: String, publicKey: String, signature: String) {
            self.twin = twin
            self.publicKey = publicKey
            self.signature = signature
        }
    }
}
