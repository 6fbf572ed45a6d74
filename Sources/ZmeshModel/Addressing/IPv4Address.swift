/// An IPv4 address stored as a host-order `UInt32`.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Network-order bytes (4).
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Network-order bytes (4), read straight from a buffer.
    public init?(bytes raw: UnsafeRawBufferPointer) {
        guard raw.count == 4 else { return nil }
        value = UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self))
    }

    /// Parses dotted-quad notation; leading zeros are refused (they mean octal to some tools).
    public init(_ text: some StringProtocol) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(kind: "IPv4 address", value: String(text), reason: reason) }
        var result: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit) else {
                throw fail("expected four decimal octets")
            }
            guard part.count == 1 || part.first != "0" else { throw fail("octet '\(part)' has a leading zero") }
            guard let octet = UInt32(part), octet <= 255 else { throw fail("octet '\(part)' is over 255") }
            result = result << 8 | octet
            octets += 1
        }
        guard octets == 4 else { throw fail("expected four decimal octets") }
        value = result
    }

    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public var description: String { TextBytes.string { append(to: &$0) } }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
