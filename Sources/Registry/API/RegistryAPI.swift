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
    /// Prometheus metrics (`GET /metrics`), long-poll cap and last-seen times: RegistryAPI+Status.swift.
    let metrics = RegistryMetrics()
    let polls: PollLimiter
    let lastSeen = LastSeenTracker(writeInterval: 60)
    /// Serialises deployment submissions, so that concurrent approvals of one proposal all count.
    let submissions = AsyncLock()

    init(store: any RegistryStore, configuration: RegistryConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        let metrics = self.metrics
        self.authenticator = RequestAuthenticator(
            clockSkew: configuration.clockSkewSeconds, now: configuration.clock,
            rateLimiter: RateLimiter(rate: configuration.rateLimitPerSecond, burst: configuration.rateBurst),
            onRateLimited: { metrics.countRateLimited() })
        self.polls = PollLimiter(maximum: configuration.maximumPollsPerNode)
    }

    /// Adds the routes to `router`.
    func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        registerGridRoutes(on: router)
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
        router.get("/v1/proposals") { request, _ in await respond { try await proposals(request) } }
        router.get("/v1/proposals/:digest") { _, context in await respond { try await proposal(context) } }
    }

    /// Runs a handler, turning refusals into JSON errors and store failures into a logged 500.
    func respond(_ handler: () async throws -> Response) async -> Response {
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
    func body(of request: Request) async throws(RegistryError) -> [UInt8] {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: configuration.maximumBodyBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw .bodyTooLarge(limit: configuration.maximumBodyBytes)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], what: String) throws(RegistryError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch { throw .malformed(what, error) }
    }

    func identityParameter(_ context: BasicRequestContext, _ name: String = "id") throws(RegistryError)
        -> IdentityID
    {
        guard let text = context.parameters.get(name), let id = try? IdentityID(text) else {
            throw RegistryError(.badRequest, "bad_identity", "the path does not name an identity id")
        }
        return id
    }

    func publicKey(_ text: String) throws(RegistryError) -> Ed25519PublicKey {
        do { return try Ed25519PublicKey(text) } catch {
            throw RegistryError(.badRequest, "bad_public_key", error.description)
        }
    }

    /// The signer of a self-registration must be the identity being registered, and its id must be its key's.
    func selfCertified(idText: String, keyText: String) throws(RegistryError) -> (IdentityID, Ed25519PublicKey) {
        guard let id = try? IdentityID(idText) else {
            throw RegistryError(.badRequest, "bad_identity", "id is not an identity id")
        }
        let key = try publicKey(keyText)
        guard key.id == id else {
            throw RegistryError(.badRequest, "id_mismatch", "id \(id) is not derived from public_key (that key's id is \(key.id))")
        }
        return (id, key)
    }

    func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        JSONResponse.make(status: status, value)
    }
}
