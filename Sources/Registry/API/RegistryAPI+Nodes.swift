import Deployments
import Foundation
import Hummingbird
import Logging
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Nodes

    func registerNode(_ request: Request) async throws -> Response {
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

    func node(_ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        guard let record = try await store.node(id) else {
            throw RegistryError(.notFound, "unknown_node", "no node \(id) is registered")
        }
        return json(.ok, NodeBody(record))
    }
}
