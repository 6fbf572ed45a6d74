/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family; the error names the text.
    public init(_ text: some StringProtocol) throws(ParseError) {
        if text.contains(":") {
            self = .v6(try IPv6Address(text))
        } else if text.contains(".") {
            self = .v4(try IPv4Address(text))
        } else {
            throw ParseError(kind: "IP address", value: String(text), reason: "not an IPv4 or IPv6 address")
        }
    }

    public var isIPv4: Bool { if case .v4 = self { true } else { false } }

    /// Network-order bytes: 4 or 16.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }

    /// The maximum prefix length of the family: 32 or 128.
    public var bitWidth: Int { isIPv4 ? 32 : 128 }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
