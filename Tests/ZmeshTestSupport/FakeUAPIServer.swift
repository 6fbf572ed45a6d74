import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A UAPI daemon stand-in: a UNIX stream socket `<directory>/<interface>.sock` served by its own
/// thread, answering each request (read up to the empty line) with whatever `respond` says, and
/// recording the requests. Like wireguard-go it keeps a connection open after replying, so a client
/// that waited for end-of-file would hang. Call ``stop()`` when done (the serving thread keeps it alive).
public final class FakeUAPIServer: Sendable {
    public enum Response: Sendable {
        /// Write this and keep the connection open.
        case reply(String)
        /// Write these bytes and close.
        case replyAndClose([UInt8])
        /// Close without a word (what wireguard-go does with an unknown operation).
        case closeWithoutReply
        /// Never answer.
        case hang
    }

    public let directory: String
    public let interface: String
    public var socketPath: String { "\(directory)/\(interface).sock" }
    private let listenFD: Int32
    private let state = Mutex(State())
    private let finished = Mutex(false)

    private struct State {
        var requests: [String] = []
        var openConnections: [Int32] = []
        var stopping = false
    }

    /// Listens on `<directory>/<interface>.sock`.
    public init(
        interface: String, directory: String, respond: @escaping @Sendable (String) -> Response = { _ in .reply("errno=0\n\n") }
    ) throws {
        self.directory = directory
        self.interface = interface
        listenFD = try FakeUAPIServer.listeningSocket(at: "\(directory)/\(interface).sock")
        let fd = listenFD
        let thread = Thread { [self] in
            self.serve(fd, respond)
            self.finished.withLock { $0 = true }
        }
        thread.start()
    }

    /// Every request received so far, in order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Stops serving, closes every connection and removes the socket file.
    public func stop() {
        let alreadyStopping = state.withLock { state in
            defer { state.stopping = true }
            return state.stopping
        }
        if alreadyStopping { return }
        while !finished.withLock({ $0 }) { usleep(5_000) }
        let connections = state.withLock { $0.openConnections }
        for fd in connections { close(fd) }
        close(listenFD)
        unlink(socketPath)
    }

    private func serve(_ listenFD: Int32, _ respond: @Sendable (String) -> Response) {
        while !state.withLock({ $0.stopping }) {
            var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let connection = accept(listenFD, nil, nil)
            guard connection >= 0 else { continue }
            state.withLock { $0.openConnections.append(connection) }
            guard let request = readRequest(connection) else { continue }
            state.withLock { $0.requests.append(request) }
            switch respond(request) {
            case .reply(let text): writeAll(connection, Array(text.utf8))
            case .replyAndClose(let bytes):
                writeAll(connection, bytes)
                shutdown(connection, Int32(SHUT_RDWR))
            case .closeWithoutReply: shutdown(connection, Int32(SHUT_RDWR))
            case .hang: break
            }
        }
    }

    private func readRequest(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !(bytes.count >= 2 && bytes.suffix(2) == [10, 10]) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 2000) > 0 else { return nil }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// A bound, listening UNIX stream socket at `path` (an old file there is replaced).
    static func listeningSocket(at path: String) throws -> Int32 {
        unlink(path)
        let fd = try boundSocket(at: path)
        guard listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return fd
    }

    /// Leaves a socket file at `path` that nobody listens on: connecting to it is refused, as with the
    /// socket of a daemon that was killed.
    public static func makeStaleSocket(at path: String) throws {
        unlink(path)
        close(try boundSocket(at: path))
    }

    private static func boundSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes.prefix(raw.count - 1))
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return fd
    }
}
