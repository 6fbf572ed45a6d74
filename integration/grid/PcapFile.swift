#if canImport(Glibc)
import Glibc
#endif

/// A classic pcap file (what `tcpdump -w` writes) read into its IP packets: enough to tell what
/// crossed a link (addresses, protocol, ports, the first bytes of the payload). Link types Ethernet
/// (1), Linux cooked v1 (113) and v2 (276, `tcpdump -i any`); IPv6 extension headers are skipped;
/// frames that are not IP (ARP) are only counted.
public struct PcapFile: Sendable {
    /// One captured IPv4 or IPv6 packet.
    public struct Packet: Sendable, CustomStringConvertible {
        /// Capture time, Unix seconds.
        public let time: Double
        public let ipv6: Bool
        public let source: String
        public let destination: String
        /// The transport protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …).
        public let proto: UInt8
        /// Ports for TCP and UDP (0 otherwise, and for non-first fragments).
        public let sourcePort: Int
        public let destinationPort: Int
        /// The ICMP or ICMPv6 type (nil for other protocols).
        public let icmpType: UInt8?
        /// The transport payload (UDP: after its 8-byte header; empty for others).
        public let udpPayload: [UInt8]

        public var description: String {
            let name = [6: "tcp", 17: "udp", 1: "icmp", 58: "icmp6"][Int(proto)] ?? "proto \(proto)"
            let ports = proto == 6 || proto == 17 ? " \(sourcePort) → \(destinationPort)" : ""
            let type = icmpType.map { " type \($0)" } ?? ""
            let length = proto == 17 ? " len \(udpPayload.count)" : ""
            return "\(name) \(source) → \(destination)\(ports)\(type)\(length)"
        }
    }

    public let linkType: UInt32
    public let packets: [Packet]
    /// Frames that are not IPv4 or IPv6 (ARP, …).
    public let otherFrames: Int

    /// Parses the bytes of a pcap file; throws on a header it does not know.
    public init(bytes: [UInt8]) throws(GridError) {
        guard bytes.count >= 24 else { throw GridError("read", "a pcap file", "\(bytes.count) bytes: no header") }
        let magic = Self.u32(bytes, 0, little: true)
        let little: Bool
        let nanoseconds: Bool
        switch magic {
        case 0xa1b2_c3d4: (little, nanoseconds) = (true, false)
        case 0xa1b2_3c4d: (little, nanoseconds) = (true, true)
        case 0xd4c3_b2a1: (little, nanoseconds) = (false, false)
        case 0x4d3c_b2a1: (little, nanoseconds) = (false, true)
        default: throw GridError("read", "a pcap file", "unknown magic \(String(magic, radix: 16))")
        }
        linkType = Self.u32(bytes, 20, little: little)
        guard [1, 113, 276].contains(linkType) else {
            throw GridError("read", "a pcap file", "link type \(linkType) is not Ethernet or Linux cooked")
        }
        var packets: [Packet] = []
        var other = 0
        var offset = 24
        while offset + 16 <= bytes.count {
            let seconds = Double(Self.u32(bytes, offset, little: little))
            let fraction = Double(Self.u32(bytes, offset + 4, little: little)) / (nanoseconds ? 1e9 : 1e6)
            let length = Int(Self.u32(bytes, offset + 8, little: little))
            let start = offset + 16
            guard start + length <= bytes.count else { break }  // a record cut off by the stop
            let frame = Array(bytes[start..<(start + length)])
            offset = start + length
            if let packet = Self.packet(frame, linkType: linkType, time: seconds + fraction) {
                packets.append(packet)
            } else {
                other += 1
            }
        }
        self.packets = packets
        otherFrames = other
    }

    /// The IP packet in a link-layer frame, nil when it carries something else.
    static func packet(_ frame: [UInt8], linkType: UInt32, time: Double) -> Packet? {
        var etherType: Int
        var ip: Int
        switch linkType {
        case 1:
            guard frame.count >= 14 else { return nil }
            etherType = Int(frame[12]) << 8 | Int(frame[13])
            ip = 14
            while etherType == 0x8100 || etherType == 0x88a8, frame.count >= ip + 4 {
                etherType = Int(frame[ip + 2]) << 8 | Int(frame[ip + 3])
                ip += 4
            }
        case 113:
            guard frame.count >= 16 else { return nil }
            etherType = Int(frame[14]) << 8 | Int(frame[15])
            ip = 16
        default:
            guard frame.count >= 20 else { return nil }
            etherType = Int(frame[0]) << 8 | Int(frame[1])
            ip = 20
        }
        if etherType == 0x0800 { return ipv4(frame, at: ip, time: time) }
        if etherType == 0x86dd { return ipv6(frame, at: ip, time: time) }
        return nil
    }

    static func ipv4(_ frame: [UInt8], at ip: Int, time: Double) -> Packet? {
        guard frame.count >= ip + 20, frame[ip] >> 4 == 4 else { return nil }
        let headerLength = Int(frame[ip] & 0x0f) * 4
        let fragmentOffset = (Int(frame[ip + 6]) & 0x1f) << 8 | Int(frame[ip + 7])
        let source = address(frame[(ip + 12)..<(ip + 16)], family: AF_INET)
        let destination = address(frame[(ip + 16)..<(ip + 20)], family: AF_INET)
        let proto = frame[ip + 9]
        let transport = fragmentOffset == 0 ? ip + headerLength : frame.count
        return transportPacket(frame, at: transport, proto: proto, time: time, ipv6: false, source, destination)
    }

    static func ipv6(_ frame: [UInt8], at ip: Int, time: Double) -> Packet? {
        guard frame.count >= ip + 40, frame[ip] >> 4 == 6 else { return nil }
        let source = address(frame[(ip + 8)..<(ip + 24)], family: AF_INET6)
        let destination = address(frame[(ip + 24)..<(ip + 40)], family: AF_INET6)
        var next = frame[ip + 6]
        var offset = ip + 40
        // Hop-by-hop, routing, destination options (length in 8-byte units after the first 8), fragment.
        while [0, 43, 60, 44].contains(next), frame.count >= offset + 8 {
            let header = next
            next = frame[offset]
            if header == 44 {
                let fragmentOffset = (Int(frame[offset + 2]) << 8 | Int(frame[offset + 3])) >> 3
                offset = fragmentOffset == 0 ? offset + 8 : frame.count
            } else {
                offset += (Int(frame[offset + 1]) + 1) * 8
            }
        }
        return transportPacket(frame, at: offset, proto: next, time: time, ipv6: true, source, destination)
    }

    static func transportPacket(
        _ frame: [UInt8], at offset: Int, proto: UInt8, time: Double, ipv6: Bool, _ source: String, _ destination: String
    ) -> Packet {
        var sourcePort = 0, destinationPort = 0
        var icmpType: UInt8?
        var payload: [UInt8] = []
        if (proto == 6 || proto == 17), frame.count >= offset + 8 {
            sourcePort = Int(frame[offset]) << 8 | Int(frame[offset + 1])
            destinationPort = Int(frame[offset + 2]) << 8 | Int(frame[offset + 3])
            if proto == 17 { payload = Array(frame[(offset + 8)...]) }
        }
        if (proto == 1 || proto == 58), frame.count > offset { icmpType = frame[offset] }
        return Packet(
            time: time, ipv6: ipv6, source: source, destination: destination, proto: proto, sourcePort: sourcePort,
            destinationPort: destinationPort, icmpType: icmpType, udpPayload: payload)
    }

    static func address(_ bytes: ArraySlice<UInt8>, family: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let raw = Array(bytes)
        let ok = raw.withUnsafeBytes { pointer in inet_ntop(family, pointer.baseAddress, &buffer, 64) != nil }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func u32(_ bytes: [UInt8], _ offset: Int, little: Bool) -> UInt32 {
        let b = bytes[offset..<(offset + 4)].map(UInt32.init)
        return little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24
    }

    /// Whether `needle` occurs anywhere in `haystack` (the raw file: headers, payloads, everything).
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

extension PcapFile.Packet {
    /// Whether the UDP payload is a well-formed WireGuard message: type 1–4 followed by three zero
    /// bytes and the type's length (handshake initiation 148, response 92, cookie reply 64, transport
    /// data 32 + a multiple of 16: header, padded ciphertext, tag).
    public var isWireGuardMessage: Bool {
        guard proto == 17, udpPayload.count >= 4, udpPayload[1] == 0, udpPayload[2] == 0, udpPayload[3] == 0 else {
            return false
        }
        switch udpPayload[0] {
        case 1: return udpPayload.count == 148
        case 2: return udpPayload.count == 92
        case 3: return udpPayload.count == 64
        case 4: return udpPayload.count >= 32 && (udpPayload.count - 32) % 16 == 0
        default: return false
        }
    }
}
