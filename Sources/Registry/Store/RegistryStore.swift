public import ZmeshCrypto

/// A registered twin: a deployer's identity.
public struct TwinRecord: Sendable, Equatable {
    public let id: IdentityID
    public let publicKey: Ed25519PublicKey
    /// Unix seconds of the first registration.
    public let registeredAt: Int64

    public init(id: IdentityID, publicKey: Ed25519PublicKey, registeredAt: Int64) {
        self.id = id
        self.publicKey = publicKey
        self.registeredAt = registeredAt
    }
}

/// A registered node: its identity, its farm and the facts the planner needs about its connectivity.
public struct NodeRecord: Sendable, Equatable {
    public let id: IdentityID
    public let farm: UInt32
    public let publicKey: Ed25519PublicKey
    /// Canonical literal addresses reachable from the internet: at most one IPv4 then at most one IPv6; empty
    /// for a hidden node (behind NAT). Ports are per network, chosen by the planner.
    public let publicIPs: [String]
    /// UDP ports in use on the node outside zmesh networks, ascending.
    public let usedPorts: [UInt16]
    /// Address families the node can dial out over (`ipv4`, `ipv6`), in that order.
    public let outbound: [String]
    /// Unix seconds of the last (re-)registration.
    public let updatedAt: Int64
    /// Unix seconds of the node's last authenticated request, if any.
    public let lastSeen: Int64?

    public init(
        id: IdentityID, farm: UInt32, publicKey: Ed25519PublicKey, publicIPs: [String], usedPorts: [UInt16] = [],
        outbound: [String] = [], updatedAt: Int64, lastSeen: Int64? = nil
    ) {
        self.id = id
        self.farm = farm
        self.publicKey = publicKey
        self.publicIPs = publicIPs
        self.usedPorts = usedPorts
        self.outbound = outbound
        self.updatedAt = updatedAt
        self.lastSeen = lastSeen
    }
}

/// One stored version of a network's deployment.
public struct DeploymentRecord: Sendable, Equatable {
    /// The owner twin's id text.
    public let owner: String
    /// The network name.
    public let network: String
    public let version: Int64
    /// Hex BLAKE2b-256 of the canonical encoding (what the owners signed).
    public let digest: String
    /// The document as compact JSON.
    public let document: String
    /// The twin that submitted it.
    public let submittedBy: String
    /// Unix seconds.
    public let submittedAt: Int64

    public init(
        owner: String, network: String, version: Int64, digest: String, document: String, submittedBy: String,
        submittedAt: Int64
    ) {
        self.owner = owner
        self.network = network
        self.version = version
        self.digest = digest
        self.document = document
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
    }
}

/// One entry of a node's mailbox.
public struct MailboxItem: Sendable, Equatable {
    /// Position in the mailbox: strictly increasing, never reused; a client resumes with `after=cursor`.
    public let cursor: Int64
    /// What the item is (`deployment`).
    public let kind: String
    public let owner: String
    public let network: String
    public let version: Int64
    /// The deployment document as compact JSON.
    public let document: String

    public init(cursor: Int64, kind: String, owner: String, network: String, version: Int64, document: String) {
        self.cursor = cursor
        self.kind = kind
        self.owner = owner
        self.network = network
        self.version = version
        self.document = document
    }
}

/// Thrown by a store when a write conflicts with a stored row (another version was stored first).
public struct StoreConflict: Error, Sendable {}

/// What the registry keeps. The SQL implementation (``SQLRegistryStore``) runs on SQLite today and
/// is written with SQLKit's builders so that PostgreSQL can follow; tests could use another.
public protocol RegistryStore: ProposalStore, FarmStore, NodeStatusStore, ReplayStore {
    /// The twin with `id`, if registered.
    func twin(_ id: IdentityID) async throws -> TwinRecord?
    /// Stores `twin` unless a twin with its id exists; returns whether it was new.
    func addTwin(_ twin: TwinRecord) async throws -> Bool
    /// The node with `id`, if registered.
    func node(_ id: IdentityID) async throws -> NodeRecord?
    /// Stores or replaces `node`; returns whether it was new.
    func putNode(_ node: NodeRecord) async throws -> Bool
    /// The newest stored version of `owner`'s network `network`.
    func latestDeployment(owner: String, network: String) async throws -> DeploymentRecord?
    /// One stored version.
    func deployment(owner: String, network: String, version: Int64) async throws -> DeploymentRecord?
    /// Every stored version, oldest first.
    func deploymentHistory(owner: String, network: String) async throws -> [DeploymentRecord]
    /// Stores `deployment` and appends one mailbox item per recipient, all or nothing.
    /// Throws ``StoreConflict`` when that version is already stored.
    func addDeployment(_ deployment: DeploymentRecord, recipients: [IdentityID]) async throws
    /// Up to `limit` items of `node`'s mailbox with a cursor above `after`, oldest first.
    func mailbox(node: IdentityID, after: Int64, limit: Int) async throws -> [MailboxItem]
    /// Releases the database.
    func close() async throws
}
