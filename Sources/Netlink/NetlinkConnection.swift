/// Request/response over one netlink socket: sequence numbers, a fixed 32 KiB receive buffer,
/// ACK and extended-ACK handling, and multi-part dumps whose `NLMSG_DONE` error is honoured
/// (libmnl 1.0.4's default DONE handler ignores it).
public final class NetlinkConnection {
    /// The kernel sizes dump messages up to 32 KiB once the socket has received with a buffer that big.
    public static let receiveBufferSize = 32 * 1024

    public let transport: any NetlinkTransport
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private var nextSequence: UInt32

    public init(transport: any NetlinkTransport, firstSequence: UInt32 = 1) {
        self.transport = transport
        self.receiveBuffer = .allocate(byteCount: Self.receiveBufferSize, alignment: 8)
        self.nextSequence = firstSequence
    }

    deinit { receiveBuffer.deallocate() }

    /// Sends a request flagged `NLM_F_ACK` and waits for its ACK; data messages in between (a
    /// `CTRL_CMD_GETFAMILY` reply, say) go to `onMessage`.
    public func acknowledged(
        _ message: NetlinkMessage, operation: String, onMessage: (ReceivedMessage) throws(NetlinkError) -> Void = { _ in }
    ) throws(NetlinkError) {
        let sequence = try send(message)
        try receiveUntilDone(sequence: sequence, operation: operation, isDump: false, onMessage: onMessage)
    }

    /// Sends a dump request and feeds every data message to `onMessage` until `NLMSG_DONE`.
    /// Throws ``NetlinkError/dumpInterrupted(operation:)`` after draining the reply when a message
    /// carried `NLM_F_DUMP_INTR`; the caller discards what it collected and starts again.
    public func dump(
        _ message: NetlinkMessage, operation: String, onMessage: (ReceivedMessage) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        let sequence = try send(message)
        try receiveUntilDone(sequence: sequence, operation: operation, isDump: true, onMessage: onMessage)
    }

    private func send(_ message: NetlinkMessage) throws(NetlinkError) -> UInt32 {
        let sequence = nextSequence
        nextSequence &+= 1
        message.sequence = sequence
        try transport.send(message.bytes)
        return sequence
    }

    private func receiveUntilDone(
        sequence: UInt32, operation: String, isDump: Bool, onMessage: (ReceivedMessage) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        var interrupted = false
        while true {
            let count = try transport.receive(into: receiveBuffer)
            var offset = 0
            while offset + NetlinkSize.messageHeader <= count {
                let base = UnsafeRawBufferPointer(receiveBuffer)
                let length = Int(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                guard length >= NetlinkSize.messageHeader, offset + length <= count else {
                    throw .malformed(operation: operation, reason: "message length \(length) at offset \(offset) of \(count)")
                }
                let received = ReceivedMessage(
                    type: base.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                    flags: base.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                    sequence: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                    portID: base.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self),
                    payload: UnsafeRawBufferPointer(
                        rebasing: base[(offset + NetlinkSize.messageHeader)..<(offset + length)]))
                offset += NetlinkSize.align(length)

                // Replies to an earlier, abandoned request (or multicast noise) are not ours.
                if received.sequence != sequence || (received.portID != 0 && received.portID != transport.portID) {
                    continue
                }
                if received.flags & NetlinkFlags.NLM_F_DUMP_INTR != 0 { interrupted = true }
                switch received.type {
                case NetlinkMessageType.NLMSG_NOOP:
                    continue
                case NetlinkMessageType.NLMSG_ERROR:
                    let ack = try AcknowledgementMessage(parsing: received, operation: operation)
                    if ack.error != 0 {
                        throw .kernel(operation: operation, errno: 0 &- ack.error, message: ack.message, offset: ack.offset)
                    }
                    // An ACK ends a "do" request; after a dump with NLM_F_ACK it follows DONE.
                    if !isDump { return }
                    continue
                case NetlinkMessageType.NLMSG_DONE:
                    if received.payload.count >= 4 {
                        let error = received.payload.loadUnaligned(as: Int32.self)
                        if error < 0 {
                            var message: String?
                            if received.flags & NetlinkFlags.NLM_F_ACK_TLVS != 0 {
                                let tlvs = NetlinkAttributes(UnsafeRawBufferPointer(rebasing: received.payload[4...]))
                                message = tlvs.first { $0.type == ExtendedAckAttribute.NLMSGERR_ATTR_MSG }?.string
                            }
                            throw .kernel(operation: operation, errno: 0 &- error, message: message, offset: nil)
                        }
                    }
                    if interrupted { throw .dumpInterrupted(operation: operation) }
                    return
                case NetlinkMessageType.NLMSG_OVERRUN:
                    throw .malformed(operation: operation, reason: "overrun")
                default:
                    if !interrupted { try onMessage(received) }
                }
            }
        }
    }
}
