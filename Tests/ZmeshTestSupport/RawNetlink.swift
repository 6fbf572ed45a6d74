/// An independent, minimal netlink decoder for tests: walks messages and TLVs without libmnl or any
/// production code, so encoder tests do not check the encoder against itself.
public struct RawMessage {
    public let type: UInt16
    public let flags: UInt16
    public let sequence: UInt32
    public let payload: [UInt8]

    /// Attributes after `headerSize` bytes of fixed header.
    public func attributes(after headerSize: Int) -> [RawAttribute] { RawAttribute.parse(Array(payload.dropFirst(headerSize))) }
}

public struct RawAttribute {
    /// The full 16-bit type, flags included (so tests can check NLA_F_NESTED).
    public let rawType: UInt16
    public let payload: [UInt8]

    public var type: UInt16 { rawType & 0x3fff }
    public var isNested: Bool { rawType & 0x8000 != 0 }
    public var nested: [RawAttribute] { RawAttribute.parse(payload) }
    public var u16: UInt16 { UInt16(payload[0]) | UInt16(payload[1]) << 8 }
    public var u32: UInt32 { (0..<4).reduce(0) { $0 | UInt32(payload[$1]) << (8 * UInt32($1)) } }
    public var string: String { String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self) }

    public func first(_ type: UInt16) -> RawAttribute? { nested.first { $0.type == type } }

    public static func parse(_ bytes: [UInt8]) -> [RawAttribute] {
        var out: [RawAttribute] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            let type = UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8
            guard length >= 4, offset + length <= bytes.count else { break }
            out.append(RawAttribute(rawType: type, payload: Array(bytes[(offset + 4)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return out
    }
}

extension RawMessage {
    /// Splits a datagram into messages.
    public static func parse(datagram bytes: [UInt8]) -> [RawMessage] {
        var out: [RawMessage] = []
        var offset = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        while offset + 16 <= bytes.count {
            let length = Int(u32(offset))
            guard length >= 16, offset + length <= bytes.count else { break }
            out.append(
                RawMessage(
                    type: u16(offset + 4), flags: u16(offset + 6), sequence: u32(offset + 8),
                    payload: Array(bytes[(offset + 16)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return out
    }
}
