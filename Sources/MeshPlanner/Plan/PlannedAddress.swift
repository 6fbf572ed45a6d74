public import ZmeshModel

/// An address the plan assigns to an interface, with its prefix length, as `ip address add` takes it
/// (`10.20.1.1/24`): unlike ``IPPrefix`` the host bits are kept. (The node agent turns it into
/// RouteNL's `InterfaceAddress`; this pure target cannot depend on RouteNL.)
public struct PlannedAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address itself.
    public let address: IPAddress
    /// The length of the on-link prefix (the kernel adds a route for it).
    public let prefixLength: UInt8

    /// An address with its on-link prefix length (at most the family's width).
    public init(_ address: IPAddress, prefixLength: UInt8) {
        self.address = address
        self.prefixLength = min(prefixLength, UInt8(address.bitWidth))
    }

    /// The on-link prefix the kernel routes to the interface.
    public var onLinkPrefix: IPPrefix {
        guard let prefix = try? IPPrefix(address, length: Int(prefixLength)) else {
            preconditionFailure("an interface address's prefix length fits its family")
        }
        return prefix
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.prefixLength < rhs.prefixLength
    }
}
