public import ZmeshModel

/// An address family, as endpoints and outbound connectivity are described.
public enum IPFamily: String, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// IPv4.
    case ipv4
    /// IPv6.
    case ipv6

    /// The family of `address`.
    public init(of address: IPAddress) { self = address.isIPv4 ? .ipv4 : .ipv6 }

    /// "IPv4" or "IPv6", as messages write it.
    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }

    /// IPv4 sorts first: it is the family preferred when both would do.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .ipv4 && rhs == .ipv6 }
}
