import Deployments
import Foundation
import Hummingbird
import Logging
import ZmeshCrypto
import ZmeshModel

/// The `/v1` handlers. Each one parses and authenticates the whole request before it touches the
/// store, so a refused request stores nothing.
struct RegistryAPI: Sendable {
    let store: any RegistryStore
    let configuration: RegistryConfiguration
    let logger: Logger
    let authenticator: RequestAuthenticator
    let notifier = MailboxNotifier()

    init(store: any RegistryStore, configuration: RegistryConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.authenticator = RequestAuthenticator(clockSkew: configuration.clockSkewSeconds, now: configuration.clock)
    }

    /// Adds the routes to `router`.
    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/twins") { request, _ in await respond { try await registerTwin(request) } }
        router.get("/v1/twins/:id") { _, context in await respond { try await twin(context) } }
        router.post("/v1/nodes") { request, _ in await respond { try await registerNode(request) } }
        router.get("/v1/nodes/:id") { _, context in await respond { try await node(context) } }
        router.get("/v1/nodes/:id/mailbox") { request, context in
            await respond { try await mailbox(request, context) }
        }
        router.post("/v1/deployments") { request, _ in await respond { try await submitDeployment(request) } }
        router.get("/v1/deployments/:owner/:network") { _, context in
            await respond { try await deploymentHistory(context) }
        }
        router.get("/v1/deployments/:owner/:network/:version") { _, context in
            await respond { try await deploymentDocument(context) }
        }
    }

    /// Runs a handler, turning refusals into JSON errors and store failures into a logged 500.
    private func respond(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as RegistryError {
            return error.response()
        } catch {
            logger.error("registry request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return RegistryError.storageFailure.response()
        }
    }

    // MARK: Request helpers

    /// The body, at most `maximumBodyBytes`.
    private func body(of request: Request) async throws(RegistryError) -> [UInt8] {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: configuration.maximumBodyBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw .bodyTooLarge(limit: configuration.maximumBodyBytes)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(RegistryError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch { throw .malformed(what, error) }
    }

    private func identityParameter(_ context: BasicRequestContext, _ name: String = "id") throws(RegistryError)
        -> IdentityID
    {
        guard let text = context.parameters.get(name), let id = try? IdentityID(text) else {
            throw RegistryError(.badRequest, "bad_identity", "the path does not name an identity id")
        }
        return id
    }

    private func publicKey(_ text: String) throws(RegistryError) -> Ed25519PublicKey {
        do { return try Ed25519PublicKey(text) } catch {
            throw RegistryError(.badRequest, "bad_public_key", error.description)
        }
    }

    /// The signer of a self-registration must be the identity being registered, and its id must be its key's.
    private func selfCertified(idText: String, keyText: String) throws(RegistryError) -> (IdentityID, Ed25519PublicKey) {
        guard let id = try? IdentityID(idText) else {
            throw RegistryError(.badRequest, "bad_identity", "id is not an identity id")
        }
        let key = try publicKey(keyText)
        guard key.id == id else {
            throw RegistryError(.badRequest, "id_mismatch", "id \(id) is not derived from public_key (that key's id is \(key.id))")
        }
        return (id, key)
    }

    private func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        JSONResponse.make(status: status, value)
    }

    // MARK: Twins

    private func registerTwin(_ request: Request) async throws -> Response {
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let registration = try decode(TwinRegistration.self, bytes, what: "twin registration")
        let (id, key) = try selfCertified(idText: registration.id, keyText: registration.publicKey)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "a twin registers itself: the request is signed by \(claim.signer)")
        }
        try authenticator.verify(
            claim, key: key, method: request.method.rawValue, target: request.uri.string, body: bytes)
        let record = TwinRecord(id: id, publicKey: key, registeredAt: configuration.clock())
        let isNew = try await store.addTwin(record)
        let stored = try await store.twin(id) ?? record
        return json(isNew ? .created : .ok, TwinBody(stored))
    }

    private func twin(_ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        guard let record = try await store.twin(id) else {
            throw RegistryError(.notFound, "unknown_twin", "no twin \(id) is registered")
        }
        return json(.ok, TwinBody(record))
    }

    // MARK: Nodes

    private func registerNode(_ request: Request) async throws -> Response {
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let registration = try decode(NodeRegistration.self, bytes, what: "node registration")
        let (id, key) = try selfCertified(idText: registration.id, keyText: registration.publicKey)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "a node registers itself: the request is signed by \(claim.signer)")
        }
        var endpoints: [String] = []
        for (i, text) in registration.endpoints.enumerated() {
            guard let endpoint = try? Endpoint(text) else {
                throw RegistryError(.badRequest, "bad_endpoint", "endpoints[\(i)] is not address:port ([IPv6]:port)")
            }
            endpoints.append(endpoint.description)
        }
        try authenticator.verify(
            claim, key: key, method: request.method.rawValue, target: request.uri.string, body: bytes)
        let record = NodeRecord(
            id: id, farm: registration.farm, publicKey: key, endpoints: endpoints, updatedAt: configuration.clock())
        let isNew = try await store.putNode(record)
        return json(isNew ? .created : .ok, NodeBody(record))
    }

    private func node(_ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        guard let record = try await store.node(id) else {
            throw RegistryError(.notFound, "unknown_node", "no node \(id) is registered")
        }
        return json(.ok, NodeBody(record))
    }

    // MARK: Deployments

    private func submitDeployment(_ request: Request) async throws -> Response {
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

    private static func problem(_ problem: DeploymentProblem) -> RegistryError.Problem {
        RegistryError.Problem(path: problem.path, message: problem.message)
    }

    private func deploymentHistory(_ context: BasicRequestContext) async throws -> Response {
        let (owner, network) = try deploymentKey(context)
        let history = try await store.deploymentHistory(owner: owner, network: network)
        guard !history.isEmpty else {
            throw RegistryError(.notFound, "unknown_deployment", "no deployment of \(network) by \(owner) is stored")
        }
        return json(.ok, DeploymentHistoryBody(versions: history.map { DeploymentSummaryBody($0) }))
    }

    private func deploymentDocument(_ context: BasicRequestContext) async throws -> Response {
        let (owner, network) = try deploymentKey(context)
        guard let versionText = context.parameters.get("version"), let version = Int64(versionText) else {
            throw RegistryError(.badRequest, "bad_version", "the version is not an integer")
        }
        guard let record = try await store.deployment(owner: owner, network: network, version: version) else {
            throw RegistryError(.notFound, "unknown_deployment", "version \(version) of \(network) by \(owner) is not stored")
        }
        return JSONResponse.raw(status: .ok, Array(record.document.utf8))
    }

    private func deploymentKey(_ context: BasicRequestContext) throws(RegistryError) -> (String, String) {
        guard let owner = context.parameters.get("owner"), let network = context.parameters.get("network") else {
            throw RegistryError(.badRequest, "bad_path", "the path names no owner and network")
        }
        return (owner, network)
    }

    // MARK: Mailbox

    /// Long-poll: answers at once when items above `after` exist, else holds until one arrives or `wait` ends.
    private func mailbox(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let query = request.uri.queryParameters
        let after = try integer(query.get("after"), name: "after", range: 0...Int64.max, default: 0)
        let wait = try integer(query.get("wait"), name: "wait", range: 0...configuration.maximumWaitSeconds, default: 0)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "only node \(id) reads its mailbox; the request is signed by \(claim.signer)")
        }
        guard let node = try await store.node(id) else {
            throw RegistryError(.unauthorized, "unknown_identity", "no node \(id) is registered")
        }
        try authenticator.verify(
            claim, key: node.publicKey, method: request.method.rawValue, target: request.uri.string, body: bytes)

        let end = ContinuousClock.now + .seconds(wait)
        var generation = notifier.generation(of: id)
        var items = try await store.mailbox(node: id, after: after, limit: configuration.mailboxPageSize)
        while items.isEmpty, !Task.isCancelled, !notifier.isShutDown {
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else { break }
            await notifier.wait(for: id, beyond: generation, timeout: remaining)
            generation = notifier.generation(of: id)
            items = try await store.mailbox(node: id, after: after, limit: configuration.mailboxPageSize)
        }
        return json(.ok, MailboxBody(cursor: items.last?.cursor ?? after, items: items.map(MailboxBody.Item.init)))
    }

    private func integer(_ text: String?, name: String, range: ClosedRange<Int64>, default value: Int64)
        throws(RegistryError) -> Int64
    {
        guard let text else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw RegistryError(.badRequest, "bad_query", "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
