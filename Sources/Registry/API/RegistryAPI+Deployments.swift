import Deployments
import Foundation
import Hummingbird
import Logging
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Deployments

    func submitDeployment(_ request: Request) async throws -> Response {
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let document: Deployment
        do { document = try Deployment(json: bytes) } catch {
            throw RegistryError(.badRequest, "malformed_json", "the body is not a deployment document", problems: error.problems.map(Self.problem))
        }
        guard let signer = try await store.twin(claim.signer) else {
            throw RegistryError(.unauthorized, "unknown_identity", "no twin \(claim.signer) is registered")
        }
        try authenticator.verify(
            claim, key: signer.publicKey, method: request.method.rawValue, target: request.uri.string, body: bytes)
        let owners = Set([document.owner] + document.signatureRequirement.requests.map(\.twin))
        guard owners.contains(signer.id.rawValue) else {
            throw RegistryError(
                .forbidden, "not_an_owner", "twin \(signer.id) is neither the owner nor a requested signer of this deployment")
        }
        return try await submissions.withLock { try await admit(document, submittedBy: signer.id) }
    }

    /// Stores `submitted` as a new version, or — when it lacks only co-owners' signatures — as a
    /// proposal, after merging the signatures already collected for the same digest. Runs under
    /// ``submissions`` so that two approvals of one proposal cannot overwrite each other's signature.
    private func admit(_ submitted: Deployment, submittedBy signer: IdentityID) async throws -> Response {
        let digest = submitted.digest.hex
        let proposal = try await store.proposal(digest: digest)
        let document = try proposal.map { try merging(submitted, with: $0) } ?? submitted
        let previousRecord = try await store.latestDeployment(owner: document.owner, network: document.network.name)
        let previous: Deployment?
        do { previous = try previousRecord.map { try Deployment(json: $0.document) } } catch {
            logger.error("a stored deployment no longer parses", metadata: ["network": "\(document.network.name)"])
            throw RegistryError.storageFailure
        }
        if let previous, let previousRecord, previous.verdict(onUpdate: document) == .alreadyApplied {
            return json(.ok, DeploymentSummaryBody(previousRecord, status: "already_stored"))
        }
        let validated: ValidatedDeployment
        do { validated = try document.admitted(after: previous) } catch {
            let report = document.checkSignatures()
            let followsRules = previous.map { $0.accepts(update: document) } ?? true
            guard report.isAwaitingSignatures, followsRules, document.validationProblems().isEmpty else {
                throw RegistryError(
                    .unprocessableContent, "invalid_deployment",
                    "the deployment is not valid, not validly signed, or breaks the update rules",
                    problems: error.problems.map(Self.problem))
            }
            return try await propose(document, report: report, submittedBy: signer, first: proposal)
        }
        try await requireRegistered(validated.nodes.map(\.id))
        var recipients = validated.nodes.map(\.id)
        for node in previous?.nodes ?? [] {
            if let id = try? IdentityID(node.id), !recipients.contains(id) { recipients.append(id) }
        }
        let record = DeploymentRecord(
            owner: document.owner, network: document.network.name, version: document.version,
            digest: digest, document: document.json(pretty: false), submittedBy: signer.rawValue,
            submittedAt: configuration.clock())
        do { try await store.addDeployment(record, recipients: recipients) } catch is StoreConflict {
            throw RegistryError(
                .conflict, "version_conflict", "version \(record.version) of \(record.network) was stored meanwhile")
        }
        notifier.notify(recipients)
        try await store.removeProposals(owner: record.owner, network: record.network, throughVersion: record.version)
        logger.info(
            "deployment stored",
            metadata: ["network": "\(record.network)", "version": "\(record.version)", "nodes": "\(recipients.count)"])
        return json(.created, DeploymentSummaryBody(record, status: "stored"))
    }

    /// Holds `document` (valid, within the update rules, every signature good, weight short) until
    /// co-owners sign. The twin that proposes must have signed it.
    private func propose(
        _ document: Deployment, report: SignatureReport, submittedBy signer: IdentityID, first: ProposalRecord?
    ) async throws -> Response {
        guard report.signers.contains(signer) else {
            throw RegistryError(
                .unprocessableContent, "unsigned_proposal",
                "twin \(signer) submits a deployment that lacks signatures without signing it itself")
        }
        var ids: [IdentityID] = []
        for node in document.nodes {
            guard let id = try? IdentityID(node.id) else { continue }
            ids.append(id)
        }
        try await requireRegistered(ids)
        let record = ProposalRecord(
            owner: document.owner, network: document.network.name, version: document.version,
            digest: report.digest.hex, document: document.json(pretty: false),
            submittedBy: first?.submittedBy ?? signer.rawValue, updatedAt: configuration.clock(),
            signedWeight: report.signedWeight, weightRequired: report.weightRequired, awaiting: report.awaiting)
        try await store.putProposal(record)
        logger.info(
            "deployment proposed",
            metadata: [
                "network": "\(record.network)", "version": "\(record.version)",
                "weight": "\(record.signedWeight)/\(record.weightRequired)",
            ])
        return json(.accepted, ProposalBody(record, status: "proposed", withDocument: false))
    }

    /// `submitted` with the signatures collected for its digest that it does not carry itself.
    private func merging(_ submitted: Deployment, with proposal: ProposalRecord) throws -> Deployment {
        let stored: Deployment
        do { stored = try Deployment(json: Array(proposal.document.utf8)) } catch {
            logger.error("a stored proposal no longer parses", metadata: ["network": "\(proposal.network)"])
            throw RegistryError.storageFailure
        }
        var merged = submitted
        let present = Set(submitted.signatures.map(\.twin))
        merged.signatures += stored.signatures.filter { !present.contains($0.twin) }
        return merged
    }

    /// Refuses a deployment that names a node the registry does not know.
    private func requireRegistered(_ nodes: [IdentityID]) async throws {
        for (i, node) in nodes.enumerated() {
            guard try await store.node(node) == nil else { continue }
            throw RegistryError(
                .unprocessableContent, "unknown_node", "nodes[\(i)].id: no node \(node) is registered",
                problems: [.init(path: "nodes[\(i)].id", message: "no node \(node) is registered")])
        }
    }

    static func problem(_ problem: DeploymentProblem) -> RegistryError.Problem {
        RegistryError.Problem(path: problem.path, message: problem.message)
    }

    func deploymentHistory(_ context: BasicRequestContext) async throws -> Response {
        let (owner, network) = try deploymentKey(context)
        let history = try await store.deploymentHistory(owner: owner, network: network)
        guard !history.isEmpty else {
            throw RegistryError(.notFound, "unknown_deployment", "no deployment of \(network) by \(owner) is stored")
        }
        return json(.ok, DeploymentHistoryBody(versions: history.map { DeploymentSummaryBody($0) }))
    }

    func deploymentDocument(_ context: BasicRequestContext) async throws -> Response {
        let (owner, network) = try deploymentKey(context)
        guard let versionText = context.parameters.get("version"), let version = Int64(versionText) else {
            throw RegistryError(.badRequest, "bad_version", "the version is not an integer")
        }
        guard let record = try await store.deployment(owner: owner, network: network, version: version) else {
            throw RegistryError(.notFound, "unknown_deployment", "version \(version) of \(network) by \(owner) is not stored")
        }
        return JSONResponse.raw(status: .ok, Array(record.document.utf8))
    }

    func deploymentKey(_ context: BasicRequestContext) throws(RegistryError) -> (String, String) {
        guard let owner = context.parameters.get("owner"), let network = context.parameters.get("network") else {
            throw RegistryError(.badRequest, "bad_path", "the path names no owner and network")
        }
        return (owner, network)
    }
}
