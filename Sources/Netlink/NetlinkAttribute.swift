/// One attribute of a received message. Valid only while the receive buffer it points into is.
public struct NetlinkAttribute {
    /// The attribute type with `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` masked off.
    public let type: UInt16
    public let payload: UnsafeRawBufferPointer

    public var u8: UInt8? { payload.count >= 1 ? payload.load(as: UInt8.self) : nil }
    public var u16: UInt16? { payload.count >= 2 ? payload.loadUnaligned(as: UInt16.self) : nil }
    public var u32: UInt32? { payload.count >= 4 ? payload.loadUnaligned(as: UInt32.self) : nil }
    public var u64: UInt64? { payload.count >= 8 ? payload.loadUnaligned(as: UInt64.self) : nil }

    /// A string attribute, with or without its terminating NUL.
    public var string: String {
        let bytes = payload.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The attributes nested inside this one.
    public var nested: NetlinkAttributes { NetlinkAttributes(payload) }
}

/// The attributes laid out in a byte range. A truncated or malformed trailing attribute ends the
/// iteration (the bounds checks of libmnl's `mnl_attr_ok`).
///
/// Walked in Swift rather than with `mnl_attr_ok`/`mnl_attr_next`: those are not inlinable from Swift,
/// and a 10,000-peer dump has a quarter of a million attributes, so a C call each showed in profiles.
public struct NetlinkAttributes: Sequence {
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var offset: Int

        @inline(__always)
        public mutating func next() -> NetlinkAttribute? {
            let header = NetlinkSize.attributeHeader
            guard offset + header <= bytes.count else { return nil }
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard length >= header, offset + length <= bytes.count else { return nil }
            let type = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & NetlinkAttributeFlags.NLA_TYPE_MASK
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<(offset + length)])
            offset += NetlinkSize.align(length)
            return NetlinkAttribute(type: type, payload: payload)
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes, offset: 0) }
}
