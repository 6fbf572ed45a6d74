import Testing
import ZmeshCrypto
import ZmeshModel

@testable import WireGuardNL

/// Fixed keys and helpers for the UAPI tests.
enum UAPIFixture {
    static func key(_ byte: UInt8) -> WireGuardKey {
        WireGuardKey(bytes: [UInt8](repeating: byte, count: 32)) ?? .zero
    }

    static func hex(_ byte: UInt8) -> String { key(byte).hex }

    static let name = try! InterfaceName("wgtest0")

    /// The detail and errno of a `.userspace` error.
    static func userspace(_ error: WireGuardError?) -> (errno: Int32?, detail: String)? {
        guard case .userspace(_, _, let errno, let detail) = error else { return nil }
        return (errno, detail)
    }

    static func parse(_ text: String, now: Timestamp = Timestamp(seconds: 1_700_000_000)) throws(WireGuardError) -> DeviceStatus {
        try UAPI.parseDevice(Array(text.utf8), interface: name, now: now)
    }
}

@Suite("Userspace backend: UAPI text encoding and parsing")
struct UserspaceProtocolTests {
    typealias F = UAPIFixture

    @Test func setRequestWithEveryFieldIsGolden() throws {
        let update = DeviceUpdate(
            privateKey: .some(PrivateKey(F.key(0xaa))), listenPort: 51820, fwmark: 0x10, replacePeers: true,
            peers: [
                PeerUpdate(
                    publicKey: F.key(0xbb), updateOnly: true, presharedKey: .some(F.key(0xcc)),
                    endpoint: try Endpoint("[fd00::1]:51820"), persistentKeepalive: 25, replaceAllowedIPs: true,
                    allowedIPs: [try IPPrefix("10.0.0.0/24"), try IPPrefix("fd00::/64")],
                    removedAllowedIPs: [try IPPrefix("10.9.0.2/32")]),
                PeerUpdate(
                    publicKey: F.key(0xdd), presharedKey: .some(nil), endpoint: try Endpoint("192.0.2.1:51821"),
                    persistentKeepalive: 0),
                .removing(F.key(0xee)),
            ])
        let zeros = String(repeating: "0", count: 64)
        let expected = """
            set=1
            private_key=\(F.hex(0xaa))
            listen_port=51820
            fwmark=16
            replace_peers=true
            public_key=\(F.hex(0xbb))
            update_only=true
            preshared_key=\(F.hex(0xcc))
            endpoint=[fd00::1]:51820
            persistent_keepalive_interval=25
            replace_allowed_ips=true
            allowed_ip=10.0.0.0/24
            allowed_ip=fd00::/64
            allowed_ip=-10.9.0.2/32
            public_key=\(F.hex(0xdd))
            preshared_key=\(zeros)
            endpoint=192.0.2.1:51821
            persistent_keepalive_interval=0
            public_key=\(F.hex(0xee))
            remove=true


            """
        #expect(UAPI.setRequest(update) == expected)
    }

    @Test func removingThePrivateKeySendsZeros() {
        let text = UAPI.setRequest(DeviceUpdate(privateKey: .some(nil)))
        #expect(text == "set=1\nprivate_key=\(String(repeating: "0", count: 64))\n\n")
    }

    @Test func emptyUpdateIsJustTheOperation() {
        #expect(UAPI.setRequest(DeviceUpdate()) == "set=1\n\n")
        #expect(UAPI.getRequest == "get=1\n\n")
    }

    @Test func setconfUpdateRoundTripsThroughTheParser() throws {
        let privateKey = PrivateKey(F.key(0x42)).clamped
        let peer = PeerConfiguration(
            publicKey: F.key(0x01), presharedKey: F.key(0x02), endpoint: try Endpoint("127.0.0.1:5555"),
            persistentKeepalive: 25, allowedIPs: [try IPPrefix("10.9.0.2/32")])
        let configuration = DeviceConfiguration(privateKey: privateKey, listenPort: 51999, fwmark: 7, peers: [peer])
        // What a daemon would report for that configuration: the set lines minus the operation and
        // the flags, plus errno.
        let lines = UAPI.setRequest(DeviceUpdate(replacingWith: configuration)).split(separator: "\n")
            .filter { $0 != "set=1" && !$0.hasSuffix("=true") }
        let device = try F.parse(lines.joined(separator: "\n") + "\nerrno=0\n\n")
        #expect(device.configuration == configuration)
    }

    /// The reply observed from Debian's wireguard-go 0.0.20220316 (reference §2.5).
    @Test func parsesWireGuardGoReply() throws {
        let privateKey = PrivateKey(F.key(0x42)).clamped
        let reply = """
            private_key=\(privateKey.revealedHex)
            listen_port=51999
            public_key=\(F.hex(0x01))
            preshared_key=\(String(repeating: "0", count: 64))
            protocol_version=1
            endpoint=127.0.0.1:5555
            last_handshake_time_sec=0
            last_handshake_time_nsec=0
            tx_bytes=148
            rx_bytes=0
            persistent_keepalive_interval=25
            allowed_ip=10.9.0.2/32
            allowed_ip=fd00::2/128
            errno=0


            """
        let device = try F.parse(reply)
        #expect(device.name == F.name)
        #expect(device.interfaceIndex == 0)
        #expect(device.privateKey == privateKey)
        #expect(device.publicKey == WireGuardKeys.publicKey(for: privateKey))
        #expect(device.listenPort == 51999)
        #expect(device.fwmark == 0)
        #expect(device.peers.count == 1)
        let peer = try #require(device.peers.first)
        #expect(peer.publicKey == F.key(0x01))
        #expect(peer.configuration.presharedKey == nil)
        #expect(peer.configuration.endpoint == (try Endpoint("127.0.0.1:5555")))
        #expect(peer.configuration.persistentKeepalive == 25)
        #expect(peer.configuration.allowedIPs == [try IPPrefix("10.9.0.2/32"), try IPPrefix("fd00::2/128")])
        #expect(peer.lastHandshake == nil)
        #expect(peer.transmittedBytes == 148)
        #expect(peer.receivedBytes == 0)
        #expect(peer.protocolVersion == 1)
    }

    @Test func parsesSeveralPeersWithHandshakesAndIPv6Endpoints() throws {
        let reply = """
            listen_port=1
            fwmark=4294967295
            public_key=\(F.hex(0x01))
            endpoint=[2001:db8::1]:51820
            last_handshake_time_sec=1700000000
            last_handshake_time_nsec=123
            rx_bytes=18446744073709551615
            public_key=\(F.hex(0x02))
            preshared_key=\(F.hex(0x03))
            allowed_ip=0.0.0.0/0
            errno=0


            """
        let device = try F.parse(reply)
        #expect(device.privateKey == nil)
        #expect(device.publicKey == nil)
        #expect(device.fwmark == UInt32.max)
        #expect(device.peers.map(\.publicKey) == [F.key(0x01), F.key(0x02)])
        #expect(device.peers[0].configuration.endpoint == (try Endpoint("[2001:db8::1]:51820")))
        #expect(device.peers[0].lastHandshake == Timestamp(seconds: 1_700_000_000, nanoseconds: 123))
        #expect(device.peers[0].receivedBytes == UInt64.max)
        #expect(device.peers[1].configuration.presharedKey == F.key(0x03))
        #expect(device.peers[1].configuration.allowedIPs == [try IPPrefix("0.0.0.0/0")])
    }

    /// boringtun: own_public_key and no private key, no protocol_version, no preshared_key when unset,
    /// rx before tx, handshake time as an age, positive errno.
    @Test func parsesBoringtunReply() throws {
        let reply = """
            own_public_key=\(F.hex(0x77))
            listen_port=40000
            public_key=\(F.hex(0x01))
            endpoint=192.0.2.7:51820
            rx_bytes=92
            tx_bytes=148
            last_handshake_time_sec=5
            last_handshake_time_nsec=500000000
            persistent_keepalive_interval=0
            allowed_ip=10.0.0.0/8
            errno=0


            """
        let device = try F.parse(reply, now: Timestamp(seconds: 1_700_000_010, nanoseconds: 0))
        #expect(device.privateKey == nil)
        #expect(device.publicKey == F.key(0x77))
        let peer = try #require(device.peers.first)
        #expect(peer.receivedBytes == 92)
        #expect(peer.transmittedBytes == 148)
        #expect(peer.configuration.presharedKey == nil)
        #expect(peer.protocolVersion == 1)
        #expect(peer.lastHandshake == Timestamp(seconds: 1_700_000_004, nanoseconds: 500_000_000))
    }

    @Test func unknownKeysAreIgnoredAnywhere() throws {
        let reply = """
            future_device_key=yes
            listen_port=5
            public_key=\(F.hex(0x01))
            future_peer_key=whatever=with=equals
            allowed_ip=10.0.0.1/32
            errno=0


            """
        let device = try F.parse(reply)
        #expect(device.listenPort == 5)
        #expect(device.peers.first?.configuration.allowedIPs == [try IPPrefix("10.0.0.1/32")])
    }

    @Test(arguments: [
        ("errno=-22\n\n", Int32(22)), ("errno=22\n\n", 22), ("errno=-98\n\n", 98), ("errno=5\n\n", 5),
        ("listen_port=1\nerrno=-55\n\n", 55),
    ])
    func nonZeroErrnoOfEitherSignFails(reply: String, code: Int32) {
        let error = #expect(throws: WireGuardError.self) { try F.parse(reply) }
        #expect(F.userspace(error)?.errno == code)
        let setError = #expect(throws: WireGuardError.self) {
            try UAPI.checkSetReply(Array(reply.utf8), interface: F.name)
        }
        #expect(F.userspace(setError)?.errno == code)
    }

    @Test func setReplyWithZeroErrnoSucceeds() throws {
        try UAPI.checkSetReply(Array("errno=0\n\n".utf8), interface: F.name)
        try UAPI.checkSetReply(Array("something=else\nerrno=-0\n\n".utf8), interface: F.name)
    }

    @Test(arguments: [
        ("listen_port=70000", "line 1: listen_port '70000'"),
        ("listen_port=-1", "line 1: listen_port '-1'"),
        ("fwmark=0x10", "line 1: fwmark '0x10'"),
        ("public_key=\(UAPIFixture.hex(1))\ntx_bytes=12x", "line 2: tx_bytes '12x'"),
        ("public_key=\(UAPIFixture.hex(1))\npersistent_keepalive_interval=65536", "line 2: persistent_keepalive_interval"),
        ("public_key=\(UAPIFixture.hex(1))\nendpoint=example.com:51820", "line 2: endpoint 'example.com:51820'"),
        ("public_key=\(UAPIFixture.hex(1))\nallowed_ip=10.0.0.0/33", "line 2: allowed_ip '10.0.0.0/33'"),
        ("public_key=\(UAPIFixture.hex(1))\nlast_handshake_time_nsec=1000000000", "line 2: last_handshake_time_nsec"),
        ("public_key=abc", "line 1: public_key 'abc'"),
        ("endpoint=127.0.0.1:1", "line 1: endpoint appears before any public_key"),
        ("listen_port 5", "line 1: no '='"),
        ("errno=banana", "line 1: errno 'banana'"),
    ])
    func malformedValuesAreRejectedNamingKeyAndLine(line: String, expected: String) {
        let error = #expect(throws: WireGuardError.self) { try F.parse("\(line)\nerrno=0\n\n") }
        let detail = F.userspace(error)?.detail ?? ""
        #expect(detail.contains(expected), "\(detail)")
        #expect(F.userspace(error)?.errno == nil)
    }

    @Test(arguments: ["private_key", "preshared_key"])
    func malformedSecretsAreNeverQuoted(key: String) {
        let secret = String(repeating: "5", count: 63) + "x"
        let reply = "public_key=\(F.hex(1))\n\(key)=\(secret)\nerrno=0\n\n"
        let error = #expect(throws: WireGuardError.self) { try F.parse(reply) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("line 2: \(key) is not 64 hex digits (value not shown)"), "\(text)")
        #expect(!text.contains("5555"))
    }

    @Test func replyWithoutErrnoIsMalformed() {
        let error = #expect(throws: WireGuardError.self) { try F.parse("listen_port=1\n\n") }
        #expect(F.userspace(error)?.detail.contains("no errno line") == true)
    }

    @Test func errnoWinsOverMalformedLines() {
        let error = #expect(throws: WireGuardError.self) { try F.parse("listen_port=x\nerrno=-5\n\n") }
        #expect(F.userspace(error)?.errno == 5)
    }

    @Test func allZeroPrivateKeyMeansNone() throws {
        let device = try F.parse("private_key=\(String(repeating: "0", count: 64))\nerrno=0\n\n")
        #expect(device.privateKey == nil)
        #expect(device.publicKey == nil)
    }
}
