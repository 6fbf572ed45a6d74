import Netlink
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

let familyID: UInt16 = 0x1b

/// A kernel backend over a recording transport whose responder answers the family lookup itself and
/// hands every later request (index from 0) to `reply`.
func recordingBackend(
    budget: Int = KernelBackend.defaultMessageBudget,
    reply: @escaping (_ request: [UInt8], _ index: Int) -> [[UInt8]] = { request, _ in
        [CannedReply.acknowledgement(sequence: CannedReply.sequence(of: request))]
    }
) throws -> (KernelBackend, RecordingNetlinkTransport) {
    let generic = RecordingNetlinkTransport { request, index in
        index == 0
            ? [CannedReply.family(id: familyID, sequence: CannedReply.sequence(of: request))]
            : reply(request, index - 1)
    }
    let backend = try KernelBackend(genericTransport: generic, messageBudget: budget)
    return (backend, generic)
}

func key(_ n: UInt8) -> WireGuardKey { WireGuardKey(bytes: [UInt8](repeating: n, count: 32))! }

/// Builds the messages of a canned `WG_CMD_GET_DEVICE` dump.
struct DumpBuilder {
    let message = NetlinkMessage(type: familyID, flags: NetlinkFlags.NLM_F_MULTI, capacity: 32 * 1024)

    init(flags: UInt16 = NetlinkFlags.NLM_F_MULTI) {
        message.flags = flags
        message.putGenericHeader(command: 0, version: 1)
    }

    func device(index: UInt32 = 7, name: String = "wg0", port: UInt16 = 51820, fwmark: UInt32 = 0, privateKey: WireGuardKey? = nil) -> Self {
        message.put(1, u32: index)
        message.put(2, string: name)
        if let privateKey { message.put(3, bytes: privateKey.bytes) }
        message.put(6, u16: port)
        message.put(7, u32: fwmark)
        return self
    }

    struct Peer {
        var key: WireGuardKey
        var full = true
        var endpoint: [UInt8]? = nil
        var keepalive: UInt16 = 0
        var rx: UInt64 = 0
        var tx: UInt64 = 0
        var handshake: (Int64, Int64) = (0, 0)
        var ips: [String] = []
    }

    func peers(_ peers: [Peer]) -> Self {
        let list = message.startNest(8)!
        for peer in peers {
            let element = message.startNest(0)!
            message.put(1, bytes: peer.key.bytes)
            if peer.full {
                message.put(2, bytes: [UInt8](repeating: 0, count: 32))
                if let endpoint = peer.endpoint { message.put(4, bytes: endpoint) }
                message.put(5, u16: peer.keepalive)
                var ts = [UInt8](repeating: 0, count: 16)
                withUnsafeBytes(of: peer.handshake.0) { ts.replaceSubrange(0..<8, with: $0) }
                withUnsafeBytes(of: peer.handshake.1) { ts.replaceSubrange(8..<16, with: $0) }
                message.put(6, bytes: ts)
                message.put(0, bytes: [])  // the kernel's 64-bit alignment pad
                message.put(7, u64: peer.rx)
                message.put(8, u64: peer.tx)
                message.put(10, u32: 1)
            }
            if !peer.ips.isEmpty {
                let ips = message.startNest(9)!
                for text in peer.ips {
                    let prefix = try! IPPrefix(text)
                    let ip = message.startNest(0)!
                    message.put(3, u8: prefix.length)  // the kernel's order: mask, family, address
                    message.put(1, u16: prefix.isIPv4 ? 2 : 10)
                    message.put(2, bytes: prefix.address.bytes)
                    message.endNest(ip)
                }
                message.endNest(ips)
            }
            message.put(99, u32: 0xdead)  // an attribute from a future kernel: skipped
            message.endNest(element)
        }
        message.endNest(list)
        return self
    }

    func bytes(sequence: UInt32) -> [UInt8] { CannedReply.bytes(message, sequence: sequence) }
}
