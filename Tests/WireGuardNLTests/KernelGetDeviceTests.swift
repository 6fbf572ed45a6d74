import Netlink
import Testing
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

@Suite("Kernel backend: GET_DEVICE requests and dump replies")
struct KernelGetDeviceTests {
    @Test func familyLookupAndGetRequestBytes() throws {
        let (backend, transport) = try recordingBackend { request, _ in
            let seq = CannedReply.sequence(of: request)
            return [DumpBuilder().device().bytes(sequence: seq) + CannedReply.done(sequence: seq)]
        }
        let device = try backend.device(InterfaceName("wg0"))
        // CTRL_CMD_GETFAMILY "wireguard": header | genl (cmd 3, version 1) | CTRL_ATTR_FAMILY_NAME (strz, padded)
        #expect(
            hex(transport.sent[0])
                == hex(bytes(fromHex: "24000000 1000 0500 01000000 00000000 | 03010000 | 0e00 0200 77697265677561726400 0000")))
        // WG_CMD_GET_DEVICE dump: type = family id, REQUEST|ACK|DUMP, genl (cmd 0, version 1), IFNAME "wg0\0"
        #expect(
            hex(transport.sent[1])
                == hex(bytes(fromHex: "1c000000 1b00 0503 02000000 00000000 | 00010000 | 0800 0200 77673000")))
        #expect(device.interfaceIndex == 7)
        #expect(device.listenPort == 51820)
        #expect(device.peers.isEmpty)
        #expect(device.privateKey == nil)
    }

    @Test func peerSplitAcrossMessagesIsCoalescedAndDeviceBlockRepeatIsHarmless() throws {
        let a = DumpBuilder.Peer(key: key(1), endpoint: [2, 0, 0xca, 0x6c, 127, 0, 0, 1] + [UInt8](repeating: 0, count: 8),
            keepalive: 25, rx: 1372, tx: 1428, handshake: (1_700_000_000, 5), ips: ["10.0.0.0/24"])
        let bFirst = DumpBuilder.Peer(key: key(2), ips: ["10.1.0.1/32", "10.1.0.2/32", "fd00::1/128"])
        let bRest = DumpBuilder.Peer(key: key(2), full: false, ips: ["10.1.0.3/32", "fd00::2/128"])
        let c = DumpBuilder.Peer(key: key(3))
        let (backend, _) = try recordingBackend { request, _ in
            let seq = CannedReply.sequence(of: request)
            return [
                DumpBuilder().device(privateKey: key(9)).peers([a, bFirst]).bytes(sequence: seq),
                DumpBuilder().device(privateKey: key(9)).peers([bRest, c]).bytes(sequence: seq)
                    + CannedReply.done(sequence: seq),
            ]
        }
        let device = try backend.device(InterfaceName("wg0"))
        #expect(device.peers.map(\.publicKey) == [key(1), key(2), key(3)])
        #expect(device.privateKey == PrivateKey(key(9)))
        let first = device.peers[0]
        #expect(first.configuration.endpoint == Endpoint(address: .v4(IPv4Address(127, 0, 0, 1)), port: 51820))
        #expect(first.configuration.persistentKeepalive == 25)
        #expect(first.receivedBytes == 1372 && first.transmittedBytes == 1428)
        #expect(first.lastHandshake == Timestamp(seconds: 1_700_000_000, nanoseconds: 5))
        #expect(first.protocolVersion == 1)
        #expect(
            device.peers[1].configuration.allowedIPs.map(\.description)
                == ["10.1.0.1/32", "10.1.0.2/32", "fd00::1/128", "10.1.0.3/32", "fd00::2/128"])
        #expect(device.peers[2].configuration.allowedIPs.isEmpty)
        #expect(device.peers[2].lastHandshake == nil)
    }

    @Test func dumpInterruptedRestartsFromScratch() throws {
        let (backend, transport) = try recordingBackend { request, index in
            let seq = CannedReply.sequence(of: request)
            if index == 0 {
                let stale = DumpBuilder(flags: NetlinkFlags.NLM_F_MULTI | NetlinkFlags.NLM_F_DUMP_INTR)
                    .device().peers([.init(key: key(5))])
                return [stale.bytes(sequence: seq) + CannedReply.done(sequence: seq)]
            }
            return [DumpBuilder().device().peers([.init(key: key(6))]).bytes(sequence: seq) + CannedReply.done(sequence: seq)]
        }
        let device = try backend.device(InterfaceName("wg0"))
        #expect(device.peers.map(\.publicKey) == [key(6)])
        #expect(transport.sent.count == 3)  // family lookup + two dumps
    }

    @Test func errorInsideDoneIsReported() throws {
        let (backend, _) = try recordingBackend { request, _ in
            let seq = CannedReply.sequence(of: request)
            return [DumpBuilder().device().bytes(sequence: seq) + CannedReply.done(sequence: seq, error: -12)]
        }
        #expect {
            _ = try backend.device(InterfaceName("wg0"))
        } throws: { error in
            guard case .netlink(_, let netlink) = error as? WireGuardError else { return false }
            return netlink.errno == 12
        }
    }

    @Test(arguments: [(Int32(-19), "does not exist"), (-95, "is not a WireGuard interface"), (-1, "permission denied")])
    func startErrorsMapToTypedErrors(errno: Int32, phrase: String) throws {
        let (backend, _) = try recordingBackend { request, _ in
            [CannedReply.acknowledgement(sequence: CannedReply.sequence(of: request), error: errno)]
        }
        do {
            _ = try backend.device(InterfaceName("wg7"))
            Issue.record("expected an error")
        } catch let error as WireGuardError {
            #expect(error.description.contains("wg7"))
            #expect(error.description.contains(phrase))
        }
    }

    @Test func familyMissingMeansNoWireGuard() throws {
        let generic = RecordingNetlinkTransport { request, _ in
            [CannedReply.acknowledgement(sequence: CannedReply.sequence(of: request), error: -2)]
        }
        #expect(throws: WireGuardError.kernelHasNoWireGuard) {
            _ = try KernelBackend(genericTransport: generic)
        }
    }
}
