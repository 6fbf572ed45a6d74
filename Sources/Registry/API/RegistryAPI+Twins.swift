import Deployments
import Foundation
import Hummingbird
import Logging
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Twins

    func registerTwin(_ request: Request) async throws -> Response {
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

    func twin(_ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        guard let record = try await store.twin(id) else {
            throw RegistryError(.notFound, "unknown_twin", "no twin \(id) is registered")
        }
        return json(.ok, TwinBody(record))
    }
}
