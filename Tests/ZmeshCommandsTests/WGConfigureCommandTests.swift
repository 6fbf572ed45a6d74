import ArgumentParser
import Testing
import WireGuardNL
@testable import ZmeshCommands
import ZmeshModel

@Suite("zmesh wg set, setconf, addconf and syncconf: what they send")
struct WGConfigureCommandTests {
    static func devices() throws -> FakeWGDevices {
        FakeWGDevices([
            DeviceStatus(
                name: try InterfaceName("wg0"), privateKey: PrivateKey(try Keys.key(Keys.a)), listenPort: 51820,
                peers: [
                    PeerStatus(
                        configuration: PeerConfiguration(
                            publicKey: try Keys.key(Keys.b), presharedKey: try Keys.key(Keys.d), persistentKeepalive: 25,
                            allowedIPs: [try IPPrefix("10.0.0.0/24")])),
                    PeerStatus(configuration: PeerConfiguration(publicKey: try Keys.key(Keys.c))),
                ])
        ])
    }

    static let file = """
        [Interface]
        PrivateKey = \(Keys.a)
        ListenPort = 51820

        [Peer]
        PublicKey = \(Keys.b)
        AllowedIPs = 10.0.0.0/24, 10.9.0.0/16
        Endpoint = 192.0.2.1:7
        """

    func configure(_ verb: String, text: String, on devices: FakeWGDevices) throws -> WGOutput {
        let command = try ZmeshCommand.parseAsRoot(["wg", verb, "wg0", "wg0.conf"])
        let arguments = try #require(
            (command as? WGSetconf)?.arguments ?? (command as? WGAddconf)?.arguments ?? (command as? WGSyncconf)?.arguments)
        let mode: WGConfigFileArguments.Mode = verb == "setconf" ? .replace : verb == "addconf" ? .add : .sync
        var output = WGOutput()
        try arguments.execute(mode, text: text, on: devices, output: &output)
        return output
    }

    @Test func setconfReplacesEverything() throws {
        let devices = try Self.devices()
        _ = try configure("setconf", text: Self.file, on: devices)
        let expected = DeviceUpdate(replacingWith: try WireGuardConfigFile(parsing: Self.file).configuration)
        #expect(devices.sets.map(\.1) == [expected])
        #expect(expected.replacePeers && expected.fwmark == 0 && expected.listenPort == 51820)
    }

    @Test func addconfSendsOnlyWhatIsGiven() throws {
        let devices = try Self.devices()
        _ = try configure("addconf", text: "[Peer]\nPublicKey = \(Keys.c)\nEndpoint = 192.0.2.9:9\n", on: devices)
        let expected = DeviceUpdate(peers: [
            PeerUpdate(publicKey: try Keys.key(Keys.c), endpoint: try Endpoint("192.0.2.9:9"), replaceAllowedIPs: true)
        ])
        #expect(devices.sets.map(\.1) == [expected])
    }

    @Test func syncconfSendsTheDifference() throws {
        let devices = try Self.devices()
        _ = try configure("syncconf", text: Self.file, on: devices)
        // Peer C goes; peer B loses its PSK and keepalive, gains a prefix and an endpoint.
        let expected = DeviceUpdate(peers: [
            .removing(try Keys.key(Keys.c)),
            PeerUpdate(
                publicKey: try Keys.key(Keys.b), presharedKey: .some(nil), endpoint: try Endpoint("192.0.2.1:7"),
                persistentKeepalive: 0, allowedIPs: [try IPPrefix("10.9.0.0/16")]),
        ])
        #expect(devices.sets.map(\.1) == [expected])
        // Once in sync, nothing more is sent.
        devices.devices[try InterfaceName("wg0")] = DeviceStatus(
            name: try InterfaceName("wg0"), privateKey: PrivateKey(try Keys.key(Keys.a)), listenPort: 51820,
            peers: try WireGuardConfigFile(parsing: Self.file).configuration.peers.map { PeerStatus(configuration: $0) })
        _ = try configure("syncconf", text: Self.file, on: devices)
        #expect(devices.sets.count == 1)
    }

    @Test func aBadFileSendsNothingAndNamesFileLineAndInterface() throws {
        let devices = try Self.devices()
        let text = "[Interface]\nListenPort = 51820\n[Peer]\nPublicKey = \(Keys.b)\nAllowedIPs = 10.0.0.0/40\n"
        for verb in ["setconf", "addconf", "syncconf"] {
            #expect {
                try configure(verb, text: text, on: devices)
            } throws: { error in
                let message = "\(error)"
                return message.contains("wg0.conf:5:") && message.contains("10.0.0.0/40") && message.contains("'wg0'")
            }
        }
        #expect(devices.sets.isEmpty)
    }

    @Test func hostBitsWarnOnStderr() throws {
        let output = try configure(
            "addconf", text: "[Peer]\nPublicKey = \(Keys.c)\nAllowedIPs = 10.0.0.1/8\n", on: try Self.devices())
        #expect(output.standardError == "Warning: wg0.conf:3: AllowedIPs entry '10.0.0.1/8' has a nonzero host part; it means 10.0.0.0/8\n")
    }

    func set(_ arguments: [String], keyFiles: [String: String] = [:], on devices: FakeWGDevices) throws -> WGOutput {
        let command = try #require(try ZmeshCommand.parseAsRoot(["wg", "set", "wg0"] + arguments) as? WGSet)
        var output = WGOutput()
        try command.execute(on: devices, output: &output) { (path, what) throws(WGCommandError) in
            guard let text = keyFiles[path] else { throw WGCommandError("cannot open \(what) '\(path)'") }
            return try WGKeyFile.parse(Array(text.utf8), path: path, what: what)
        }
        return output
    }

    @Test func setSendsWhatWgSetSends() throws {
        let devices = try Self.devices()
        _ = try set(
            [
                "listen-port", "1234", "fwmark", "0x20", "private-key", "/k",
                "peer", Keys.b, "allowed-ips", "10.1.0.0/16,fd00::1", "endpoint", "[2001:db8::2]:5",
                "persistent-keepalive", "off", "preshared-key", "/dev/null",
                "peer", Keys.c, "remove",
                "peer", Keys.d, "preshared-key", "/psk",
            ], keyFiles: ["/k": "\n  \(Keys.d)\n", "/dev/null": "", "/psk": Keys.a], on: devices)
        let expected = DeviceUpdate(
            privateKey: .some(PrivateKey(try Keys.key(Keys.d))), listenPort: 1234, fwmark: 0x20,
            peers: [
                PeerUpdate(
                    publicKey: try Keys.key(Keys.b), presharedKey: .some(nil), endpoint: try Endpoint("[2001:db8::2]:5"),
                    persistentKeepalive: 0, replaceAllowedIPs: true,
                    allowedIPs: [try IPPrefix("10.1.0.0/16"), try IPPrefix("fd00::1/128")]),
                PeerUpdate(publicKey: try Keys.key(Keys.c), remove: true),
                PeerUpdate(publicKey: try Keys.key(Keys.d), presharedKey: .some(try Keys.key(Keys.a))),
            ])
        #expect(devices.sets.map(\.1) == [expected])
    }

    @Test func emptyAllowedIPsClearAndEmptyPrivateKeyFileRemoves() throws {
        let devices = try Self.devices()
        _ = try set(["private-key", "/dev/null", "peer", Keys.b, "allowed-ips", ""], keyFiles: ["/dev/null": ""], on: devices)
        #expect(
            devices.sets.map(\.1) == [
                DeviceUpdate(privateKey: .some(nil), peers: [PeerUpdate(publicKey: try Keys.key(Keys.b), replaceAllowedIPs: true)])
            ])
    }

    @Test func aBadKeyFileSendsNothing() throws {
        let devices = try Self.devices()
        #expect {
            try set(["listen-port", "1", "private-key", "/k"], keyFiles: ["/k": "\(Keys.a)x"], on: devices)
        } throws: { error in
            let message = "\(error)"
            return message.contains("'/k'") && message.contains("wg0") && !message.contains("ERERERER")
        }
        #expect(devices.sets.isEmpty)
    }

    @Test func anUnknownInterfaceIsNamed() throws {
        let devices = try Self.devices()
        #expect {
            let command = try #require(try ZmeshCommand.parseAsRoot(["wg", "set", "wg9", "listen-port", "1"]) as? WGSet)
            var output = WGOutput()
            try command.execute(on: devices, output: &output) { (_, _) throws(WGCommandError) in .zero }
        } throws: { error in
            "\(error)".contains("'wg9'")
        }
    }
}
