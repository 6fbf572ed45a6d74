internal import CMnl

/// One netlink request being built in a fixed-size buffer with libmnl. The buffer size is the
/// message budget: every `put` reports whether it fitted instead of overflowing, which is what lets
/// callers split a large request across messages (as wireguard-tools does).
public final class NetlinkMessage {
    public let capacity: Int
    private let buffer: UnsafeMutableRawPointer
    private var header: UnsafeMutablePointer<nlmsghdr>

    /// Starts a message: a zeroed 16-byte header with `type` and `flags`.
    public init(type: UInt16, flags: UInt16, capacity: Int) {
        precondition(capacity >= 64 && capacity % 4 == 0, "netlink budget must be a multiple of 4, at least 64")
        self.capacity = capacity
        buffer = .allocate(byteCount: capacity, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        header = mnl_nlmsg_put_header(buffer)
        header.pointee.nlmsg_type = type
        header.pointee.nlmsg_flags = flags
    }

    deinit { buffer.deallocate() }

    public var type: UInt16 { header.pointee.nlmsg_type }
    public var flags: UInt16 {
        get { header.pointee.nlmsg_flags }
        set { header.pointee.nlmsg_flags = newValue }
    }
    public var sequence: UInt32 {
        get { header.pointee.nlmsg_seq }
        set { header.pointee.nlmsg_seq = newValue }
    }
    /// Bytes used so far (the header's `nlmsg_len`).
    public var length: Int { Int(header.pointee.nlmsg_len) }
    public var remaining: Int { capacity - length }

    /// The encoded message.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: length) }

    /// Appends the 4-byte generic-netlink header.
    public func putGenericHeader(command: UInt8, version: UInt8) {
        let raw = putExtraHeader(size: NetlinkSize.genericHeader)
        raw.storeBytes(of: command, toByteOffset: 0, as: UInt8.self)
        raw.storeBytes(of: version, toByteOffset: 1, as: UInt8.self)
    }

    /// Appends a zeroed fixed header of `size` bytes (genlmsghdr, nlmsgerr, …) and returns it for filling.
    /// Fixed headers come first and are small; not fitting is a programming error, not an input error.
    public func putExtraHeader(size: Int) -> UnsafeMutableRawBufferPointer {
        precondition(NetlinkSize.align(size) <= remaining, "a \(size)-byte header does not fit a \(capacity)-byte message")
        guard let raw = mnl_nlmsg_put_extra_header(header, size) else { preconditionFailure("libmnl returned no header") }
        return UnsafeMutableRawBufferPointer(start: raw, count: size)
    }

    @discardableResult
    public func put(_ type: UInt16, bytes: UnsafeRawBufferPointer) -> Bool {
        mnl_attr_put_check(header, capacity, type, bytes.count, bytes.baseAddress)
    }

    @discardableResult
    public func put(_ type: UInt16, bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { put(type, bytes: $0) }
    }

    @discardableResult
    public func put(_ type: UInt16, u8 value: UInt8) -> Bool { mnl_attr_put_u8_check(header, capacity, type, value) }
    @discardableResult
    public func put(_ type: UInt16, u16 value: UInt16) -> Bool { mnl_attr_put_u16_check(header, capacity, type, value) }
    @discardableResult
    public func put(_ type: UInt16, u32 value: UInt32) -> Bool { mnl_attr_put_u32_check(header, capacity, type, value) }
    @discardableResult
    public func put(_ type: UInt16, u64 value: UInt64) -> Bool { mnl_attr_put_u64_check(header, capacity, type, value) }

    /// A NUL-terminated string (`mnl_attr_put_strz`), as names must be sent.
    @discardableResult
    public func put(_ type: UInt16, string value: String) -> Bool {
        mnl_attr_put_strz_check(header, capacity, type, value)
    }

    /// Opens a nest (libmnl sets `NLA_F_NESTED`), or returns `nil` when even its header does not fit.
    public func startNest(_ type: UInt16) -> Nest? {
        guard let attr = mnl_attr_nest_start_check(header, capacity, type) else { return nil }
        return Nest(attribute: UnsafeMutableRawPointer(attr))
    }

    public func endNest(_ nest: Nest) {
        mnl_attr_nest_end(header, nest.attribute.assumingMemoryBound(to: nlattr.self))
    }

    /// Removes a nest and everything put into it since ``startNest(_:)``.
    public func cancelNest(_ nest: Nest) {
        mnl_attr_nest_cancel(header, nest.attribute.assumingMemoryBound(to: nlattr.self))
    }

    /// Marks where an attribute nest started.
    public struct Nest {
        let attribute: UnsafeMutableRawPointer
    }
}
