internal import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`, unkeyed.
public enum BLAKE2b {
    /// The BLAKE2b-256 digest of `bytes`.
    public static func hash256(_ bytes: some Collection<UInt8>) -> BLAKE2bDigest {
        Sodium.ensureInitialised()
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: BLAKE2bDigest.byteCount)
        // Fails only for out-of-range lengths, and 32 is in range.
        _ = crypto_generichash_blake2b(&out, out.count, input, UInt64(input.count), nil, 0)
        return BLAKE2bDigest(unchecked: out)
    }
}

/// A 32-byte BLAKE2b-256 digest; its description is lowercase hex.
public struct BLAKE2bDigest: Sendable, Hashable, CustomStringConvertible {
    /// Bytes in a digest.
    public static let byteCount = 32
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Exactly 32 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Lowercase hex, 64 digits.
    public var hex: String { Sodium.hex(bytes) }

    public var description: String { hex }
}
