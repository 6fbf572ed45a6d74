public import ZmeshCrypto

/// A registered twin (a deployer's identity).
public struct Twin: Sendable, Hashable {
    public let id: IdentityID
    public let publicKey: Ed25519PublicKey
    /// Unix seconds.
    public let registeredAt: Int64

    init(wire: WireObject) throws(WireError) {
        id = try wire.identity("id")
        publicKey = try Self.key(wire, of: id)
        registeredAt = try wire.integer("registered_at")
    }

    /// The `public_key` member, checked against the self-certifying `id`: the registry is not trusted, and a
    /// key that is not the id's (a substituted node key would get secrets sealed to it) is refused.
    static func key(_ wire: WireObject, of id: IdentityID) throws(WireError) -> Ed25519PublicKey {
        let path = wire.path.isEmpty ? "public_key" : "\(wire.path).public_key"
        let text = try wire.string("public_key")
        let key: Ed25519PublicKey
        do { key = try Ed25519PublicKey(text) } catch { throw WireError(path: path, reason: "\(error)") }
        guard key.id == id else {
            throw WireError(path: path, reason: "\(text) is not the key of \(id) (its id is \(key.id))")
        }
        return key
    }
}

/// The answer to a registration: the record and whether it is new (201) or was already there (200).
public struct Registered<Record: Sendable & Hashable>: Sendable, Hashable {
    public let record: Record
    public let isNew: Bool
}
