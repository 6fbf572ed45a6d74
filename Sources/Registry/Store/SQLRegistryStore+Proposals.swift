import SQLKit
public import ZmeshCrypto

/// Proposals live in `proposals` (one row per digest) and `proposal_awaiting` (one row per twin whose
/// signature is still missing, in request order), so that "what awaits twin X" is an indexed query.
extension SQLRegistryStore {
    private static let proposalColumns = [
        "owner", "network", "version", "digest", "document", "submitted_by", "updated_at", "signed_weight",
        "weight_required",
    ]

    public func proposal(digest: String) async throws -> ProposalRecord? {
        try await lock.withLock {
            guard
                let row = try await database.select().columns(Self.proposalColumns).from("proposals")
                    .where("digest", .equal, digest).first()
            else { return nil }
            return try await proposalRecord(row)
        }
    }

    public func putProposal(_ proposal: ProposalRecord) async throws {
        try await lock.withLock {
            try await database.raw("BEGIN").run()
            do {
                try await database.delete(from: "proposal_awaiting").where("digest", .equal, proposal.digest).run()
                try await database.delete(from: "proposals").where("digest", .equal, proposal.digest).run()
                try await database.insert(into: "proposals").columns(Self.proposalColumns)
                    .values(
                        proposal.owner, proposal.network, proposal.version, proposal.digest, proposal.document,
                        proposal.submittedBy, proposal.updatedAt, proposal.signedWeight, proposal.weightRequired
                    ).run()
                for (position, twin) in proposal.awaiting.enumerated() {
                    try await database.insert(into: "proposal_awaiting").columns("digest", "twin", "position")
                        .values(proposal.digest, twin.rawValue, Int64(position)).run()
                }
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func proposals(awaiting signer: IdentityID) async throws -> [ProposalRecord] {
        try await lock.withLock {
            let rows = try await database.raw(
                """
                SELECT p.owner, p.network, p.version, p.digest, p.document, p.submitted_by, p.updated_at,
                    p.signed_weight, p.weight_required
                FROM proposals p JOIN proposal_awaiting a ON a.digest = p.digest
                WHERE a.twin = \(bind: signer.rawValue) ORDER BY p.updated_at, p.digest
                """
            ).all()
            var records: [ProposalRecord] = []
            for row in rows { records.append(try await proposalRecord(row)) }
            return records
        }
    }

    public func removeProposals(owner: String, network: String, throughVersion version: Int64) async throws {
        try await lock.withLock {
            try await database.raw("BEGIN").run()
            do {
                try await database.raw(
                    """
                    DELETE FROM proposal_awaiting WHERE digest IN (SELECT digest FROM proposals
                        WHERE owner = \(bind: owner) AND network = \(bind: network) AND version <= \(bind: version))
                    """
                ).run()
                try await database.delete(from: "proposals").where("owner", .equal, owner)
                    .where("network", .equal, network).where("version", .lessThanOrEqual, version).run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// A proposal row with its awaited twins (called with the lock held).
    private func proposalRecord(_ row: any SQLRow) async throws -> ProposalRecord {
        let digest = try row.decode(column: "digest", as: String.self)
        let rows = try await database.select().column("twin").from("proposal_awaiting")
            .where("digest", .equal, digest).orderBy("position").all()
        return try Self.proposalRecord(row, digest: digest, awaiting: rows)
    }

    /// Synchronous on purpose: the async form of this decoding crashed Swift 6.3.1's optimiser
    /// (coroutine splitting) in release builds.
    private static func proposalRecord(_ row: any SQLRow, digest: String, awaiting rows: [any SQLRow]) throws
        -> ProposalRecord
    {
        var awaiting: [IdentityID] = []
        for twin in rows { awaiting.append(try IdentityID(try twin.decode(column: "twin", as: String.self))) }
        return ProposalRecord(
            owner: try row.decode(column: "owner", as: String.self),
            network: try row.decode(column: "network", as: String.self),
            version: try row.decode(column: "version", as: Int64.self), digest: digest,
            document: try row.decode(column: "document", as: String.self),
            submittedBy: try row.decode(column: "submitted_by", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            signedWeight: try row.decode(column: "signed_weight", as: Int64.self),
            weightRequired: try row.decode(column: "weight_required", as: Int64.self), awaiting: awaiting)
    }
}
