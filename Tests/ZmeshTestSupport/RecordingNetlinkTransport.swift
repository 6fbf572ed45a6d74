import Netlink

/// A netlink transport that records every datagram sent and answers with datagrams produced by a
/// responder from the request (so replies carry the request's sequence number). No kernel needed.
public final class RecordingNetlinkTransport: NetlinkTransport {
    public let portID: UInt32
    /// Every datagram sent, in order.
    public private(set) var sent: [[UInt8]] = []
    private var pending: [[UInt8]] = []
    private let responder: (_ request: [UInt8], _ index: Int) -> [[UInt8]]

    /// - Parameter responder: given a request's bytes and its index among requests, the datagrams to
    ///   queue for reception.
    public init(portID: UInt32 = 4242, responder: @escaping (_ request: [UInt8], _ index: Int) -> [[UInt8]]) {
        self.portID = portID
        self.responder = responder
    }

    public func send(_ datagram: UnsafeRawBufferPointer) throws(NetlinkError) {
        let bytes = Array(datagram)
        let index = sent.count
        sent.append(bytes)
        pending.append(contentsOf: responder(bytes, index))
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(NetlinkError) -> Int {
        guard !pending.isEmpty else {
            throw .malformed(operation: "recording transport", reason: "receive with no reply queued")
        }
        let next = pending.removeFirst()
        precondition(next.count <= buffer.count, "canned datagram larger than the receive buffer")
        buffer.copyBytes(from: next)
        return next.count
    }
}

/// Builds canned kernel replies.
public enum CannedReply {
    /// The sequence number of a request datagram.
    public static func sequence(of request: [UInt8]) -> UInt32 {
        request.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
    }

    /// The bytes of a finished message with the given sequence number and the kernel's port id 0.
    public static func bytes(_ message: NetlinkMessage, sequence: UInt32) -> [UInt8] {
        message.sequence = sequence
        return Array(message.bytes)
    }

    /// `NLMSG_ERROR` with `error` (0 = ACK) and, when given, an extended-ACK message (capped ACK).
    public static func acknowledgement(sequence: UInt32, error: Int32 = 0, extack: String? = nil, requestType: UInt16 = 0) -> [UInt8] {
        let flags: UInt16 = extack == nil ? NetlinkFlags.NLM_F_CAPPED : NetlinkFlags.NLM_F_CAPPED | NetlinkFlags.NLM_F_ACK_TLVS
        let message = NetlinkMessage(type: NetlinkMessageType.NLMSG_ERROR, flags: flags, capacity: 256)
        let header = message.putExtraHeader(size: NetlinkSize.errorHeader)
        header.storeBytes(of: error, toByteOffset: 0, as: Int32.self)
        header.storeBytes(of: UInt32(NetlinkSize.messageHeader), toByteOffset: 4, as: UInt32.self)
        header.storeBytes(of: requestType, toByteOffset: 8, as: UInt16.self)
        header.storeBytes(of: sequence, toByteOffset: 12, as: UInt32.self)
        if let extack { message.put(1, string: extack) }
        return bytes(message, sequence: sequence)
    }

    /// `NLMSG_DONE` carrying `error` (0 for a clean end of dump).
    public static func done(sequence: UInt32, error: Int32 = 0) -> [UInt8] {
        let message = NetlinkMessage(
            type: NetlinkMessageType.NLMSG_DONE, flags: NetlinkFlags.NLM_F_MULTI, capacity: 64)
        message.putExtraHeader(size: 4).storeBytes(of: error, as: Int32.self)
        return bytes(message, sequence: sequence)
    }

    /// The reply to `CTRL_CMD_GETFAMILY` for a family with `id`, followed by the ACK, in one datagram.
    public static func family(id: UInt16, sequence: UInt32) -> [UInt8] {
        let message = NetlinkMessage(type: NetlinkMessageType.GENL_ID_CTRL, flags: 0, capacity: 128)
        message.putGenericHeader(command: 1, version: 2)
        message.put(GenericNetlinkControl.CTRL_ATTR_FAMILY_ID, u16: id)
        message.put(GenericNetlinkControl.CTRL_ATTR_FAMILY_NAME, string: "wireguard")
        return bytes(message, sequence: sequence) + acknowledgement(sequence: sequence)
    }
}

/// Formats bytes as lowercase hex, for golden comparisons with readable failures.
public func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// Parses hex with arbitrary whitespace and '|' separators (for annotated golden strings).
public func bytes(fromHex text: String) -> [UInt8] {
    let digits = text.filter(\.isHexDigit)
    var out: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        out.append(UInt8(digits[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}
