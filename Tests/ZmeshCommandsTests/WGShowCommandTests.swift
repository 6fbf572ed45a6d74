import ArgumentParser
import Testing
import WireGuardNL
@testable import ZmeshCommands
import ZmeshModel

@Suite("zmesh wg show and showconf over in-memory devices")
struct WGShowCommandTests {
    static let environment = WGShowEnvironment(now: 1_700_000_100, formatter: WireGuardShowFormatter())

    static func devices() throws -> FakeWGDevices {
        let peer = PeerStatus(
            configuration: PeerConfiguration(
                publicKey: try Keys.key(Keys.c), endpoint: try Endpoint("192.0.2.1:51820"), allowedIPs: [try IPPrefix("10.0.0.0/24")]),
            lastHandshake: Timestamp(seconds: 1_700_000_000), receivedBytes: 2048, transmittedBytes: 100)
        return FakeWGDevices([
            DeviceStatus(
                name: try InterfaceName("wgb"), privateKey: PrivateKey(try Keys.key(Keys.a)), publicKey: try Keys.key(Keys.b),
                listenPort: 51820, peers: [peer]),
            DeviceStatus(name: try InterfaceName("wga")),
        ])
    }

    func show(_ arguments: [String], on devices: FakeWGDevices) throws -> WGOutput {
        let command = try #require(try ZmeshCommand.parseAsRoot(["wg", "show"] + arguments) as? WGShow)
        var output = WGOutput()
        try command.execute(on: devices, environment: Self.environment, output: &output)
        return output
    }

    @Test func allDumpFollowsTheListingOrder() throws {
        let output = try show(["all", "dump"], on: try Self.devices())
        #expect(
            output.standardOutput == """
                wgb\t\(Keys.a)\t\(Keys.b)\t51820\toff
                wgb\t\(Keys.c)\t(none)\t192.0.2.1:51820\t10.0.0.0/24\t1700000000\t2048\t100\toff
                wga\t(none)\t(none)\t0\toff

                """)
        #expect(output.standardError.isEmpty && output.exitCode == 0)
    }

    @Test func interfacesAreSpaceSeparated() throws {
        #expect(try show(["interfaces"], on: try Self.devices()).standardOutput == "wgb wga\n")
        #expect(try show(["interfaces"], on: FakeWGDevices([])).standardOutput == "")
    }

    @Test func prettyAllSeparatesInterfacesWithABlankLine() throws {
        let output = try show([], on: try Self.devices())
        #expect(
            output.standardOutput == """
                interface: wgb
                  public key: \(Keys.b)
                  private key: (hidden)
                  listening port: 51820

                peer: \(Keys.c)
                  endpoint: 192.0.2.1:51820
                  allowed ips: 10.0.0.0/24
                  latest handshake: 1 minute, 40 seconds ago
                  transfer: 2.00 KiB received, 100 B sent

                interface: wga

                """)
    }

    @Test func oneInterfaceOneField() throws {
        let devices = try Self.devices()
        #expect(try show(["wgb", "listen-port"], on: devices).standardOutput == "51820\n")
        #expect(try show(["wgb", "transfer"], on: devices).standardOutput == "\(Keys.c)\t2048\t100\n")
        #expect(try show(["all", "private-key"], on: devices).standardOutput == "wgb\t\(Keys.a)\nwga\t(none)\n")
    }

    @Test func anUnreadableDeviceIsReportedAndSkipped() throws {
        let devices = try Self.devices()
        devices.unreadable = [try InterfaceName("wgb")]
        let output = try show(["all", "public-key"], on: devices)
        #expect(output.standardOutput == "wga\t(none)\n")
        #expect(output.standardError.contains("wgb"))
        #expect(output.exitCode == 0)
        devices.unreadable.insert(try InterfaceName("wga"))
        #expect(try show(["all"], on: devices).exitCode == 1)
    }

    @Test func anUnknownInterfaceIsAnErrorNamingIt() throws {
        #expect {
            try show(["wgz"], on: try Self.devices())
        } throws: { error in
            "\(error)".contains("'wgz'")
        }
    }

    @Test func showconfPrintsTheConfiguration() throws {
        let command = try #require(try ZmeshCommand.parseAsRoot(["wg", "showconf", "wgb"]) as? WGShowconf)
        var output = WGOutput()
        try command.execute(on: try Self.devices(), output: &output)
        #expect(
            output.standardOutput == """
                [Interface]
                ListenPort = 51820
                PrivateKey = \(Keys.a)

                [Peer]
                PublicKey = \(Keys.c)
                AllowedIPs = 10.0.0.0/24
                Endpoint = 192.0.2.1:51820

                """)
    }
}
