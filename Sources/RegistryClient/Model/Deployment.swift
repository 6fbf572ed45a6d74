public import ZmeshCrypto
import ZmeshModel

/// One stored version of a deployment, as the registry lists it.
public struct DeploymentSummary: Sendable, Hashable {
    public let owner: IdentityID
    public let network: String
    public let version: UInt64
    /// Hex BLAKE2b-256 of the canonical encoding.
    public let digest: String
    public let submittedBy: IdentityID
    /// Unix seconds.
    public let submittedAt: Int64

    init(wire: WireObject) throws(WireError) {
        owner = try wire.identity("owner")
        network = try wire.string("network")
        version = try wire.integer("version")
        digest = try wire.string("digest")
        submittedBy = try wire.identity("submitted_by")
        submittedAt = try wire.integer("submitted_at")
    }
}

/// A version short of its required signature weight, held by the registry until co-owners sign.
public struct ProposalStatus: Sendable, Hashable {
    public let owner: IdentityID
    public let network: String
    public let version: UInt64
    public let digest: String
    public let signedWeight: UInt64
    public let weightRequired: UInt64
    /// Twins whose signature is still missing.
    public let awaiting: [IdentityID]

    init(wire: WireObject) throws(WireError) {
        owner = try wire.identity("owner")
        network = try wire.string("network")
        version = try wire.integer("version")
        digest = try wire.string("digest")
        signedWeight = try wire.integer("signed_weight")
        weightRequired = try wire.integer("weight_required")
        awaiting = try wire.strings("awaiting") { text throws(ParseError) in try IdentityID(text) }
    }
}

/// A pending proposal with its document, as `GET /v1/proposals?signer=` lists it.
public struct PendingProposal: Sendable, Hashable {
    public let status: ProposalStatus
    /// The JSON text of the document as signed so far (verify it before adding a signature).
    public let document: [UInt8]

    init(wire: WireObject) throws(WireError) {
        status = try ProposalStatus(wire: wire)
        document = Array(try wire.string("document").utf8)
    }
}

/// What the registry did with a submitted document.
public enum DeploymentSubmission: Sendable, Hashable {
    /// A new version was stored and delivered to its nodes (201).
    case stored(DeploymentSummary)
    /// This exact document was already stored; nothing changed (200).
    case alreadyStored(DeploymentSummary)
    /// Valid but short of its required signature weight: held until the awaited twins sign (202).
    case proposed(ProposalStatus)
}
