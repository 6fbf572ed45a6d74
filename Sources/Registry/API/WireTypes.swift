import ZmeshCrypto

/// The JSON bodies of the registry's API (snake_case members).

/// `POST /v1/twins`.
struct TwinRegistration: Codable, Sendable {
    let id: String
    let publicKey: String
    enum CodingKeys: String, CodingKey {
        case id
        case publicKey = "public_key"
    }
}

/// A twin as the registry answers it.
struct TwinBody: Codable, Sendable {
    let id: String
    let publicKey: String
    let registeredAt: Int64
    enum CodingKeys: String, CodingKey {
        case id
        case publicKey = "public_key"
        case registeredAt = "registered_at"
    }

    init(_ record: TwinRecord) {
        id = record.id.rawValue
        publicKey = record.publicKey.base64
        registeredAt = record.registeredAt
    }
}

/// `POST /v1/nodes`. `used_ports` and `outbound` may be left out (nothing in use; no outbound family known).
struct NodeRegistration: Codable, Sendable {
    let id: String
    let farm: UInt32
    let publicKey: String
    let publicIPs: [String]
    let usedPorts: [UInt16]?
    let outbound: [String]?
    enum CodingKeys: String, CodingKey {
        case id, farm, outbound
        case publicKey = "public_key"
        case publicIPs = "public_ips"
        case usedPorts = "used_ports"
    }
}

/// A node as the registry answers it; `last_seen` is `null` until the node's first authenticated request.
struct NodeBody: Codable, Sendable {
    let id: String
    let farm: UInt32
    let publicKey: String
    let publicIPs: [String]
    let usedPorts: [UInt16]
    let outbound: [String]
    let updatedAt: Int64
    let lastSeen: Int64?
    enum CodingKeys: String, CodingKey {
        case id, farm, outbound
        case publicKey = "public_key"
        case publicIPs = "public_ips"
        case usedPorts = "used_ports"
        case updatedAt = "updated_at"
        case lastSeen = "last_seen"
    }

    init(_ record: NodeRecord, lastSeen: Int64?) {
        id = record.id.rawValue
        farm = record.farm
        publicKey = record.publicKey.base64
        publicIPs = record.publicIPs
        usedPorts = record.usedPorts
        outbound = record.outbound
        updatedAt = record.updatedAt
        self.lastSeen = lastSeen
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(farm, forKey: .farm)
        try container.encode(publicKey, forKey: .publicKey)
        try container.encode(publicIPs, forKey: .publicIPs)
        try container.encode(usedPorts, forKey: .usedPorts)
        try container.encode(outbound, forKey: .outbound)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(lastSeen, forKey: .lastSeen)  // null when never seen
    }
}

/// One version in a deployment's history, and the answer to `POST /v1/deployments`.
struct DeploymentSummaryBody: Codable, Sendable {
    let owner: String
    let network: String
    let version: Int64
    let digest: String
    let submittedBy: String
    let submittedAt: Int64
    /// `stored` for a new version, `already_stored` for a re-submission of the stored one.
    let status: String?
    enum CodingKeys: String, CodingKey {
        case owner, network, version, digest, status
        case submittedBy = "submitted_by"
        case submittedAt = "submitted_at"
    }

    init(_ record: DeploymentRecord, status: String? = nil) {
        owner = record.owner
        network = record.network
        version = record.version
        digest = record.digest
        submittedBy = record.submittedBy
        submittedAt = record.submittedAt
        self.status = status
    }
}

/// `GET /v1/deployments/{owner}/{network}`.
struct DeploymentHistoryBody: Codable, Sendable {
    let versions: [DeploymentSummaryBody]
}

/// `GET /v1/nodes/{id}/mailbox`: the items and the cursor to resume after.
struct MailboxBody: Codable, Sendable {
    struct Item: Codable, Sendable {
        let cursor: Int64
        let kind: String
        let owner: String
        let network: String
        let version: Int64
        /// The signed deployment document as JSON text (verbatim, so the node verifies what was signed).
        let document: String

        init(_ item: MailboxItem) {
            cursor = item.cursor
            kind = item.kind
            owner = item.owner
            network = item.network
            version = item.version
            document = item.document
        }
    }
    let cursor: Int64
    let items: [Item]
}
