public import ZmeshCrypto
import ZmeshJSON

/// The state a node reports for one network it was given.
public enum NetworkState: String, Sendable, Hashable {
    case applied, failed, removed
    /// Only in ``NetworkStatus``: the node has not reported this network.
    case unknown
}

/// Health of one WireGuard peer as a node sees it.
public struct PeerHealth: Sendable, Hashable {
    /// The peer's WireGuard public key (base64).
    public var publicKey: String
    /// Unix seconds of the last handshake, 0 for none.
    public var lastHandshake: Int64
    public var rxBytes: UInt64
    public var txBytes: UInt64
    /// Where the node last heard the peer from (`IP:port`, `[IPv6]:port`), if known.
    public var endpoint: String?

    public init(publicKey: String, lastHandshake: Int64, rxBytes: UInt64, txBytes: UInt64, endpoint: String? = nil) {
        self.publicKey = publicKey
        self.lastHandshake = lastHandshake
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.endpoint = endpoint
    }

    init(wire: WireObject) throws(WireError) {
        publicKey = try wire.string("public_key")
        lastHandshake = try wire.integer("last_handshake")
        rxBytes = try wire.integer("rx_bytes")
        txBytes = try wire.integer("tx_bytes")
        endpoint = try wire.optionalString("endpoint")
    }

    var json: JSONValue {
        var members = [
            JSONMember("public_key", .string(publicKey)), JSONMember("last_handshake", .integer(lastHandshake)),
            JSONMember("rx_bytes", .integer(rxBytes)), JSONMember("tx_bytes", .integer(txBytes)),
        ]
        if let endpoint { members.append(JSONMember("endpoint", .string(endpoint))) }
        return .object(members)
    }
}

/// What a node reports about one network (`POST /v1/nodes/{id}/status`).
public struct NetworkReport: Sendable, Hashable {
    public var owner: IdentityID
    public var network: String
    public var version: UInt64
    /// `applied`, `failed` or `removed` (``NetworkState/unknown`` is refused before sending).
    public var state: NetworkState
    /// Why applying failed (for `failed`).
    public var error: String?
    public var peers: [PeerHealth]

    public init(
        owner: IdentityID, network: String, version: UInt64, state: NetworkState, error: String? = nil,
        peers: [PeerHealth] = []
    ) {
        self.owner = owner
        self.network = network
        self.version = version
        self.state = state
        self.error = error
        self.peers = peers
    }

    var json: JSONValue {
        var members = [
            JSONMember("owner", .string(owner.rawValue)), JSONMember("network", .string(network)),
            JSONMember("version", .integer(version)), JSONMember("state", .string(state.rawValue)),
        ]
        if let error { members.append(JSONMember("error", .string(error))) }
        members.append(JSONMember("peers", .array(peers.map(\.json))))
        return .object(members)
    }
}

/// One node's part of a network's status.
public struct NodeNetworkStatus: Sendable, Hashable {
    public let id: IdentityID
    /// When the registry last heard from the node (Unix seconds).
    public let lastSeen: Int64?
    /// The version the node last reported for this network.
    public let version: UInt64?
    public let state: NetworkState
    public let error: String?
    public let reportedAt: Int64?
    public let peers: [PeerHealth]

    init(wire: WireObject) throws(WireError) {
        id = try wire.identity("id")
        lastSeen = try wire.optionalInteger("last_seen")
        version = try wire.optionalInteger("version")
        let stateText = try wire.string("state")
        guard let state = NetworkState(rawValue: stateText) else {
            throw WireError(path: wire.path.isEmpty ? "state" : "\(wire.path).state", reason: "unknown state '\(stateText)'")
        }
        self.state = state
        error = try wire.optionalString("error")
        reportedAt = try wire.optionalInteger("reported_at")
        peers = try wire.objects("peers", optional: true).map { peer throws(WireError) in try PeerHealth(wire: peer) }
    }
}

/// A network's status across its nodes (`GET /v1/networks/{owner}/{network}/status`).
public struct NetworkStatus: Sendable, Hashable {
    public let owner: IdentityID
    public let network: String
    /// The latest stored version.
    public let version: UInt64
    public let nodes: [NodeNetworkStatus]

    init(wire: WireObject) throws(WireError) {
        owner = try wire.identity("owner")
        network = try wire.string("network")
        version = try wire.integer("version")
        nodes = try wire.objects("nodes").map { node throws(WireError) in try NodeNetworkStatus(wire: node) }
    }
}
