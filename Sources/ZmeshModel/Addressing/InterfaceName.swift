/// A Linux interface name: 1–15 bytes, no '/', no whitespace, not "." or "..".
public struct InterfaceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let maximumLength = 15
    public let rawValue: String

    public init(_ text: some StringProtocol) throws(ParseError) {
        let s = String(text)
        func fail(_ reason: String) -> ParseError { ParseError(kind: "interface name", value: s, reason: reason) }
        guard !s.isEmpty else { throw fail("it is empty") }
        guard s.utf8.count <= Self.maximumLength else {
            throw fail("it is \(s.utf8.count) bytes long; Linux allows at most \(Self.maximumLength)")
        }
        guard s != ".", s != ".." else { throw fail("'.' and '..' are not interface names") }
        guard !s.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f })
        else { throw fail("it contains '/', ':', whitespace or a control character") }
        rawValue = s
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
