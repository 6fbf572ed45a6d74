public import ZmeshCrypto

/// A farm: a named group of nodes run by one operator twin. Nodes name their farm when they register.
public struct FarmRecord: Sendable, Equatable {
    /// Assigned by the registry: 1, 2, 3, …
    public let id: UInt32
    public let name: String
    /// The twin that created it.
    public let owner: IdentityID
    /// Unix seconds.
    public let createdAt: Int64

    public init(id: UInt32, name: String, owner: IdentityID, createdAt: Int64) {
        self.id = id
        self.name = name
        self.owner = owner
        self.createdAt = createdAt
    }
}

/// What one node last reported about one network.
public struct NetworkStatusRecord: Sendable, Equatable {
    public let node: IdentityID
    public let owner: String
    public let network: String
    /// The deployment version the node reports about.
    public let version: Int64
    /// `applied`, `failed` or `removed`.
    public let state: String
    public let error: String?
    /// The peers as compact JSON text (the API's wire form; the store keeps it opaque).
    public let peers: String
    /// Unix seconds.
    public let reportedAt: Int64

    public init(
        node: IdentityID, owner: String, network: String, version: Int64, state: String, error: String?, peers: String,
        reportedAt: Int64
    ) {
        self.node = node
        self.owner = owner
        self.network = network
        self.version = version
        self.state = state
        self.error = error
        self.peers = peers
        self.reportedAt = reportedAt
    }
}

/// A nonce the replay cache holds: `(signer, nonce)` is refused until `expiresAt`.
public struct NonceRecord: Sendable, Equatable {
    public let signer: String
    public let nonce: String
    public let expiresAt: Int64

    public init(signer: String, nonce: String, expiresAt: Int64) {
        self.signer = signer
        self.nonce = nonce
        self.expiresAt = expiresAt
    }
}

/// Thrown when the registry has assigned every farm id a `UInt32` holds.
public struct FarmIDsExhausted: Error, Sendable {}

/// Farms.
public protocol FarmStore: Sendable {
    /// Creates the farm `name` of `owner`, or returns the one `owner` already has under that name (a retried
    /// creation is not a second farm). Returns whether it was new.
    func addFarm(name: String, owner: IdentityID, createdAt: Int64) async throws -> (farm: FarmRecord, isNew: Bool)
    /// The farm with `id`, if any.
    func farm(_ id: UInt32) async throws -> FarmRecord?
}

/// Node liveness and per-network status reports.
public protocol NodeStatusStore: Sendable {
    /// Sets `node`'s last-seen time to `time` unless it is already later.
    func touchNode(_ node: IdentityID, at time: Int64) async throws
    /// The last-seen times of those of `nodes` that were ever seen.
    func lastSeen(of nodes: [IdentityID]) async throws -> [IdentityID: Int64]
    /// Whether `version` of `owner`'s network `network` is stored.
    func hasDeployment(owner: String, network: String, version: Int64) async throws -> Bool
    /// Replaces, for each report's network, what its node reported before; all or nothing.
    func putStatuses(_ reports: [NetworkStatusRecord]) async throws
    /// Every node's latest report about `owner`'s network `network`.
    func statuses(owner: String, network: String) async throws -> [NetworkStatusRecord]
}

/// The replay cache across restarts (see docs/registry.md, "Replay protection").
public protocol ReplayStore: Sendable {
    /// Saves the unexpired nonces of a run that is shutting down cleanly, and marks the shutdown clean.
    func saveNonces(_ nonces: [NonceRecord]) async throws
    /// Takes the nonces the previous run saved, unexpired at `now`, and clears them and the clean mark; `nil` when
    /// the previous run did not shut down cleanly (or there was none), so its nonces are unknown.
    func restoreNonces(now: Int64) async throws -> [NonceRecord]?
}
