#if canImport(Glibc)
import Glibc
#endif
import Testing
import ZmeshModel

@Suite("wg show: the human-readable output")
struct WireGuardShowPrettyTests {
    typealias F = ConfigFixtures
    static let now: Int64 = 1_700_000_063

    @Test func prettyDeviceWithoutColours() throws {
        let expected = """
            interface: wg0
              public key: \(F.k22)
              private key: (hidden)
              listening port: 51820
              fwmark: 0x1234

            peer: \(F.k33)
              preshared key: (hidden)
              endpoint: [2001:db8::1]:51820
              allowed ips: 10.0.0.0/24, fd00::/64
              latest handshake: 1 minute, 3 seconds ago
              transfer: 1.23 KiB received, 3.00 MiB sent
              persistent keepalive: every 25 seconds

            peer: \(F.k44)
              endpoint: 192.0.2.1:7
              allowed ips: 192.168.1.7/32

            peer: \(F.k11)
              allowed ips: (none)

            """
        #expect(WireGuardShowFormatter().pretty(try ShowFixtures.device(), now: Self.now) == expected)
    }

    @Test func revealedKeysAndABareDevice() throws {
        let formatter = WireGuardShowFormatter(revealKeys: true)
        let text = formatter.pretty(try ShowFixtures.device(), now: Self.now)
        #expect(text.contains("  private key: \(F.k11)\n"))
        #expect(text.contains("  preshared key: \(F.k44)\n"))
        #expect(formatter.pretty(try ShowFixtures.bare(), now: Self.now) == "interface: wg1\n")
    }

    @Test func coloursAreWgsEscapeSequences() throws {
        let esc = "\u{1B}"
        var device = try ShowFixtures.bare()
        device.listenPort = 7
        device.peers = [
            PeerStatus(
                configuration: PeerConfiguration(
                    publicKey: try F.key(F.k22), persistentKeepalive: 61, allowedIPs: [try IPPrefix("10.0.0.0/8")]),
                lastHandshake: Timestamp(seconds: Self.now - 1), receivedBytes: 5)
        ]
        let expected =
            "\(esc)[0m\(esc)[32m\(esc)[1minterface\(esc)[0m: \(esc)[32mwg1\(esc)[0m\n"
            + "  \(esc)[1mlistening port\(esc)[0m: 7\n\n"
            + "\(esc)[33m\(esc)[1mpeer\(esc)[0m: \(esc)[33m\(F.k22)\(esc)[0m\n"
            + "  \(esc)[1mallowed ips\(esc)[0m: 10.0.0.0\(esc)[36m/\(esc)[0m8\n"
            + "  \(esc)[1mlatest handshake\(esc)[0m: 1 \(esc)[36msecond\(esc)[0m ago\n"
            + "  \(esc)[1mtransfer\(esc)[0m: 5 \(esc)[36mB\(esc)[0m received, 0 \(esc)[36mB\(esc)[0m sent\n"
            + "  \(esc)[1mpersistent keepalive\(esc)[0m: every 1 \(esc)[36mminute\(esc)[0m, 1 \(esc)[36msecond\(esc)[0m\n"
        #expect(WireGuardShowFormatter(colors: true).pretty(device, now: Self.now) == expected)
    }

    /// show.c sorts by latest handshake, newest first; peers that never completed one go last;
    /// glibc's qsort (a merge sort) keeps ties in the device's order.
    @Test func peersAreSortedByLatestHandshake() throws {
        let keys = [F.k11, F.k22, F.k33, F.k44]
        let times: [Timestamp?] = [nil, Timestamp(seconds: 100), Timestamp(seconds: 100, nanoseconds: 1), Timestamp(seconds: 0)]
        var device = try ShowFixtures.bare()
        device.peers = try zip(keys, times).map { key, time in
            PeerStatus(configuration: PeerConfiguration(publicKey: try F.key(key)), lastHandshake: time)
        }
        let order = WireGuardShowFormatter().pretty(device, now: 200).split(separator: "\n")
            .filter { $0.hasPrefix("peer: ") }.map { String($0.dropFirst(6)) }
        #expect(order == [F.k33, F.k22, F.k11, F.k44])
        // The dump keeps the device's order.
        let dumpOrder = WireGuardShowFormatter().dump(device, withInterface: false).split(separator: "\n").dropFirst()
            .map { String($0.prefix(44)) }
        #expect(dumpOrder == keys)
    }

    @Test(arguments: [
        (Int64(0), "Now"), (1, "1 second ago"), (63, "1 minute, 3 seconds ago"), (3600, "1 hour ago"),
        (86_400 + 3_661, "1 day, 1 hour, 1 minute, 1 second ago"), (2 * 31_536_000 + 2 * 86_400, "2 years, 2 days ago"),
        (-5, "(System clock wound backward; connection problems may ensue.)"),
    ] as [(Int64, String)])
    func handshakeAge(age: Int64, expected: String) {
        #expect(WireGuardShowUnits.ago(Timestamp(seconds: Self.now - age), now: Self.now) == expected)
    }

    @Test(arguments: [
        (UInt64(0), ""), (1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (65535, "18 hours, 12 minutes, 15 seconds"),
        (31_536_000, "1 year"), (31_536_000 + 1, "1 year, 1 second"),
    ] as [(UInt64, String)])
    func durations(seconds: UInt64, expected: String) {
        #expect(WireGuardShowUnits.duration(seconds) == expected)
    }

    @Test(arguments: [
        (UInt64(0), "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1260, "1.23 KiB"), (1152, "1.12 KiB"),
        (1153, "1.13 KiB"), (1_048_575, "1024.00 KiB"), (1_048_576, "1.00 MiB"), (1_073_741_824, "1.00 GiB"),
        (1_099_511_627_776, "1.00 TiB"), (UInt64.max, "16777216.00 TiB"),
    ] as [(UInt64, String)])
    func byteCounts(bytes: UInt64, expected: String) {
        #expect(WireGuardShowUnits.bytes(bytes) == expected)
    }

    /// The number part equals what C's printf("%.2f") prints for the same double, for sizes around
    /// every unit boundary and rounding tie.
    @Test func byteCountsMatchCPrintf() {
        var samples: [UInt64] = []
        for shift: UInt64 in [10, 20, 30, 40, 50, 60] {
            let base = UInt64(1) << shift
            samples += [base - 1, base, base + 1, base + base / 8, base + base / 8 + 1, base / 2 * 3 + 5, min(base, 1 << 50) * 1000 + 7]
        }
        var generator = SystemRandomNumberGenerator()
        samples += (0..<2000).map { _ in UInt64.random(in: 1024...UInt64.max, using: &generator) >> UInt64.random(in: 0...53) }
        samples.append(UInt64.max)
        for bytes in samples where bytes >= 1024 {
            let divisor: Double
            switch bytes {
            case ..<(1 << 20): divisor = 1024
            case ..<(1 << 30): divisor = 1024 * 1024
            case ..<(1 << 40): divisor = 1024 * 1024 * 1024
            default: divisor = 1024 * 1024 * 1024 * 1024
            }
            let c = Self.cFormat(Double(bytes) / divisor)
            let ours = WireGuardShowUnits.bytes(bytes).split(separator: " ").first.map(String.init)
            #expect(ours == c, "bytes \(bytes)")
        }
    }

    static func cFormat(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.2f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
