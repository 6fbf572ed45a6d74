public import ZmeshCrypto
import ZmeshJSON

extension RegistryClient {
    /// Registers the client's identity as a twin (`POST /v1/twins`, signed by itself). Registering again
    /// is harmless: the answer is then the stored twin with ``Registered/isNew`` false.
    public func registerTwin() async throws(RegistryClientError) -> Registered<Twin> {
        let operation = "register twin"
        guard let identity else { throw .missingIdentity(operation: operation) }
        let call = RegistryCall(
            operation: operation, method: .post, path: "/v1/twins",
            body: WireBody.bytes([
                JSONMember("id", .string(identity.id.rawValue)), JSONMember("public_key", .string(identity.publicKey.base64)),
            ]),
            signed: true, expected: [200, 201])
        let response = try await exchange(call)
        let twin = try decode(response, call) { wire throws(WireError) in try Twin(wire: wire) }
        return Registered(record: twin, isNew: response.status == 201)
    }

    /// The twin `id` (`GET /v1/twins/{id}`, public).
    /// - Throws: ``RegistryClientError/refused(status:code:message:problems:)`` with `unknown_twin` when none.
    public func twin(_ id: IdentityID) async throws(RegistryClientError) -> Twin {
        try await fetch(RegistryCall(operation: "read twin \(id)", method: .get, path: "/v1/twins/\(id.rawValue)")) {
            wire throws(WireError) in try Twin(wire: wire)
        }
    }
}
