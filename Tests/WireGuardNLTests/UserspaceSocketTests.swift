import Foundation
import Testing
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

#if canImport(Glibc)
import Glibc
#endif

/// The UAPI transport and the backend, against an in-process stand-in daemon in a temporary directory.
@Suite("Userspace backend: UAPI socket transport")
struct UserspaceSocketTests {
    typealias F = UAPIFixture

    static let deviceReply = """
        private_key=\(PrivateKey(UAPIFixture.key(0x42)).clamped.revealedHex)
        listen_port=51999
        public_key=\(UAPIFixture.hex(0x01))
        preshared_key=\(String(repeating: "0", count: 64))
        protocol_version=1
        endpoint=127.0.0.1:5555
        last_handshake_time_sec=0
        last_handshake_time_nsec=0
        tx_bytes=148
        rx_bytes=0
        persistent_keepalive_interval=25
        allowed_ip=10.9.0.2/32
        errno=0


        """

    @Test func readsADeviceAndSendsOneGetPerConnection() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { _ in .reply(Self.deviceReply) }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(2))
        let first = try backend.device(F.name)
        let second = try backend.device(F.name)
        #expect(first == second)
        #expect(first.listenPort == 51999)
        #expect(first.peers.first?.transmittedBytes == 148)
        #expect(server.requests == ["get=1\n\n", "get=1\n\n"])
    }

    @Test func sendsTheEncodedSetAndChecksErrno() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { request in
            .reply(request.contains("listen_port=1\n") ? "errno=-98\n\n" : "errno=0\n\n")
        }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(2))
        let update = DeviceUpdate(listenPort: 51820, peers: [.removing(F.key(9))])
        try backend.set(F.name, update)
        #expect(server.requests == [UAPI.setRequest(update)])

        let error = #expect(throws: WireGuardError.self) { try backend.set(F.name, DeviceUpdate(listenPort: 1)) }
        #expect(F.userspace(error)?.errno == 98)
        #expect(error.map { "\($0)" }?.contains("configure 'wgtest0' over the userspace API") == true)
    }

    @Test func applyReadsDiffsAndSendsOnlyTheDifference() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { request in
            .reply(request.hasPrefix("get=1") ? Self.deviceReply : "errno=0\n\n")
        }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(2))
        var desired = try backend.device(F.name).configuration
        desired.peers[0].persistentKeepalive = 10
        desired.peers[0].allowedIPs = [try IPPrefix("10.9.0.3/32")]
        let sent = try backend.apply(desired, to: F.name)
        #expect(sent != nil)
        // Userspace cannot remove a single prefix: the list is replaced.
        #expect(
            server.requests.last == """
                set=1
                public_key=\(F.hex(0x01))
                persistent_keepalive_interval=10
                replace_allowed_ips=true
                allowed_ip=10.9.0.3/32


                """)
    }

    @Test func missingSocketIsNoSuchDevice() throws {
        let directory = try TemporaryDirectory()
        let backend = UserspaceBackend(socketDirectory: directory.path)
        #expect(throws: WireGuardError.noSuchDevice(F.name)) { try backend.device(F.name) }
        #expect(!backend.hasSocket(for: F.name))
    }

    @Test func staleSocketIsNoSuchDevice() throws {
        let directory = try TemporaryDirectory()
        try FakeUAPIServer.makeStaleSocket(at: "\(directory.path)/wgtest0.sock")
        let backend = UserspaceBackend(socketDirectory: directory.path)
        #expect(throws: WireGuardError.noSuchDevice(F.name)) { try backend.device(F.name) }
        #expect(!backend.hasSocket(for: F.name))
        #expect(try backend.interfaceNames() == [])
    }

    @Test func listsLiveSocketsSortedSkippingStaleAndForeignFiles() throws {
        let directory = try TemporaryDirectory()
        let b = try FakeUAPIServer(interface: "wg-b", directory: directory.path)
        let a = try FakeUAPIServer(interface: "wg-a", directory: directory.path)
        let tooLong = try FakeUAPIServer(interface: "a-name-longer-than-15", directory: directory.path)
        defer {
            a.stop()
            b.stop()
            tooLong.stop()
        }
        try FakeUAPIServer.makeStaleSocket(at: "\(directory.path)/wg-stale.sock")
        _ = FileManager.default.createFile(atPath: "\(directory.path)/notes.txt", contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: "\(directory.path)/plainfile.sock", contents: Data())
        let backend = UserspaceBackend(socketDirectory: directory.path)
        #expect(try backend.interfaceNames() == [try InterfaceName("wg-a"), try InterfaceName("wg-b")])
        #expect(backend.hasSocket(for: try InterfaceName("wg-a")))
    }

    @Test func missingDirectoryListsNothing() throws {
        let backend = UserspaceBackend(socketDirectory: "/nonexistent/zmesh-\(UInt32.random(in: 0...UInt32.max))")
        #expect(try backend.interfaceNames() == [])
    }

    @Test func hungDaemonTimesOut() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { _ in .hang }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .milliseconds(200))
        let error = #expect(throws: WireGuardError.self) { try backend.device(F.name) }
        #expect(F.userspace(error)?.errno == ETIMEDOUT)
        #expect(F.userspace(error)?.detail.contains("did not answer") == true)
    }

    @Test func closingWithoutReplyFails() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { _ in .closeWithoutReply }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(2))
        let error = #expect(throws: WireGuardError.self) { try backend.device(F.name) }
        #expect(F.userspace(error)?.detail.contains("without replying") == true)
    }

    @Test func truncatedReplyFails() throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { _ in
            .replyAndClose(Array("listen_port=1\n".utf8))
        }
        defer { server.stop() }
        let backend = UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(2))
        let error = #expect(throws: WireGuardError.self) { try backend.device(F.name) }
        #expect(F.userspace(error)?.detail.contains("before the end of its reply") == true)
    }

    @Test func largeReplyArrivingInManyChunksIsReadWhole() throws {
        let peerCount = 3000
        var reply = "listen_port=7\n"
        for i in 0..<peerCount {
            let key = WireGuardKey(bytes: (0..<32).map { UInt8(truncatingIfNeeded: i >> ($0 % 2 == 0 ? 0 : 8)) &+ UInt8($0) })
            reply += "public_key=\((key ?? .zero).hex)\nallowed_ip=10.\(i / 256).\(i % 256).0/24\ntx_bytes=\(i)\n"
        }
        reply += "errno=0\n\n"
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { [reply] _ in .reply(reply) }
        defer { server.stop() }
        let device = try UserspaceBackend(socketDirectory: directory.path, timeout: .seconds(5)).device(F.name)
        #expect(device.peers.count == peerCount)
        #expect(device.peers.last?.transmittedBytes == UInt64(peerCount - 1))
    }

    @Test(arguments: [BackendChoice.automatic, .userspace])
    func clientUsesTheUserspaceBackendForAnInterfaceWithASocket(choice: BackendChoice) throws {
        let directory = try TemporaryDirectory()
        let server = try FakeUAPIServer(interface: "wgtest0", directory: directory.path) { _ in .reply(Self.deviceReply) }
        defer { server.stop() }
        let client = WireGuardClient(choice: choice, socketDirectory: directory.path)
        #expect(try client.interfaceNames().contains(F.name))
        #expect(try client.backend(for: F.name).kind == "userspace")
        #expect(try client.device(F.name).listenPort == 51999)
    }

    @Test(arguments: [
        ("errno=0\n\n", true), ("\n", true), ("errno=0\n", false), ("", false), ("a=1\n\nb", false),
    ])
    func replyCompletenessIsTheEmptyLine(text: String, complete: Bool) {
        #expect(UAPISocket.isComplete(Array(text.utf8)) == complete)
    }
}
