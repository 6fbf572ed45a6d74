import ZmeshCrypto

/// A proposed deployment as the registry answers it: the answer to a `POST /v1/deployments` that
/// lacks co-owners' signatures (`202`, without the document), and the entries of `GET /v1/proposals`.
struct ProposalBody: Codable, Sendable {
    let owner: String
    let network: String
    let version: Int64
    let digest: String
    let submittedBy: String
    let updatedAt: Int64
    let signedWeight: Int64
    let weightRequired: Int64
    /// Requested twins that have not signed yet.
    let awaiting: [String]
    /// `proposed` in the answer to a submission.
    let status: String?
    /// The document with the signatures collected so far, as JSON text (verbatim: what co-owners verify).
    let document: String?
    enum CodingKeys: String, CodingKey {
        case owner, network, version, digest, awaiting, status, document
        case submittedBy = "submitted_by"
        case updatedAt = "updated_at"
        case signedWeight = "signed_weight"
        case weightRequired = "weight_required"
    }

    init(_ record: ProposalRecord, status: String? = nil, withDocument: Bool) {
        owner = record.owner
        network = record.network
        version = record.version
        digest = record.digest
        submittedBy = record.submittedBy
        updatedAt = record.updatedAt
        signedWeight = record.signedWeight
        weightRequired = record.weightRequired
        awaiting = record.awaiting.map(\.rawValue)
        self.status = status
        document = withDocument ? record.document : nil
    }
}

/// `GET /v1/proposals?signer=ID`.
struct ProposalListBody: Codable, Sendable {
    let proposals: [ProposalBody]
}
