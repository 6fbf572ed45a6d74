/// One message of a reply datagram. Valid only inside the callback that receives it.
public struct ReceivedMessage {
    public let type: UInt16
    public let flags: UInt16
    public let sequence: UInt32
    public let portID: UInt32
    /// Everything after the 16-byte header.
    public let payload: UnsafeRawBufferPointer

    public init(type: UInt16, flags: UInt16, sequence: UInt32, portID: UInt32, payload: UnsafeRawBufferPointer) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
        self.payload = payload
    }

    /// The attributes after a fixed header of `headerSize` bytes (4 for generic netlink, 16 for links).
    public func attributes(after headerSize: Int) -> NetlinkAttributes {
        guard payload.count >= headerSize else { return NetlinkAttributes(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return NetlinkAttributes(UnsafeRawBufferPointer(rebasing: payload[headerSize...]))
    }
}

/// The content of an `NLMSG_ERROR` message: the errno (0 for an ACK) and the extended-ACK fields.
public struct AcknowledgementMessage: Equatable, Sendable {
    public let error: Int32
    public let message: String?
    public let offset: UInt32?

    /// Parses `struct nlmsgerr` followed, when `NLM_F_ACK_TLVS` is set, by extended-ACK attributes
    /// (after the echoed request: only its header when `NLM_F_CAPPED`, else the whole request).
    public init(parsing received: ReceivedMessage, operation: String) throws(NetlinkError) {
        let p = received.payload
        guard p.count >= NetlinkSize.errorHeader else {
            throw .malformed(operation: operation, reason: "error message of \(p.count) bytes")
        }
        error = p.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        var message: String?
        var offset: UInt32?
        if received.flags & NetlinkFlags.NLM_F_ACK_TLVS != 0 {
            var start = NetlinkSize.errorHeader
            if received.flags & NetlinkFlags.NLM_F_CAPPED == 0 {
                let echoed = Int(p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                start = 4 + NetlinkSize.align(echoed)
            }
            if start <= p.count {
                for attr in NetlinkAttributes(UnsafeRawBufferPointer(rebasing: p[start...])) {
                    switch attr.type {
                    case ExtendedAckAttribute.NLMSGERR_ATTR_MSG: message = attr.string
                    case ExtendedAckAttribute.NLMSGERR_ATTR_OFFS: offset = attr.u32
                    default: break
                    }
                }
            }
        }
        self.message = message
        self.offset = offset
    }
}
