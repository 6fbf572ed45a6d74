/// A failure of a libsodium operation. The messages name what failed and never include key material.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key, seed or signature has the wrong size.
    case wrongLength(what: String, expected: Int, actual: Int)
    /// The bytes are not a valid Ed25519 public key (not canonical, not on the curve, or of small order).
    case invalidPublicKey
    /// A sealed box could not be opened: it was sealed to another key, or it was damaged.
    case cannotOpenSealedBox
    /// The opened secret is not the private key of the WireGuard public key it was published with.
    case sealedKeyMismatch

    public var description: String {
        switch self {
        case .wrongLength(let what, let expected, let actual):
            "\(what) must be \(expected) bytes, not \(actual)"
        case .invalidPublicKey:
            "not a valid Ed25519 public key"
        case .cannotOpenSealedBox:
            "the sealed box cannot be opened with this identity: it was sealed to another key, or it is damaged"
        case .sealedKeyMismatch:
            "the sealed private key does not belong to the published WireGuard public key"
        }
    }
}
