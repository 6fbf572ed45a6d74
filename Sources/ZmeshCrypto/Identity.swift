internal import CSodium

/// An Ed25519 key pair: the identity of a twin (a deployer) or of a node.
///
/// The secret key lives in libsodium-guarded memory and is wiped when the identity is released.
/// Nothing prints it: `description` shows only the id. A node's identity also opens the sealed
/// boxes addressed to it (see ``SealedBox``): its X25519 key is derived from the Ed25519 key.
public final class Identity: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Bytes in a seed, the 32 secret bytes an identity is derived from (RFC 8032's private key).
    public static let seedByteCount = 32

    /// libsodium's 64-byte secret key: seed ‖ public key.
    private let secretKey: SecretBytes
    /// The public half.
    public let publicKey: Ed25519PublicKey

    /// A new identity from the system's secure random generator.
    public static func generate() -> Identity {
        Sodium.ensureInitialised()
        var publicBytes = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        let secret = SecretBytes(count: Int(crypto_sign_secretkeybytes())) { buffer in
            _ = crypto_sign_keypair(&publicBytes, buffer)
        }
        return Identity(secretKey: secret, publicKey: Ed25519PublicKey(unchecked: publicBytes))
    }

    /// The identity derived from a 32-byte seed (deterministic: the same seed gives the same keys).
    /// The caller should wipe its copy of the seed.
    public convenience init(seed: some Collection<UInt8>) throws(CryptoError) {
        guard seed.count == Self.seedByteCount else {
            throw .wrongLength(what: "an identity seed", expected: Self.seedByteCount, actual: seed.count)
        }
        var seedBytes = Array(seed)
        defer { sodium_memzero(&seedBytes, seedBytes.count) }
        self.init(seedPointer: seedBytes)
    }

    /// The identity derived from the 32-byte seed at `seed` (which the caller owns and wipes).
    convenience init(seedPointer seed: UnsafePointer<UInt8>) {
        Sodium.ensureInitialised()
        var publicBytes = [UInt8](repeating: 0, count: Ed25519PublicKey.byteCount)
        let secret = SecretBytes(count: Int(crypto_sign_secretkeybytes())) { buffer in
            _ = crypto_sign_seed_keypair(&publicBytes, buffer, seed)
        }
        self.init(secretKey: secret, publicKey: Ed25519PublicKey(unchecked: publicBytes))
    }

    private init(secretKey: SecretBytes, publicKey: Ed25519PublicKey) {
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// This identity's id.
    public var id: IdentityID { publicKey.id }

    /// The Ed25519 signature of `message` by this identity.
    public func signature(for message: some Collection<UInt8>) -> Ed25519Signature {
        let text = Array(message)
        var out = [UInt8](repeating: 0, count: Ed25519Signature.byteCount)
        secretKey.withUnsafePointer { secret in
            _ = crypto_sign_detached(&out, nil, text, UInt64(text.count), secret)
        }
        return Ed25519Signature(unchecked: out)
    }

    /// Calls `body` with the 32-byte seed, the first half of libsodium's secret key (for writing
    /// the identity file). Do not let the pointer escape.
    func withSeed<R, E: Error>(_ body: (UnsafePointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try secretKey.withUnsafePointer { (secret) throws(E) -> R in try body(secret) }
    }

    /// Calls `body` with this identity's 32-byte X25519 secret key (converted from the Ed25519 key, RFC 7748
    /// clamped), wiped afterwards.
    func withX25519SecretKey<R, E: Error>(_ body: (UnsafePointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let curveSecret = SecretBytes(count: Int(crypto_scalarmult_curve25519_bytes())) { target in
            secretKey.withUnsafePointer { secret in _ = crypto_sign_ed25519_sk_to_curve25519(target, secret) }
        }
        return try curveSecret.withUnsafePointer { (secret) throws(E) -> R in try body(secret) }
    }

    public var description: String { "identity \(id) (secret key hidden)" }
    public var debugDescription: String { description }
}

extension Ed25519Signature {
    init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}
