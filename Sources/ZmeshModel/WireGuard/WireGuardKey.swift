/// A 32-byte Curve25519 key or preshared key, as WireGuard uses them.
///
/// Stored inline (four words), so a peer table of 10,000 keys allocates nothing per key.
/// `description` is base64, the form `wg(8)` prints; for private material use ``PrivateKey``,
/// whose description is redacted.
public struct WireGuardKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    var words: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = WireGuardKey(words: (0, 0, 0, 0))

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// Exactly 32 raw bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var w: [UInt64] = [0, 0, 0, 0]
        for (i, b) in bytes.enumerated() { w[i / 8] |= UInt64(b) << (8 * UInt64(i % 8)) }
        words = (w[0], w[1], w[2], w[3])
    }

    /// Exactly 32 raw bytes, read straight from a buffer (the hot path of parsing a device dump).
    public init?(bytes raw: UnsafeRawBufferPointer) {
        guard raw.count == Self.byteCount else { return nil }
        words = (
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        )
    }

    /// Parses base64 (44 characters, as `wg` prints) or hex (64 characters, as the UAPI speaks).
    /// The error never repeats the text, since it may be a private key.
    public init(_ text: some StringProtocol, kind: String = "key") throws(ParseError) {
        let s = text.trimmingASCIIWhitespace()
        if s.utf8.count == 64, let key = Self(hex: s) {
            self = key
        } else if let key = Self(base64: s) {
            self = key
        } else {
            throw ParseError(
                kind: kind, value: "(\(s.utf8.count) characters, not shown)",
                reason: "expected 44 characters of base64 or 64 hex digits encoding 32 bytes")
        }
    }

    /// Parses exactly 44 characters of standard base64 ending in '='.
    public init?(base64 text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 44, utf8[43] == UInt8(ascii: "=") else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(33)
        var acc: UInt32 = 0
        var bits = 0
        for c in utf8[0..<43] {
            guard let v = Base64.decodeTable[Int(c)] else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // 43 symbols carry 258 bits: 32 bytes plus 2 bits that must be zero (canonical encoding).
        guard out.count == 32, acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        self.init(bytes: out)
    }

    /// Parses exactly 64 hex digits.
    public init?(hex text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = Base64.hexValue(utf8[2 * i]), let lo = Base64.hexValue(utf8[2 * i + 1]) else { return nil }
            out[i] = hi << 4 | lo
        }
        self.init(bytes: out)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes { raw in for i in 0..<32 { out[i] = raw[i] } }
        return out
    }

    /// Calls `body` with the 32 bytes in memory order (little-endian words = wire order).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var w = (words.0.littleEndian, words.1.littleEndian, words.2.littleEndian, words.3.littleEndian)
        return try Swift.withUnsafeBytes(of: &w) { try body($0) }
    }

    public var isZero: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    public var base64: String { TextBytes.string { appendBase64(to: &$0) } }

    public var hex: String { TextBytes.string { TextBytes.appendHex(bytes: bytes, to: &$0) } }

    public var description: String { base64 }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

/// A WireGuard private key. It never prints itself: `description` is redacted, and the text forms
/// are reachable only through the explicit ``revealedBase64`` / ``revealedHex`` (for `showconf`,
/// the UAPI, and key files).
public struct PrivateKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let key: WireGuardKey

    public init(_ key: WireGuardKey) { self.key = key }

    public init(_ text: some StringProtocol) throws(ParseError) {
        key = try WireGuardKey(text, kind: "private key")
    }

    /// The key as Curve25519 uses it (RFC 7748 clamping), which is what the kernel stores and reports.
    public var clamped: PrivateKey {
        var b = key.bytes
        b[0] &= 248
        b[31] = (b[31] & 127) | 64
        return PrivateKey(WireGuardKey(bytes: b) ?? key)
    }

    public var revealedBase64: String { key.base64 }
    public var revealedHex: String { key.hex }
    public var description: String { "(private key hidden)" }
    public var debugDescription: String { description }
}

enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let decodeTable: [UInt8?] = {
        var t = [UInt8?](repeating: nil, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
