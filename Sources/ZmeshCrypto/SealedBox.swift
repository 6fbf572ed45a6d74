internal import CSodium
public import ZmeshModel

/// Anonymous public-key encryption to an identity (libsodium's `crypto_box_seal`: an ephemeral
/// X25519 key, XSalsa20-Poly1305, 48 bytes of overhead). Only the holder of the recipient's secret
/// key can open the box; the sender cannot, and nobody learns who sealed it.
///
/// The recipient's X25519 key is derived from its Ed25519 identity key
/// (`crypto_sign_ed25519_pk_to_curve25519`), so a node publishes one key, bound to its id.
public enum SealedBox {
    /// Bytes a sealed box adds to its plaintext: the ephemeral public key and the MAC.
    public static let overhead = Int(crypto_box_sealbytes())

    /// Seals `plaintext` to `recipient`.
    public static func seal(
        _ plaintext: some Collection<UInt8>, to recipient: Ed25519PublicKey
    ) throws(CryptoError) -> [UInt8] {
        Sodium.ensureInitialised()
        var curvePublic = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_bytes()))
        guard crypto_sign_ed25519_pk_to_curve25519(&curvePublic, recipient.bytes) == 0 else {
            throw .invalidPublicKey
        }
        var message = Array(plaintext)
        defer { sodium_memzero(&message, message.count) }
        var sealed = [UInt8](repeating: 0, count: message.count + overhead)
        guard crypto_box_seal(&sealed, message, UInt64(message.count), curvePublic) == 0 else {
            throw .invalidPublicKey
        }
        return sealed
    }

    /// Opens `sealed` with `identity` and calls `body` with the plaintext, which is wiped afterwards.
    public static func open<R, E: Error>(
        _ sealed: some Collection<UInt8>, with identity: Identity,
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(CryptoError) -> Result<R, E> {
        let box = Array(sealed)
        guard box.count >= overhead else { throw .cannotOpenSealedBox }
        var curvePublic = [UInt8](repeating: 0, count: Int(crypto_scalarmult_curve25519_bytes()))
        guard crypto_sign_ed25519_pk_to_curve25519(&curvePublic, identity.publicKey.bytes) == 0 else {
            throw .invalidPublicKey
        }
        var plaintext = [UInt8](repeating: 0, count: box.count - overhead)
        defer { sodium_memzero(&plaintext, plaintext.count) }
        let opened = identity.withX25519SecretKey { secret in
            crypto_box_seal_open(
                &plaintext, box, UInt64(box.count), curvePublic, secret)
        }
        guard opened == 0 else { throw .cannotOpenSealedBox }
        return plaintext.withUnsafeBytes { raw in
            do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
        }
    }
}

/// A WireGuard private key sealed to a node's identity: 80 bytes (32-byte key plus the sealed-box
/// overhead), written as standard base64 (108 characters) in deployment documents.
public struct SealedPrivateKey: Sendable, Hashable, CustomStringConvertible {
    /// Bytes of a sealed WireGuard private key.
    public static let byteCount = WireGuardKey.byteCount + SealedBox.overhead
    /// The sealed box.
    public let bytes: [UInt8]

    /// Exactly ``byteCount`` bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses canonical base64 of exactly ``byteCount`` bytes.
    public init(_ text: some StringProtocol) throws(ParseError) {
        guard let raw = Sodium.decodeBase64(text, count: Self.byteCount) else {
            throw ParseError(
                kind: "sealed private key", value: "(\(text.utf8.count) characters)",
                reason: "expected 108 characters of base64 encoding an 80-byte sealed box")
        }
        bytes = raw
    }

    /// Seals `privateKey` to the node whose identity key is `node`.
    public init(sealing privateKey: PrivateKey, to node: Ed25519PublicKey) throws(CryptoError) {
        var secret = privateKey.key.bytes
        defer { sodium_memzero(&secret, secret.count) }
        bytes = try SealedBox.seal(secret, to: node)
    }

    /// Opens the key with the node's identity and checks that it is the private key of
    /// `expectedPublicKey` (the WireGuard public key published next to it).
    public func open(with identity: Identity, expectedPublicKey: WireGuardKey) throws(CryptoError) -> PrivateKey {
        let result = try SealedBox.open(bytes, with: identity) { raw -> PrivateKey? in
            WireGuardKey(bytes: raw).map(PrivateKey.init)
        }
        guard case .success(let opened?) = result else { throw .cannotOpenSealedBox }
        guard WireGuardKeys.publicKey(for: opened) == expectedPublicKey else { throw .sealedKeyMismatch }
        return opened
    }

    /// Standard base64 with padding. Sealed keys are safe to publish.
    public var base64: String { Sodium.base64(bytes) }

    public var description: String { base64 }
}
