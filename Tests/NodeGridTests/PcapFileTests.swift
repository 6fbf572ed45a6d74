import GridSupport
import Testing

/// The pcap reader the wire-encryption scenario judges captures with (pure: bytes built here).
@Suite("Pcap file reader")
struct PcapFileTests {
    static func header(linkType: UInt8) -> [UInt8] {
        [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0xff, 0xff, 0, 0, linkType, 0, 0, 0]
    }

    static func record(_ frame: [UInt8], seconds: UInt8 = 10) -> [UInt8] {
        let length = UInt8(frame.count)
        return [seconds, 0, 0, 0, 0x20, 0xa1, 0x07, 0, length, 0, 0, 0, length, 0, 0, 0] + frame
    }

    /// Ethernet, IPv4 198.51.100.11:5000 → 198.51.100.12:6000, UDP with `payload`.
    static func udp4(_ payload: [UInt8]) -> [UInt8] {
        let ethernet: [UInt8] = [UInt8](repeating: 0xaa, count: 12) + [0x08, 0x00]
        let total = UInt8(20 + 8 + payload.count)
        let ip: [UInt8] = [0x45, 0, 0, total, 0, 0, 0x40, 0, 64, 17, 0, 0, 198, 51, 100, 11, 198, 51, 100, 12]
        let udp: [UInt8] = [0x13, 0x88, 0x17, 0x70, 0, UInt8(8 + payload.count), 0, 0]
        return ethernet + ip + udp + payload
    }

    @Test func readsEthernetIPv4UDPAndRecognisesWireGuardMessages() throws {
        let transport = [4, 0, 0, 0] + [UInt8](repeating: 0x5a, count: 28)  // 32 bytes: a keepalive
        let notWireGuard = [4, 0, 0, 0] + [UInt8](repeating: 0x5a, count: 29)
        let clear = Array("ZMESH-MARKER-clear".utf8)
        let bytes = Self.header(linkType: 1) + Self.record(Self.udp4(transport)) + Self.record(Self.udp4(notWireGuard))
            + Self.record(Self.udp4(clear)) + Self.record([UInt8](repeating: 0, count: 12) + [0x08, 0x06] + [1, 2])  // ARP
        let pcap = try PcapFile(bytes: bytes)
        #expect(pcap.linkType == 1)
        #expect(pcap.packets.count == 3 && pcap.otherFrames == 1)
        let first = try #require(pcap.packets.first)
        #expect(first.source == "198.51.100.11" && first.destination == "198.51.100.12")
        #expect(first.proto == 17 && first.sourcePort == 5000 && first.destinationPort == 6000)
        #expect(first.time > 10.49 && first.time < 10.51)
        #expect(pcap.packets.map(\.isWireGuardMessage) == [true, false, false])
        #expect(PcapFile.contains(bytes, clear))
        #expect(!PcapFile.contains(bytes, Array("ZMESH-MARKER-other".utf8)))
    }

    @Test func readsLinuxCookedV2IPv6PastAHopByHopHeader() throws {
        // SLL2: protocol 0x86dd first; IPv6 fe80::1 → ff02::16, hop-by-hop (8 bytes), ICMPv6 type 143.
        let sll2: [UInt8] = [0x86, 0xdd] + [UInt8](repeating: 0, count: 18)
        var ip: [UInt8] = [0x60, 0, 0, 0, 0, 12, 0, 1]
        ip += [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1]
        ip += [0xff, 0x02] + [UInt8](repeating: 0, count: 13) + [0x16]
        let hopByHop: [UInt8] = [58, 0, 5, 2, 0, 0, 1, 0]
        let icmp: [UInt8] = [143, 0, 0, 0]
        let cooked = try PcapFile(bytes: Self.cookedHeader() + Self.record(sll2 + ip + hopByHop + icmp))
        let packet = try #require(cooked.packets.first)
        #expect(packet.ipv6 && packet.source == "fe80::1" && packet.destination == "ff02::16")
        #expect(packet.proto == 58 && packet.icmpType == 143)
    }

    @Test func refusesWhatIsNotAPcapFile() {
        #expect(throws: GridError.self) { try PcapFile(bytes: Array("not a capture file at all".utf8)) }
        #expect(throws: GridError.self) { try PcapFile(bytes: Self.header(linkType: 0x14)) }  // link type 20
    }

    /// A header with link type 276 (LINUX_SLL2).
    static func cookedHeader() -> [UInt8] {
        [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0xff, 0xff, 0, 0, 0x14, 0x01, 0, 0]
    }
}
