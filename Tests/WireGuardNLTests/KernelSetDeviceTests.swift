import Netlink
import Testing
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

@Suite("Kernel backend: SET_DEVICE encoding and chunking")
struct KernelSetDeviceTests {
    /// The SET messages a backend sent (everything after the family lookup).
    func setMessages(_ transport: RecordingNetlinkTransport) -> [RawMessage] {
        transport.sent.dropFirst().flatMap { RawMessage.parse(datagram: $0) }
    }

    @Test func everyFieldGoldenBytes() throws {
        let (backend, transport) = try recordingBackend()
        let endpoint = try Endpoint("[fe80::1%3]:51820")
        let update = DeviceUpdate(
            privateKey: .some(PrivateKey(key(0xaa))), listenPort: 51820, fwmark: 0x10, replacePeers: true,
            peers: [
                PeerUpdate(
                    publicKey: key(0xbb), presharedKey: .some(key(0xcc)), endpoint: endpoint, persistentKeepalive: 25,
                    replaceAllowedIPs: true, allowedIPs: [try IPPrefix("10.0.0.0/24")])
            ])
        try backend.set(InterfaceName("wg0"), update)
        let k = { (b: String) in String(repeating: b, count: 32) }
        // 248 = 16 header + 4 genl + 8 ifname + 36 private key + 8 port + 8 fwmark + 8 flags + 160 peers;
        // peer 156 = 4 + 36 key + 8 flags + 36 psk + 32 endpoint (sockaddr_in6) + 8 keepalive + 32 allowed IPs.
        let expected = bytes(
            fromHex: """
                f8000000 1b00 0500 02000000 00000000
                01010000
                0800 0200 77673000
                2400 0300 \(k("aa"))
                0600 0600 6cca 0000
                0800 0700 10000000
                0800 0500 01000000
                a000 0880
                  9c00 0080
                    2400 0100 \(k("bb"))
                    0800 0300 02000000
                    2400 0200 \(k("cc"))
                    2000 0400 0a00 ca6c 00000000 fe800000000000000000000000000001 03000000
                    0600 0500 1900 0000
                    2000 0980
                      1c00 0080
                        0600 0100 0200 0000
                        0800 0200 0a000000
                        0500 0300 18 000000
                """)
        #expect(hex(transport.sent[1]) == hex(expected))
    }

    @Test func onePeerWithAThousandAllowedIPsUnderATinyBudget() throws {
        let budget = 1024
        let (backend, transport) = try recordingBackend(budget: budget)
        let ips = try (0..<1000).map { try IPPrefix("10.\($0 / 250).\($0 % 250).0/24") }
        let update = DeviceUpdate(
            privateKey: .some(PrivateKey(key(1))), listenPort: 1, replacePeers: true,
            peers: [PeerUpdate(publicKey: key(2), presharedKey: .some(key(3)), persistentKeepalive: 5, replaceAllowedIPs: true, allowedIPs: ips)])
        try backend.set(InterfaceName("wg0"), update)
        let messages = setMessages(transport)
        #expect(messages.count > 30)
        var collected: [String] = []
        for (i, message) in messages.enumerated() {
            #expect(message.payload.count + 16 <= budget)
            let attrs = message.attributes(after: 4)
            #expect(attrs.first { $0.type == 2 }?.string == "wg0", "selector in every message")
            #expect((attrs.first { $0.type == 5 } != nil) == (i == 0), "REPLACE_PEERS only in the first")
            #expect((attrs.first { $0.type == 3 } != nil) == (i == 0), "private key only in the first")
            let peers = try #require(attrs.first { $0.type == 8 })
            #expect(peers.isNested)
            #expect(peers.nested.count == 1)
            let peer = peers.nested[0]
            #expect(peer.isNested)
            #expect(peer.first(1)?.payload == key(2).bytes)
            let flags = peer.first(3)?.u32 ?? 0
            #expect((flags & 2 != 0) == (i == 0), "REPLACE_ALLOWEDIPS only in the peer's first fragment")
            #expect((peer.first(2) != nil) == (i == 0), "preshared key only in the first fragment")
            #expect((peer.first(5) != nil) == (i == 0), "keepalive only in the first fragment")
            for ip in try #require(peer.first(9)).nested {
                #expect(ip.isNested)
                let address = ip.first(2)!.payload
                collected.append("\(address[0]).\(address[1]).\(address[2]).\(address[3])/\(ip.first(3)!.payload[0])")
            }
        }
        #expect(collected == ips.map(\.description))
    }

    @Test func threeHundredPeersUnderATinyBudget() throws {
        let budget = 2048
        let (backend, transport) = try recordingBackend(budget: budget)
        let peers = (0..<300).map { i in
            PeerUpdate(
                publicKey: WireGuardKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: i &* 7 &+ $0) })!,
                endpoint: Endpoint(address: .v4(IPv4Address(UInt32(0x7f00_0001))), port: UInt16(1000 + i)),
                allowedIPs: [try! IPPrefix("10.9.\(i / 256).\(i % 256)/32"), try! IPPrefix("fd00::\(i)/128")])
        }
        try backend.set(InterfaceName("wg0"), DeviceUpdate(replacePeers: true, peers: peers))
        let messages = setMessages(transport)
        var seen: [[UInt8]] = []
        for (i, message) in messages.enumerated() {
            #expect(message.payload.count + 16 <= budget)
            let attrs = message.attributes(after: 4)
            #expect(attrs.first { $0.type == 2 }?.string == "wg0")
            #expect((attrs.first { $0.type == 5 } != nil) == (i == 0))
            for peer in attrs.first(where: { $0.type == 8 })?.nested ?? [] {
                seen.append(peer.first(1)!.payload)
                #expect(peer.first(4)?.payload.count == 16, "IPv4 endpoint is exactly a sockaddr_in")
                #expect(peer.first(9)?.nested.count == 2, "small peers are never split")
            }
        }
        #expect(seen == peers.map { $0.publicKey.bytes })
        #expect(messages.count >= 300 * 100 / budget)
    }

    @Test func removeAndUpdateOnlyRepeatInEveryFragment() throws {
        let (backend, transport) = try recordingBackend(budget: 512)
        let ips = try (0..<40).map { try IPPrefix("10.0.\($0).0/24") }
        try backend.set(
            InterfaceName("wg0"),
            DeviceUpdate(peers: [PeerUpdate(publicKey: key(4), updateOnly: true, endpoint: try Endpoint("127.0.0.1:9"), allowedIPs: ips)]))
        let messages = setMessages(transport)
        #expect(messages.count > 1)
        for (i, message) in messages.enumerated() {
            let peer = try #require(message.attributes(after: 4).first { $0.type == 8 }?.nested.first)
            #expect(peer.first(3)?.u32 == 4, "UPDATE_ONLY in fragment \(i)")
            #expect((peer.first(4) != nil) == (i == 0), "endpoint only in the first fragment")
        }
    }

    @Test func removedAllowedIPsCarryTheRemoveFlag() throws {
        let (backend, transport) = try recordingBackend()
        try backend.set(
            InterfaceName("wg0"),
            DeviceUpdate(peers: [PeerUpdate(publicKey: key(4), removedAllowedIPs: [try IPPrefix("10.0.0.1/32")])]))
        let ip = try #require(setMessages(transport)[0].attributes(after: 4).first { $0.type == 8 }?.nested[0].first(9)?.nested[0])
        #expect(ip.first(4)?.u32 == 1)
    }

    @Test(arguments: [0, 64, 255, 1002, 2 << 20])
    func budgetsThatCannotHoldAMessageAreRefusedNamingTheValue(budget: Int) {
        do {
            _ = try recordingBackend(budget: budget)
            Issue.record("budget \(budget) accepted")
        } catch {
            #expect("\(error)".contains("\(budget)"))
        }
    }

    @Test func extendedAckTextEndsUpInTheError() throws {
        let (backend, _) = try recordingBackend { request, _ in
            [CannedReply.acknowledgement(sequence: CannedReply.sequence(of: request), error: -22, extack: "NLA_F_NESTED is missing")]
        }
        do {
            try backend.set(InterfaceName("wg0"), DeviceUpdate(listenPort: 1))
            Issue.record("expected an error")
        } catch let error as WireGuardError {
            guard case .netlink(_, .kernel(_, let errno, let message, _)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(errno == 22)
            #expect(message == "NLA_F_NESTED is missing")
            #expect(error.description.contains("NLA_F_NESTED is missing"))
            #expect(error.description.contains("wg0"))
        }
    }

    @Test func uncappedExtendedAckSkipsTheEchoedRequest() throws {
        // The verified sample: RTM_NEWLINK kind "wireguard" refused, flags 0x200 (ACK_TLVS, not capped),
        // so the whole 40-byte request is echoed before the TLVs.
        let echoedRequest = [UInt8](repeating: 0x55, count: 40 - 16)
        var payload: [UInt8] = []
        withUnsafeBytes(of: Int32(-95)) { payload += $0 }
        withUnsafeBytes(of: UInt32(40)) { payload += $0 }
        payload += [0x10, 0, 0x05, 0x06] + [UInt8](repeating: 0, count: 8) + echoedRequest
        let text = Array("Unknown device type".utf8) + [0]
        payload += [UInt8(4 + text.count), 0, 1, 0] + text
        while payload.count % 4 != 0 { payload.append(0) }
        payload += [8, 0, 2, 0, 0x20, 0, 0, 0]
        try payload.withUnsafeBytes { raw in
            let message = ReceivedMessage(type: 2, flags: 0x200, sequence: 1, portID: 0, payload: raw)
            let ack = try AcknowledgementMessage(parsing: message, operation: "test")
            #expect(ack.error == -95)
            #expect(ack.message == "Unknown device type")
            #expect(ack.offset == 32)
        }
    }
}
