/// An IPv6 address stored as two host-order words (the first byte on the wire is the high byte of
/// `high`). Not `UInt128`: Swift 6.3 on Linux can spill a `UInt128` to a stack slot it assumes is
/// 16-byte aligned when it is not (a crash seen here in debug builds).
public struct IPv6Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Network-order bytes (16).
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { high = high << 8 | UInt64(b) } else { low = low << 8 | UInt64(b) }
        }
        self.init(high: high, low: low)
    }

    /// Network-order bytes (16), read straight from a buffer.
    public init?(bytes raw: UnsafeRawBufferPointer) {
        guard raw.count == 16 else { return nil }
        self.init(
            high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Parses RFC 4291 text: eight groups, one `::`, or a trailing embedded IPv4 address.
    public init(_ text: some StringProtocol) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(kind: "IPv6 address", value: String(text), reason: reason) }
        let s = Substring(text)
        guard !s.isEmpty, s.count <= 45 else { throw fail("not an IPv6 address") }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = s.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { throw fail("more than one '::'") }
        sawGap = halves.count == 2
        func parseGroups(_ part: Substring, allowIPv4: Bool) throws(ParseError) -> [UInt16] {
            if part.isEmpty { return [] }
            var groups: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if allowIPv4 && i == pieces.count - 1 && piece.contains(".") {
                    let v4: IPv4Address
                    do { v4 = try IPv4Address(piece) } catch { throw fail("bad embedded IPv4 address '\(piece)'") }
                    groups.append(UInt16(v4.value >> 16))
                    groups.append(UInt16(v4.value & 0xffff))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, piece.allSatisfy(\.isASCIIHexDigit),
                    let g = UInt16(piece, radix: 16)
                else { throw fail("bad group '\(piece)'") }
                groups.append(g)
            }
            return groups
        }
        if sawGap {
            head = try parseGroups(halves[0], allowIPv4: false)
            tail = try parseGroups(halves[1], allowIPv4: true)
            guard head.count + tail.count <= 7 else { throw fail("too many groups") }
        } else {
            head = try parseGroups(halves[0], allowIPv4: true)
            guard head.count == 8 else { throw fail("expected eight groups") }
        }
        let groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    public var bytes: [UInt8] {
        (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> UInt64(56 - 8 * (i % 8))) }
    }

    var groups: [UInt16] {
        (0..<8).map { i in UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4))) }
    }

    /// The address with only the first `length` bits kept.
    public func masked(to length: Int) -> IPv6Address {
        let highMask: UInt64 = length >= 64 ? ~0 : (length <= 0 ? 0 : ~UInt64(0) << (64 - length))
        let lowMask: UInt64 = length >= 128 ? ~0 : (length <= 64 ? 0 : ~UInt64(0) << (128 - length))
        return IPv6Address(high: high & highMask, low: low & lowMask)
    }

    /// Text as glibc's `inet_ntop` writes it (see ``append(to:)``), so output matches wireguard-tools.
    public var description: String { TextBytes.string { append(to: &$0) } }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

extension Substring {
    /// Splits at "::" occurrences (a ":::" run is left to the group parser to refuse).
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<i])
                start = index(after: next)
                i = start
                continue
            }
            i = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}
