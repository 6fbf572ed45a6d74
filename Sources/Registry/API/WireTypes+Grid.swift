import ZmeshCrypto

/// The JSON bodies of farms and status (snake_case members).

/// `POST /v1/farms`.
struct FarmCreation: Codable, Sendable {
    let name: String
}

/// A farm as the registry answers it.
struct FarmBody: Codable, Sendable {
    let id: UInt32
    let name: String
    let owner: String
    let createdAt: Int64
    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case createdAt = "created_at"
    }

    init(_ record: FarmRecord) {
        id = record.id
        name = record.name
        owner = record.owner.rawValue
        createdAt = record.createdAt
    }
}

/// One WireGuard peer as a node sees it.
struct PeerStatusBody: Codable, Sendable, Equatable {
    let publicKey: String
    /// Unix seconds of the latest handshake; 0 for none.
    let lastHandshake: Int64
    let rxBytes: UInt64
    let txBytes: UInt64
    /// Where the node last heard the peer from (`IP:port`, `[IPv6]:port`); absent when unknown.
    let endpoint: String?
    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key"
        case lastHandshake = "last_handshake"
        case rxBytes = "rx_bytes"
        case txBytes = "tx_bytes"
        case endpoint
    }
}

/// `POST /v1/nodes/{id}/status`.
struct StatusPost: Codable, Sendable {
    struct Network: Codable, Sendable {
        let owner: String
        let network: String
        let version: Int64
        let state: String
        let error: String?
        /// Left out: none.
        let peers: [PeerStatusBody]?
    }
    let networks: [Network]
}

/// `GET /v1/networks/{owner}/{network}/status`.
struct NetworkStatusBody: Encodable, Sendable {
    struct Node: Encodable, Sendable {
        let id: String
        let lastSeen: Int64?
        let version: Int64?
        /// `applied`, `failed`, `removed`, or `unknown` when the node has not reported about this network.
        let state: String
        let error: String?
        let reportedAt: Int64?
        let peers: [PeerStatusBody]
        enum CodingKeys: String, CodingKey {
            case id, version, state, error, peers
            case lastSeen = "last_seen"
            case reportedAt = "reported_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(lastSeen, forKey: .lastSeen)  // null: never seen
            try container.encode(version, forKey: .version)  // null: no report
            try container.encode(state, forKey: .state)
            try container.encodeIfPresent(error, forKey: .error)
            try container.encode(reportedAt, forKey: .reportedAt)
            try container.encode(peers, forKey: .peers)
        }
    }
    let owner: String
    let network: String
    let version: Int64
    let nodes: [Node]
}

/// `POST /v1/nodes/{id}/status` answer.
struct StatusAccepted: Codable, Sendable {
    let accepted: Int
}
