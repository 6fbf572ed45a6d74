import Deployments
import Hummingbird
import Logging
import ZmeshCrypto

extension RegistryAPI {
    // MARK: Farms

    /// `POST /v1/farms`, signed by a registered twin. Farm names follow the network-name rule (1–32 characters
    /// a–z, 0–9, '-'): they appear in paths, logs and command output, where a plain handle needs no escaping
    /// and cannot hide look-alike characters. Names are unique per owner, so a retried creation (a new nonce
    /// after a lost answer) returns the same farm with 200 instead of making a second one.
    func createFarm(_ request: Request) async throws -> Response {
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let creation = try decode(FarmCreation.self, bytes, what: "farm")
        guard let name = try? NetworkName(creation.name) else {
            throw RegistryError(
                .badRequest, "bad_name", "name: '\(creation.name)' is not 1–32 characters a–z, 0–9 and '-' starting with a letter or digit")
        }
        guard let owner = try await store.twin(claim.signer) else {
            throw RegistryError(.unauthorized, "unknown_identity", "no twin \(claim.signer) is registered")
        }
        try authenticator.verify(
            claim, key: owner.publicKey, method: request.method.rawValue, target: request.uri.string, body: bytes)
        let created: (farm: FarmRecord, isNew: Bool)
        do {
            created = try await store.addFarm(name: name.rawValue, owner: owner.id, createdAt: configuration.clock())
        } catch is FarmIDsExhausted {
            throw RegistryError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "farm_ids_exhausted", "every farm id a 32-bit number holds is taken")
        }
        if created.isNew { logger.info("farm created", metadata: ["farm": "\(created.farm.id)", "owner": "\(owner.id)"]) }
        return json(created.isNew ? .created : .ok, FarmBody(created.farm))
    }

    /// `GET /v1/farms/{id}`.
    func farm(_ context: BasicRequestContext) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = UInt32(text), id > 0 else {
            throw RegistryError(.badRequest, "bad_path", "the farm id is not an integer in 1...\(UInt32.max)")
        }
        guard let record = try await store.farm(id) else {
            throw RegistryError(.notFound, "unknown_farm", "no farm \(id) is registered")
        }
        return json(.ok, FarmBody(record))
    }
}
