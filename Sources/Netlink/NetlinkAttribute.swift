internal import CMnl

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

/// The attributes laid out in a byte range, iterated with libmnl's bounds checks
/// (`mnl_attr_ok` / `mnl_attr_next`): a truncated trailing attribute ends the iteration.
public struct NetlinkAttributes: Sequence {
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public struct Iterator: IteratorProtocol {
        var current: UnsafePointer<nlattr>?
        var remaining: Int32

        public mutating func next() -> NetlinkAttribute? {
            guard let attr = current, mnl_attr_ok(attr, remaining) else { return nil }
            let length = Int(attr.pointee.nla_len)
            let payload = UnsafeRawBufferPointer(
                start: UnsafeRawPointer(attr) + NetlinkSize.attributeHeader, count: length - NetlinkSize.attributeHeader)
            let result = NetlinkAttribute(type: mnl_attr_get_type(attr), payload: payload)
            remaining -= Int32(NetlinkSize.align(length))
            current = UnsafePointer(mnl_attr_next(attr))
            return result
        }
    }

    public func makeIterator() -> Iterator {
        guard let base = bytes.baseAddress, bytes.count >= NetlinkSize.attributeHeader else {
            return Iterator(current: nil, remaining: 0)
        }
        return Iterator(current: base.assumingMemoryBound(to: nlattr.self), remaining: Int32(bytes.count))
    }
}
