public import ZmeshCrypto
public import ZmeshModel

/// A network name: `^[a-z0-9][a-z0-9-]{0,31}$`.
public struct NetworkName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The longest name, in characters.
    public static let maximumLength = 32
    /// The name text.
    public let rawValue: String

    /// Checks the name's syntax.
    public init(_ text: some StringProtocol) throws(ParseError) {
        let s = String(text)
        let utf8 = Array(s.utf8)
        let isLowerAlphanumeric = { (c: UInt8) in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        guard let first = utf8.first, isLowerAlphanumeric(first), utf8.count <= Self.maximumLength,
            utf8.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else {
            throw ParseError(
                kind: "network name", value: s,
                reason: "use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit")
        }
        rawValue = s
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A network's id: the first 13 characters of lowercase base32 (RFC 4648, no padding) of
/// BLAKE2b-256(`"zmesh network id"` ‖ 0x00 ‖ owner id ‖ 0x00 ‖ network name).
///
/// Thirteen characters keep `n-<id>`, `w-<id>` and `b-<id>` within Linux's 15-byte interface names.
/// The id depends on the owner and the name only, so it is the same for every version.
public struct NetworkID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Characters in a network id.
    public static let length = 13
    static let domain = Array("zmesh network id".utf8) + [0]

    /// The id text.
    public let rawValue: String

    /// The id of `owner`'s network `name`.
    public init(owner: IdentityID, name: NetworkName) {
        let digest = BLAKE2b.hash256(Self.domain + Array(owner.rawValue.utf8) + [0] + Array(name.rawValue.utf8))
        rawValue = String(Base32.encode(digest.bytes).prefix(Self.length))
    }

    /// Parses 13 characters of lowercase base32.
    public init(_ text: some StringProtocol) throws(ParseError) {
        let s = String(text)
        guard s.utf8.count == Self.length,
            s.utf8.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                    || ($0 >= UInt8(ascii: "2") && $0 <= UInt8(ascii: "7"))
            })
        else { throw ParseError(kind: "network id", value: s, reason: "expected 13 characters of a–z and 2–7") }
        rawValue = s
    }

    /// The network resource's namespace, `n-<id>`.
    public var namespaceName: String { "n-" + rawValue }
    /// The WireGuard interface, `w-<id>`.
    public var wireGuardInterface: InterfaceName { interface("w-") }
    /// The workload bridge, `b-<id>`.
    public var bridgeInterface: InterfaceName { interface("b-") }

    private func interface(_ prefix: String) -> InterfaceName {
        guard let name = try? InterfaceName(prefix + rawValue) else {
            preconditionFailure("a 15-byte interface name built from a network id is valid")
        }
        return name
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
