internal import CSodium
public import ZmeshModel

/// An Ed25519 public key (RFC 8032): the public half of a twin's or a node's identity.
/// Its text form is standard base64 (44 characters).
public struct Ed25519PublicKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes in a public key.
    public static let byteCount = 32
    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Exactly 32 bytes that encode a valid point of the main subgroup (canonical, not of small
    /// order), as `crypto_core_ed25519_is_valid_point` checks; `nil` otherwise.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        Sodium.ensureInitialised()
        let candidate = Array(bytes)
        guard crypto_core_ed25519_is_valid_point(candidate) == 1 else { return nil }
        self.bytes = candidate
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Parses canonical base64 (44 characters). The error names the text (public keys are not secret).
    public init(_ text: some StringProtocol) throws(ParseError) {
        guard let raw = Sodium.decodeBase64(text, count: Self.byteCount) else {
            throw ParseError(
                kind: "Ed25519 public key", value: String(text),
                reason: "expected 44 characters of base64 encoding 32 bytes")
        }
        guard let key = Self(bytes: raw) else {
            throw ParseError(
                kind: "Ed25519 public key", value: String(text), reason: "the bytes are not a valid curve point")
        }
        self = key
    }

    /// Standard base64 with padding.
    public var base64: String { Sodium.base64(bytes) }

    /// The identity id this key stands for.
    public var id: IdentityID { IdentityID(publicKey: self) }

    /// Whether `signature` is this key's Ed25519 signature of `message` (libsodium's strict
    /// verification: canonical signatures only).
    public func isValidSignature(_ signature: Ed25519Signature, for message: some Collection<UInt8>) -> Bool {
        Sodium.ensureInitialised()
        let text = Array(message)
        return crypto_sign_verify_detached(signature.bytes, text, UInt64(text.count), bytes) == 0
    }

    public var description: String { base64 }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

/// A detached Ed25519 signature (64 bytes); its text form is standard base64 (88 characters).
public struct Ed25519Signature: Sendable, Hashable, CustomStringConvertible {
    /// Bytes in a signature.
    public static let byteCount = 64
    /// The 64 signature bytes.
    public let bytes: [UInt8]

    /// Exactly 64 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses canonical base64 (88 characters).
    public init(_ text: some StringProtocol) throws(ParseError) {
        guard let raw = Sodium.decodeBase64(text, count: Self.byteCount) else {
            throw ParseError(
                kind: "Ed25519 signature", value: String(text),
                reason: "expected 88 characters of base64 encoding 64 bytes")
        }
        bytes = raw
    }

    /// Standard base64 with padding.
    public var base64: String { Sodium.base64(bytes) }

    public var description: String { base64 }
}
