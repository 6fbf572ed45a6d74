import Testing
import ZmeshModel

@Suite("Configuration file → device → showconf text → configuration")
struct WireGuardConfigRoundTripTests {
    typealias F = ConfigFixtures

    /// A device configured from `configuration`, as a backend would read it back.
    static func device(_ configuration: DeviceConfiguration) throws -> DeviceStatus {
        DeviceStatus(
            name: try InterfaceName("wg0"), privateKey: configuration.privateKey, listenPort: configuration.listenPort ?? 0,
            fwmark: configuration.fwmark, peers: configuration.peers.map { PeerStatus(configuration: $0) })
    }

    /// showconf's canonical layout: what `wg showconf` prints for this configuration.
    static let canonical = """
        [Interface]
        ListenPort = 51820
        FwMark = 0xca6c
        PrivateKey = \(ConfigFixtures.k11)

        [Peer]
        PublicKey = \(ConfigFixtures.k22)
        PresharedKey = \(ConfigFixtures.k33)
        AllowedIPs = 10.0.0.0/24, fd00::/64, ::ffff:1.2.3.4/128
        Endpoint = [2001:db8::1]:51820
        PersistentKeepalive = 25

        [Peer]
        PublicKey = \(ConfigFixtures.k44)
        Endpoint = 192.0.2.1:7

        """

    @Test func messyFileRendersAsShowconfDoes() throws {
        let messy = """
            [Peer]
            publickey = \(F.k22)
            persistentkeepalive = 25
            endpoint = [2001:0db8::0001]:51820
            allowedips = 10.0.0.0/24
            allowedips = FD00:0:0:0::/64 , ::ffff:1.2.3.4
            presharedkey = \(F.k33)
            [Interface]
            fwmark = 51820
            privatekey = \(F.k11)
            listenport = 51820
            [Peer]
            PublicKey = \(F.k44)
            Endpoint = 192.0.2.1:7
            PersistentKeepalive = off
            """
        let file = try WireGuardConfigFile(parsing: messy)
        let text = WireGuardShowFormatter().showconf(try Self.device(file.configuration))
        #expect(text == Self.canonical)
        #expect(WireGuardConfigText.render(file.configuration) == Self.canonical)
    }

    @Test func showconfTextParsesBackToTheSameConfiguration() throws {
        let configuration = try WireGuardConfigFile(parsing: Self.canonical).configuration
        let again = try WireGuardConfigFile(parsing: WireGuardShowFormatter().showconf(try Self.device(configuration)))
        #expect(again.configuration == configuration)
        #expect(WireGuardConfigText.render(again.configuration) == Self.canonical)
    }

    @Test func emptyDeviceIsJustTheInterfaceSection() throws {
        let device = DeviceStatus(name: try InterfaceName("wg0"))
        #expect(WireGuardShowFormatter().showconf(device) == "[Interface]\n\n")
    }

    @Test func peerWithNothingButAKey() throws {
        let device = DeviceStatus(
            name: try InterfaceName("wg0"), listenPort: 1,
            peers: [PeerStatus(configuration: PeerConfiguration(publicKey: try F.key(F.k22)))])
        #expect(WireGuardShowFormatter().showconf(device) == "[Interface]\nListenPort = 1\n\n[Peer]\nPublicKey = \(F.k22)\n")
    }

    @Test func linkLocalEndpointsUseTheScopeName() throws {
        let formatter = WireGuardShowFormatter(scopeName: { $0 == 3 ? "eth0" : nil })
        #expect(formatter.endpoint(try Endpoint("[fe80::1%3]:51820")) == "[fe80::1%eth0]:51820")
        #expect(formatter.endpoint(try Endpoint("[fe80::1%4]:51820")) == "[fe80::1%4]:51820")
        #expect(formatter.endpoint(try Endpoint("[2001:db8::1%3]:51820")) == "[2001:db8::1%3]:51820")
        #expect(formatter.endpoint(try Endpoint("[::ffff:1.2.3.4]:9")) == "[::ffff:1.2.3.4]:9")
    }
}
