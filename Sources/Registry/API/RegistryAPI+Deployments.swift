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
            throw RegistryError(
                .unprocessableContent, "invalid_deployment",
                "the deployment is not valid, not validly signed, or breaks the update rules",
                problems: error.problems.map(Self.problem))
        }
        for (i, node) in validated.nodes.enumerated() {
            guard try await store.node(node.id) == nil else { continue }
            throw RegistryError(
                .unprocessableContent, "unknown_node", "nodes[\(i)].id: no node \(node.id) is registered",
                problems: [.init(path: "nodes[\(i)].id", message: "no node \(node.id) is registered")])
        }
        var recipients = validated.nodes.map(\.id)
        for node in previous?.nodes ?? [] {
            if let id = try? IdentityID(node.id), !recipients.contains(id) { recipients.append(id) }
        }
        let record = DeploymentRecord(
            owner: document.owner, network: document.network.name, version: document.version,
            digest: document.digest.hex, document: document.json(pretty: false), submittedBy: signer.id.rawValue,
            submittedAt: configuration.clock())
        do { try await store.addDeployment(record, recipients: recipients) } catch is StoreConflict {
            throw RegistryError(
                .conflict, "version_conflict", "version \(record.version) of \(record.network) was stored meanwhile")
        }
        notifier.notify(recipients)
        logger.info(
            "deployment stored",
            metadata: ["network": "\(record.network)", "version": "\(record.version)", "nodes": "\(recipients.count)"])
        return json(.created, DeploymentSummaryBody(record, status: "stored"))
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
