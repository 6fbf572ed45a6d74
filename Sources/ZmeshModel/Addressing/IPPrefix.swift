/// An IP network prefix (CIDR) with host bits cleared, like the kernel stores allowed IPs.
public struct IPPrefix: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let address: IPAddress
    public let length: UInt8

    /// Builds a prefix, clearing host bits. The length must fit the family.
    public init(_ address: IPAddress, length: Int) throws(ParseError) {
        guard length >= 0, length <= address.bitWidth else {
            throw ParseError(kind: "prefix", value: "\(address)/\(length)", reason: Self.outOfRange(length, address))
        }
        self.length = UInt8(length)
        self.address = Self.masked(address, length)
    }

    /// Parses `ADDRESS/LENGTH`; a bare address means a host prefix (/32 or /128), as `wg` accepts.
    public init(_ text: some StringProtocol) throws(ParseError) {
        let (address, length) = try Self.parseUnmasked(text)
        self.length = UInt8(length)
        self.address = Self.masked(address, length)
    }

    /// `ADDRESS/LENGTH` read by the rules of ``init(_:)``, with the host bits kept (for values that
    /// are an address *and* its subnet, such as an interface address): surrounding whitespace is
    /// ignored, the length is one to three ASCII digits within the family's range, a bare address
    /// has the full length. Errors name `kind` and the input.
    public static func parseUnmasked(_ text: some StringProtocol, kind: String = "prefix") throws(ParseError)
        -> (address: IPAddress, length: Int)
    {
        let trimmed = text.trimmingASCIIWhitespace()
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address: IPAddress
        do { address = try IPAddress(parts[0]) } catch {
            throw ParseError(kind: kind, value: String(trimmed), reason: error.reason)
        }
        var length = address.bitWidth
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isASCIIDigit), let n = Int(parts[1])
            else {
                throw ParseError(kind: kind, value: String(trimmed), reason: "length '\(parts[1])' is not a number")
            }
            length = n
        }
        guard length <= address.bitWidth else {
            throw ParseError(kind: kind, value: String(trimmed), reason: outOfRange(length, address))
        }
        return (address, length)
    }

    /// The reason given for a length that does not fit the address family.
    public static func outOfRange(_ length: Int, _ address: IPAddress) -> String {
        "length \(length) is out of range 0–\(address.bitWidth)"
    }

    public var isIPv4: Bool { address.isIPv4 }

    /// Whether `other` lies inside this prefix.
    public func contains(_ other: IPAddress) -> Bool { Self.masked(other, Int(length)) == address }

    /// Whether the two prefixes share any address.
    public func overlaps(_ other: IPPrefix) -> Bool {
        guard address.isIPv4 == other.address.isIPv4 else { return false }
        let shorter = min(length, other.length)
        return Self.masked(address, Int(shorter)) == Self.masked(other.address, Int(shorter))
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.length < rhs.length
    }

    static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let a):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            return .v4(IPv4Address(a.value & mask))
        case .v6(let a):
            return .v6(a.masked(to: length))
        }
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }), let last = s.lastIndex(where: { !$0.isWhitespace })
        else { return s[s.startIndex..<s.startIndex] }
        return s[first...last]
    }
}
