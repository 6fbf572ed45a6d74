public import ZmeshCrypto

/// A registered twin (a deployer's identity).
public struct Twin: Sendable, Hashable {
    public let id: IdentityID
    public let publicKey: Ed25519PublicKey
    /// Unix seconds.
    public let registeredAt: Int64

    init(wire: WireObject) throws(WireError) {
        id = try wire.identity("id")
        publicKey = try Self.key(wire)
        registeredAt = try wire.integer("registered_at")
    }

    static func key(_ wire: WireObject) throws(WireError) -> Ed25519PublicKey {
        let text = try wire.string("public_key")
        do { return try Ed25519PublicKey(text) } catch {
            throw WireError(path: wire.path.isEmpty ? "public_key" : "\(wire.path).public_key", reason: "\(error)")
        }
    }
}

/// The answer to a registration: the record and whether it is new (201) or was already there (200).
public struct Registered<Record: Sendable & Hashable>: Sendable, Hashable {
    public let record: Record
    public let isNew: Bool
}
