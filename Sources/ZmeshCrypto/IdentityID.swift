public import ZmeshModel

/// The id of a twin or a node: 26 characters of lowercase base32 (RFC 4648 alphabet, no padding) of
/// the first 16 bytes of BLAKE2b-256(`"zmesh identity id"` ‖ 0x00 ‖ Ed25519 public key).
///
/// Ids are self-certifying: whoever presents a public key can be checked against the id without
/// asking anyone (in particular not the registry, which is not trusted), and finding a second key
/// with the same id takes about 2¹²⁸ work.
public struct IdentityID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Characters in an id.
    public static let length = 26
    /// Bytes of the digest an id encodes.
    static let digestPrefix = 16
    /// Domain separation for the id derivation.
    static let domain = Array("zmesh identity id".utf8) + [0]

    /// The id text.
    public let rawValue: String

    /// The id of `publicKey`.
    public init(publicKey: Ed25519PublicKey) {
        let digest = BLAKE2b.hash256(Self.domain + publicKey.bytes)
        rawValue = Base32.encode(digest.bytes.prefix(Self.digestPrefix))
    }

    /// Parses an id: exactly 26 characters of `a–z2–7` whose last character has its two unused
    /// bits clear (one spelling per id).
    public init(_ text: some StringProtocol) throws(ParseError) {
        let s = String(text)
        guard s.utf8.count == Self.length else {
            throw ParseError(
                kind: "identity id", value: s, reason: "expected \(Self.length) characters of lowercase base32")
        }
        guard let bytes = Base32.decode(s), bytes.count == Self.digestPrefix else {
            throw ParseError(
                kind: "identity id", value: s,
                reason: "expected \(Self.length) characters of lowercase base32 (a–z, 2–7)")
        }
        rawValue = s
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
