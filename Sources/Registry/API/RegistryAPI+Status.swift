import Deployments
import Foundation
import Hummingbird
import Logging
import Prometheus
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Routes: farms, status, metrics

    func registerGridRoutes(on router: Router<BasicRequestContext>) {
        router.post("/v1/farms") { request, _ in await respond { try await createFarm(request) } }
        router.get("/v1/farms/:id") { _, context in await respond { try await farm(context) } }
        router.post("/v1/nodes/:id/status") { request, context in
            await respond { try await postStatus(request, context) }
        }
        router.get("/v1/networks/:owner/:network/status") { _, context in
            await respond { try await networkStatus(context) }
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
    }

    // MARK: Status

    /// Most networks in one status post, peers in one network report, and UTF-8 bytes of an error text.
    static let maximumStatusNetworks = 1024
    static let maximumStatusPeers = 10_000
    static let maximumErrorBytes = 1024
    static let statusStates: Set<String> = ["applied", "failed", "removed"]

    /// `POST /v1/nodes/{id}/status`, signed by that node: replaces its report for each network listed.
    func postStatus(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "only node \(id) reports its status; the request is signed by \(claim.signer)")
        }
        let post = try decode(StatusPost.self, bytes, what: "status report")
        try Self.validate(post)
        guard let node = try await store.node(id) else {
            throw RegistryError(.unauthorized, "unknown_identity", "no node \(id) is registered")
        }
        try authenticator.verify(
            claim, key: node.publicKey, method: request.method.rawValue, target: request.uri.string, body: bytes)
        for (i, report) in post.networks.enumerated()
        where try await !store.hasDeployment(owner: report.owner, network: report.network, version: report.version) {
            let path = "networks[\(i)]"
            let message = "version \(report.version) of \(report.network) by \(report.owner) is not stored"
            throw RegistryError(
                .unprocessableContent, "unknown_deployment", "\(path): \(message)", problems: [.init(path: path, message: message)])
        }
        let now = configuration.clock()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let records = try post.networks.map { report in
            NetworkStatusRecord(
                node: id, owner: report.owner, network: report.network, version: report.version, state: report.state,
                error: report.error,
                peers: String(decoding: try encoder.encode(report.peers ?? []), as: UTF8.self), reportedAt: now)
        }
        try await store.putStatuses(records)
        try await sawNode(id)
        metrics.statusPosts.increment()
        metrics.statusReports.increment(by: Int64(records.count))
        return json(.ok, StatusAccepted(accepted: records.count))
    }

    /// Checks every member; the error names the first wrong one, `problems` lists them all.
    static func validate(_ post: StatusPost) throws(RegistryError) {
        var problems: [RegistryError.Problem] = []
        func problem(_ path: String, _ message: String) { problems.append(.init(path: path, message: message)) }
        if post.networks.count > maximumStatusNetworks {
            problem("networks", "more than \(maximumStatusNetworks) networks in one report")
        }
        var seen: Set<String> = []
        for (i, report) in post.networks.prefix(maximumStatusNetworks).enumerated() {
            let path = "networks[\(i)]"
            if (try? IdentityID(report.owner)) == nil { problem("\(path).owner", "not an identity id") }
            if (try? NetworkName(report.network)) == nil {
                problem("\(path).network", "not a network name (1–32 characters a–z, 0–9 and '-')")
            }
            if !seen.insert(report.owner + "/" + report.network).inserted {
                problem(path, "\(report.network) by \(report.owner) is reported twice")
            }
            if report.version < 0 { problem("\(path).version", "negative") }
            if !statusStates.contains(report.state) {
                problem("\(path).state", "'\(report.state)' is not applied, failed or removed")
            }
            if let error = report.error, error.utf8.count > maximumErrorBytes {
                problem("\(path).error", "longer than \(maximumErrorBytes) bytes")
            }
            let peers = report.peers ?? []
            if peers.count > maximumStatusPeers {
                problem("\(path).peers", "more than \(maximumStatusPeers) peers")
            }
            for (j, peer) in peers.prefix(maximumStatusPeers).enumerated() {
                if WireGuardKey(base64: peer.publicKey) == nil {
                    problem("\(path).peers[\(j)].public_key", "not a WireGuard key (base64 of 32 bytes)")
                }
                if peer.lastHandshake < 0 {
                    problem("\(path).peers[\(j)].last_handshake", "negative (0 means no handshake)")
                }
                if let endpoint = peer.endpoint, (try? Endpoint(endpoint)) == nil {
                    problem("\(path).peers[\(j)].endpoint", "'\(endpoint.prefix(64))' is not IP:port or [IPv6]:port")
                }
            }
        }
        guard let first = problems.first else { return }
        throw RegistryError(.badRequest, "invalid_status", "\(first.path): \(first.message)", problems: problems)
    }

    /// `GET /v1/networks/{owner}/{network}/status` (public): each node of the newest stored version with its
    /// liveness and its latest report about this network.
    func networkStatus(_ context: BasicRequestContext) async throws -> Response {
        let (owner, network) = try deploymentKey(context)
        guard let latest = try await store.latestDeployment(owner: owner, network: network) else {
            throw RegistryError(.notFound, "unknown_deployment", "no deployment of \(network) by \(owner) is stored")
        }
        let document: Deployment
        do { document = try Deployment(json: latest.document) } catch {
            logger.error("a stored deployment no longer parses", metadata: ["network": "\(network)"])
            throw RegistryError.storageFailure
        }
        let ids = document.nodes.compactMap { try? IdentityID($0.id) }
        let seen = try await store.lastSeen(of: ids)
        let reports = Dictionary(
            try await store.statuses(owner: owner, network: network).map { ($0.node, $0) }, uniquingKeysWith: { a, _ in a })
        let decoder = JSONDecoder()
        let nodes = ids.map { id -> NetworkStatusBody.Node in
            let report = reports[id]
            let peers = report.flatMap { try? decoder.decode([PeerStatusBody].self, from: Data($0.peers.utf8)) } ?? []
            return NetworkStatusBody.Node(
                id: id.rawValue, lastSeen: latestSeen(id, stored: seen[id]), version: report?.version,
                state: report?.state ?? "unknown", error: report?.error, reportedAt: report?.reportedAt, peers: peers)
        }
        return json(.ok, NetworkStatusBody(owner: owner, network: network, version: latest.version, nodes: nodes))
    }
}

/// Counts every answered request by method, route pattern and status, with its latency; answers what the
/// router refuses itself (no such route: 404) as JSON too, like every other refusal.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: RegistryMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(
                method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                status: Int(response.status.code), duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.request(
                method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: Int(status.code),
                duration: ContinuousClock.now - start)
            let refusal: RegistryError =
                switch status {
                case .notFound: RegistryError(.notFound, "unknown_route", "no \(request.method.rawValue) \(request.uri.path) here")
                case .methodNotAllowed:
                    RegistryError(.methodNotAllowed, "method_not_allowed", "\(request.uri.path) does not take \(request.method.rawValue)")
                default: RegistryError(status, "http_error", status.reasonPhrase)
                }
            return refusal.response()
        }
    }
}
