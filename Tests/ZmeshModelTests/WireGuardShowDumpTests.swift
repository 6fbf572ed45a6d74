import Testing
import ZmeshModel

/// Devices whose `wg show` output is known (the layout checked against wireguard-tools 1.0.20210914).
enum ShowFixtures {
    typealias F = ConfigFixtures

    static func device() throws -> DeviceStatus {
        DeviceStatus(
            name: try InterfaceName("wg0"), privateKey: PrivateKey(try F.key(F.k11)), publicKey: try F.key(F.k22),
            listenPort: 51820, fwmark: 0x1234,
            peers: [
                PeerStatus(
                    configuration: PeerConfiguration(
                        publicKey: try F.key(F.k33), presharedKey: try F.key(F.k44),
                        endpoint: try Endpoint("[2001:db8::1]:51820"), persistentKeepalive: 25,
                        allowedIPs: [try IPPrefix("10.0.0.0/24"), try IPPrefix("fd00::/64")]),
                    lastHandshake: Timestamp(seconds: 1_700_000_000, nanoseconds: 5), receivedBytes: 1260,
                    transmittedBytes: 3 << 20),
                PeerStatus(
                    configuration: PeerConfiguration(
                        publicKey: try F.key(F.k44), endpoint: try Endpoint("192.0.2.1:7"),
                        allowedIPs: [try IPPrefix("192.168.1.7/32")])),
                PeerStatus(configuration: PeerConfiguration(publicKey: try F.key(F.k11))),
            ])
    }

    static func bare() throws -> DeviceStatus { DeviceStatus(name: try InterfaceName("wg1")) }
}

@Suite("wg show dump and single-field output")
struct WireGuardShowDumpTests {
    typealias F = ConfigFixtures
    let formatter = WireGuardShowFormatter()

    @Test func dumpOfOneInterface() throws {
        let expected = """
            \(F.k11)\t\(F.k22)\t51820\t0x1234
            \(F.k33)\t\(F.k44)\t[2001:db8::1]:51820\t10.0.0.0/24,fd00::/64\t1700000000\t1260\t3145728\t25
            \(F.k44)\t(none)\t192.0.2.1:7\t192.168.1.7/32\t0\t0\t0\toff
            \(F.k11)\t(none)\t(none)\t(none)\t0\t0\t0\toff

            """
        #expect(formatter.dump(try ShowFixtures.device(), withInterface: false) == expected)
    }

    @Test func dumpWithInterfaceNamesAndABareDevice() throws {
        let expected = """
            wg1\t(none)\t(none)\t0\toff

            """
        #expect(formatter.dump(try ShowFixtures.bare(), withInterface: true) == expected)
        let full = formatter.dump(try ShowFixtures.device(), withInterface: true)
        #expect(full.split(separator: "\n").allSatisfy { $0.hasPrefix("wg0\t") })
    }

    @Test(arguments: [
        (WireGuardShowField.publicKey, "\(ConfigFixtures.k22)\n"),
        (.privateKey, "\(ConfigFixtures.k11)\n"),
        (.listenPort, "51820\n"),
        (.fwmark, "0x1234\n"),
        (.peers, "\(ConfigFixtures.k33)\n\(ConfigFixtures.k44)\n\(ConfigFixtures.k11)\n"),
        (.presharedKeys, "\(ConfigFixtures.k33)\t\(ConfigFixtures.k44)\n\(ConfigFixtures.k44)\t(none)\n\(ConfigFixtures.k11)\t(none)\n"),
        (.endpoints, "\(ConfigFixtures.k33)\t[2001:db8::1]:51820\n\(ConfigFixtures.k44)\t192.0.2.1:7\n\(ConfigFixtures.k11)\t(none)\n"),
        (.allowedIPs, "\(ConfigFixtures.k33)\t10.0.0.0/24 fd00::/64\n\(ConfigFixtures.k44)\t192.168.1.7/32\n\(ConfigFixtures.k11)\t(none)\n"),
        (.latestHandshakes, "\(ConfigFixtures.k33)\t1700000000\n\(ConfigFixtures.k44)\t0\n\(ConfigFixtures.k11)\t0\n"),
        (.transfer, "\(ConfigFixtures.k33)\t1260\t3145728\n\(ConfigFixtures.k44)\t0\t0\n\(ConfigFixtures.k11)\t0\t0\n"),
        (.persistentKeepalive, "\(ConfigFixtures.k33)\t25\n\(ConfigFixtures.k44)\toff\n\(ConfigFixtures.k11)\toff\n"),
    ])
    func singleField(field: WireGuardShowField, expected: String) throws {
        #expect(formatter.field(field, of: try ShowFixtures.device(), withInterface: false) == expected)
        let prefixed = formatter.field(field, of: try ShowFixtures.device(), withInterface: true)
        if field == .endpoints {
            #expect(prefixed == "wg0\t" + expected)
        } else {
            #expect(prefixed == expected.split(separator: "\n").map { "wg0\t\($0)\n" }.joined())
        }
    }

    /// wireguard-tools 1.0.20210914 prints the interface name once per device in `show all endpoints`,
    /// before the first peer, and nothing else for a device without peers (verified against /usr/bin/wg).
    @Test func showAllEndpointsKeepsWgsQuirk() throws {
        let all = formatter.field(.endpoints, of: try ShowFixtures.bare(), withInterface: true)
            + formatter.field(.endpoints, of: try ShowFixtures.device(), withInterface: true)
        #expect(
            all == "wg1\twg0\t\(F.k33)\t[2001:db8::1]:51820\n\(F.k44)\t192.0.2.1:7\n\(F.k11)\t(none)\n")
    }

    @Test(arguments: [WireGuardShowField.publicKey, .privateKey, .listenPort, .fwmark])
    func deviceFieldsOfABareDevice(field: WireGuardShowField) throws {
        let expected = ["public-key": "(none)\n", "private-key": "(none)\n", "listen-port": "0\n", "fwmark": "off\n"]
        #expect(formatter.field(field, of: try ShowFixtures.bare(), withInterface: false) == expected[field.rawValue])
    }

    @Test(arguments: WireGuardShowField.allCases.filter { ![.publicKey, .privateKey, .listenPort, .fwmark, .dump, .endpoints].contains($0) })
    func peerFieldsOfADeviceWithoutPeersAreEmpty(field: WireGuardShowField) throws {
        #expect(formatter.field(field, of: try ShowFixtures.bare(), withInterface: true) == "")
    }

    @Test func negativeHandshakeSecondsPrintUnsignedLikeC() throws {
        var device = try ShowFixtures.bare()
        device.peers = [
            PeerStatus(configuration: PeerConfiguration(publicKey: try F.key(F.k22)), lastHandshake: Timestamp(seconds: -1))
        ]
        #expect(formatter.field(.latestHandshakes, of: device, withInterface: false) == "\(F.k22)\t18446744073709551615\n")
    }
}
