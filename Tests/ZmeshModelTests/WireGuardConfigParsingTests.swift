import Testing
import ZmeshModel

/// Keys with a recognisable base64 form (32 equal bytes).
enum ConfigFixtures {
    static let k11 = "ERERERERERERERERERERERERERERERERERERERERERE="
    static let k22 = "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="
    static let k33 = "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM="
    static let k44 = "REREREREREREREREREREREREREREREREREREREREREQ="
    static let zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    static func key(_ base64: String) throws -> WireGuardKey { try #require(WireGuardKey(base64: base64)) }
}

@Suite("Parsing wg setconf configuration files")
struct WireGuardConfigParsingTests {
    typealias F = ConfigFixtures

    @Test func fullFileWithWgQuirks() throws {
        let text = """
            # a comment line
            [interface]
            PrivateKey = \(F.k11)   # trailing comment
            Listen Port = 51820
            FWMARK = 0x10
            \r
            [Peer]
            PublicKey=\(F.k22)
            PresharedKey = \(F.k33)
            Allowed IPs = 10.0.0.0/24, fd00::/64
            AllowedIPs = 192.168.1.7
            Endpoint = [2001:db8::1]:51820
            PersistentKeepalive = 25

            [PEER]
            publickey = \(F.k44)
            Endpoint = 192.0.2.1:1
            persistentkeepalive = off
            """
        let file = try WireGuardConfigFile(parsing: text)
        #expect(file.privateKey == PrivateKey(try F.key(F.k11)))
        #expect(file.listenPort == 51820)
        #expect(file.fwmark == 16)
        #expect(file.peers.count == 2)
        let first = file.peers[0]
        #expect(first.publicKey == (try F.key(F.k22)))
        #expect(first.presharedKey == (try F.key(F.k33)))
        #expect(first.allowedIPs.map(\.description) == ["10.0.0.0/24", "fd00::/64", "192.168.1.7/32"])
        #expect(first.endpoint?.description == "[2001:db8::1]:51820")
        #expect(first.persistentKeepalive == 25)
        let second = file.peers[1]
        #expect(second.publicKey == (try F.key(F.k44)))
        #expect(second.persistentKeepalive == 0)
        #expect(second.allowedIPs.isEmpty)
        #expect(second.presharedKey == nil)
    }

    @Test func absentSettingsStayAbsentAndConfigurationFillsDefaults() throws {
        let file = try WireGuardConfigFile(parsing: "[Interface]\n[Peer]\nPublicKey = \(F.k22)\n")
        #expect(file.privateKey == nil && file.listenPort == nil && file.fwmark == nil)
        let configuration = file.configuration
        #expect(configuration.privateKey == nil && configuration.listenPort == nil && configuration.fwmark == 0)
        #expect(configuration.peers == [PeerConfiguration(publicKey: try F.key(F.k22))])
        let update = file.additiveUpdate
        #expect(update.privateKey == nil && update.listenPort == nil && update.fwmark == nil && !update.replacePeers)
        #expect(update.peers == [PeerUpdate(publicKey: try F.key(F.k22), replaceAllowedIPs: true)])
    }

    @Test func zeroKeysMeanNone() throws {
        let file = try WireGuardConfigFile(
            parsing: "[Interface]\nPrivateKey = \(F.zero)\n[Peer]\nPublicKey = \(F.k22)\nPresharedKey = \(F.zero)\n")
        #expect(file.configuration.privateKey == nil)
        #expect(file.configuration.peers[0].presharedKey == nil)
        let update = file.additiveUpdate
        #expect(update.privateKey == .some(nil))
        #expect(update.peers[0].presharedKey == .some(nil))
    }

    @Test(arguments: [
        ("off", UInt32(0)), ("0", 0), ("1234", 1234), ("0x1f", 31), ("0xffffffff", 0xffff_ffff), ("OFF", 0), ("0777", 777),
    ])
    func fwmarkForms(text: String, expected: UInt32) throws {
        #expect(try WireGuardConfigFile(parsing: "[Interface]\nFwMark = \(text)").fwmark == expected)
    }

    @Test func hostBitsAreMaskedWithAWarning() throws {
        var warnings: [WireGuardConfigDiagnostic] = []
        let file = try WireGuardConfigFile(
            parsing: "[Peer]\nPublicKey = \(F.k22)\nAllowedIPs = 10.1.2.3/16", warnings: &warnings)
        #expect(file.peers[0].allowedIPs.map(\.description) == ["10.1.0.0/16"])
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 3)
        #expect(warnings.first?.message.contains("10.1.2.3/16") == true)
    }

    /// Each bad input: the text, the line the error is on, and what the message must name.
    static let badInputs: [(String, Int, String)] = {
        let k22 = ConfigFixtures.k22
        let k33 = ConfigFixtures.k33
        return [
            ("[Interface]\nListenPort = 70000", 2, "ListenPort '70000'"),
            ("[Interface]\nListenPort = http", 2, "ListenPort 'http'"),
            ("[Interface]\nFwMark = 0x1g", 2, "FwMark '0x1g'"),
            ("[Interface]\nFwMark = 4294967296", 2, "FwMark '4294967296'"),
            ("[Interface]\nPrivateKey = abc", 2, "PrivateKey '(3 characters, not shown)'"),
            ("[Peer]\nPublicKey = \(k22)\nAllowedIPs = 10.0.0.0/33", 3, "'10.0.0.0/33'"),
            ("[Peer]\nPublicKey = \(k22)\nAllowedIPs = fd00::/129", 3, "'fd00::/129'"),
            ("[Peer]\nPublicKey = \(k22)\nAllowedIPs = 10.0.0.0/8,,10.1.0.0/16", 3, "empty entry"),
            ("[Peer]\nPublicKey = \(k22)\nAllowedIPs = 10.0.0.256/32", 3, "'10.0.0.256/32'"),
            ("[Peer]\nPublicKey = \(k22)\nEndpoint = vpn.example.com:51820", 3, "'vpn.example.com:51820': host names are not resolved"),
            ("[Peer]\nPublicKey = \(k22)\nEndpoint = 192.0.2.1", 3, "Endpoint '192.0.2.1'"),
            ("[Peer]\nPublicKey = \(k22)\nEndpoint = 192.0.2.1:70000", 3, "Endpoint '192.0.2.1:70000'"),
            ("[Peer]\nPublicKey = \(k22)\nPersistentKeepalive = 65536", 3, "PersistentKeepalive '65536'"),
            ("[Peer]\nPublicKey = \(k22)\nPresharedKey = short", 3, "PresharedKey '(5 characters, not shown)'"),
            ("[Peer]\nAllowedIPs = 10.0.0.1/32", 1, "no PublicKey"),
        ("ListenPort = 1", 1, "'ListenPort' appears before any [Interface] or [Peer] section"),
            ("[Interface]\nAddress = 10.0.0.1/24", 2, "'Address' is a wg-quick setting"),
            ("[Interface]\nPublicKey = \(k22)", 2, "'PublicKey' belongs in a [Peer] section"),
            ("[Peer]\nPublicKey = \(k22)\nListenPort = 1", 3, "'ListenPort' belongs in the [Interface] section"),
            ("[Interface]\nColour = blue", 2, "unknown key 'Colour' in [Interface]"),
            ("[Interfaces]", 1, "unknown section '[Interfaces]'"),
            ("[Interface]\nListenPort =", 2, "ListenPort has no value"),
            ("[Peer]\nPublicKey = \(k22)\n\n[Peer]\nPublicKey = \(k22)", 4, "same PublicKey as the [Peer] on line 1"),
            ("[Peer]\nPublicKey = \(k22)\nAllowedIPs = 10.0.0.0/24\n[Peer]\nPublicKey = \(k33)\nAllowedIPs = 10.0.0.0/24",
             6, "10.0.0.0/24 is also on the [Peer] on line 1"),
        ]
    }()

    @Test(arguments: badInputs)
    func badInputNamesValueAndLine(text: String, line: Int, fragment: String) {
        #expect {
            try WireGuardConfigFile(parsing: text)
        } throws: { error in
            guard let errors = error as? WireGuardConfigErrors, let first = errors.diagnostics.first else { return false }
            return first.line == line && first.message.contains(fragment) && errors.description.hasPrefix("line \(line): ")
        }
    }

    @Test func keyMaterialIsNeverEchoed() {
        let lines = [
            "[Interface]\nPrivateKey = \(F.k11)x",  // one character too many
            "[Interface]\nPrivatKey = \(F.k11)",  // misspelt key name
            "[Interface]\n\(F.k11)",  // a key on its own line
            "[Interface]\nPrivateKey \(F.k11.dropLast())",  // missing '='
            "[Peer]\nPublicKey = \(F.k11)\nPresharedKey = \(F.k11.dropLast(2))==",
        ]
        for text in lines {
            do {
                _ = try WireGuardConfigFile(parsing: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(!error.description.contains("ERERERERERER"), "leaked key material: \(error)")
            }
        }
    }

    @Test func everyProblemIsReportedInLineOrder() {
        let text = "[Interface]\nListenPort = x\nFwMark = y\n[Peer]\nEndpoint = 1.2.3.4:5\n"
        #expect {
            try WireGuardConfigFile(parsing: text)
        } throws: { error in
            (error as? WireGuardConfigErrors)?.diagnostics.map(\.line) == [2, 3, 4]
        }
    }
}

@Suite("wg value syntax: fast IPv4 paths agree with the general parsers")
struct WireGuardValueSyntaxTests {
    static let endpoints = [
        "1.2.3.4:5", "255.255.255.255:65535", "0.0.0.0:1", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:065535", "1.2.3.4:05182",
        "01.2.3.4:5", "1.2.3:5", "1.2.3.4.5:6", "1.2.3.4:", "1.2.3.4", "256.1.1.1:1", "1..2.3:4", "[1.2.3.4]:5", "1.2.3.4:5x",
    ]

    @Test(arguments: endpoints)
    func endpointFastPathMatches(text: String) {
        let general = try? Endpoint(text)
        let ours = try? WireGuardValueSyntax.endpoint(text)
        #expect(ours == general)
    }

    static let prefixes = [
        "10.0.0.0/8", "10.1.2.3/8", "10.0.0.1", "0.0.0.0/0", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/032", "1.2.3.4/0032",
        "1.2.3.4/", "01.2.3.4/8", "1.2.3/8", "1.2.3.4/x", "300.1.1.1/8",
    ]

    @Test(arguments: prefixes)
    func prefixFastPathMatches(text: String) {
        var warnings: [String] = []
        let general = try? IPPrefix(text)
        let ours = try? WireGuardValueSyntax.allowedIPs(text, warnings: &warnings)
        #expect(ours == general.map { [$0] })
        #expect(warnings.isEmpty == (general.map { "\($0.address)" == text.split(separator: "/")[0] } ?? true))
    }
}
