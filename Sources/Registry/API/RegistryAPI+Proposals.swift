import Hummingbird
import ZmeshCrypto

extension RegistryAPI {
    // MARK: Proposals

    /// `GET /v1/proposals?signer=ID`: what awaits that twin's signature (public: documents hold no secret).
    /// Proposals overtaken by a stored version are left out.
    func proposals(_ request: Request) async throws -> Response {
        guard let text = request.uri.queryParameters.get("signer") else {
            throw RegistryError(.badRequest, "bad_query", "signer (a twin id) is required")
        }
        guard let signer = try? IdentityID(text) else {
            throw RegistryError(.badRequest, "bad_query", "signer is not an identity id")
        }
        var current: [ProposalBody] = []
        for record in try await store.proposals(awaiting: signer) where try await isCurrent(record) {
            current.append(ProposalBody(record, withDocument: true))
        }
        return json(.ok, ProposalListBody(proposals: current))
    }

    /// `GET /v1/proposals/{digest}`: one proposal with its document.
    func proposal(_ context: BasicRequestContext) async throws -> Response {
        let digest = context.parameters.get("digest") ?? ""
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw RegistryError(.badRequest, "bad_path", "a proposal is named by its digest: 64 lowercase hex digits")
        }
        guard let record = try await store.proposal(digest: digest), try await isCurrent(record) else {
            throw RegistryError(.notFound, "unknown_proposal", "no proposal \(digest) is pending")
        }
        return json(.ok, ProposalBody(record, withDocument: true))
    }

    /// Whether no version at or beyond the proposal's has been stored since.
    private func isCurrent(_ record: ProposalRecord) async throws -> Bool {
        guard let latest = try await store.latestDeployment(owner: record.owner, network: record.network) else {
            return true
        }
        return latest.version < record.version
    }
}
