public import ZmeshCrypto

/// A deployment that is valid and follows the update rules but lacks co-owners' signatures: the
/// registry holds it until the signed weight reaches the requirement, then publishes it.
public struct ProposalRecord: Sendable, Equatable {
    public let owner: String
    public let network: String
    public let version: Int64
    /// Hex BLAKE2b-256 of the canonical encoding: what every co-owner signs, and the proposal's id.
    public let digest: String
    /// The document with every signature collected so far, as compact JSON.
    public let document: String
    /// The twin that submitted it first.
    public let submittedBy: String
    /// Unix seconds of the newest signature added.
    public let updatedAt: Int64
    public let signedWeight: Int64
    public let weightRequired: Int64
    /// Requested twins that have not signed yet, in request order.
    public let awaiting: [IdentityID]

    public init(
        owner: String, network: String, version: Int64, digest: String, document: String, submittedBy: String,
        updatedAt: Int64, signedWeight: Int64, weightRequired: Int64, awaiting: [IdentityID]
    ) {
        self.owner = owner
        self.network = network
        self.version = version
        self.digest = digest
        self.document = document
        self.submittedBy = submittedBy
        self.updatedAt = updatedAt
        self.signedWeight = signedWeight
        self.weightRequired = weightRequired
        self.awaiting = awaiting
    }
}

/// Where the registry keeps proposed deployments.
public protocol ProposalStore: Sendable {
    /// The proposal whose digest is `digest`.
    func proposal(digest: String) async throws -> ProposalRecord?
    /// Stores `proposal`, replacing the one with its digest (more signatures), all or nothing.
    func putProposal(_ proposal: ProposalRecord) async throws
    /// The proposals that still await `signer`'s signature, oldest first.
    func proposals(awaiting signer: IdentityID) async throws -> [ProposalRecord]
    /// Forgets the proposals of `owner`'s `network` up to and including `version` (a version was stored).
    func removeProposals(owner: String, network: String, throughVersion version: Int64) async throws
}
