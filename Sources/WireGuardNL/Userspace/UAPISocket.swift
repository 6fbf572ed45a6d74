import SystemSupport
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// The UAPI transport: a UNIX stream socket per request. Connect, write the request, read until the
/// reply's terminating empty line (wireguard-go keeps the connection open for another request, so
/// end-of-file cannot be the delimiter), close. Send and receive time out, so a hung daemon fails the
/// call instead of hanging it.
enum UAPISocket {
    /// What connecting to a socket path found.
    enum Probe: Equatable {
        /// A daemon accepted the connection (or the socket exists but we may not connect: `EACCES`).
        case live
        /// The file is a socket nobody listens on (the daemon died): `ECONNREFUSED`.
        case stale
        /// No socket at that path.
        case absent
    }

    /// Checks `path` the way `wg(8)` does: a socket file that accepts a connection.
    static func probe(_ path: String) -> Probe {
        var info = stat()
        guard stat(path, &info) == 0 else { return .absent }
        guard info.st_mode & UInt32(S_IFMT) == UInt32(S_IFSOCK) else { return .absent }
        do {
            let fd = try connect(path, timeout: .seconds(1))
            close(fd)
            return .live
        } catch {
            return error.errno == ECONNREFUSED ? .stale : .live
        }
    }

    /// One request and its complete reply (ending in `\n\n`, included).
    static func exchange(
        _ request: String, path: String, interface name: InterfaceName, operation: String, timeout: Duration
    ) throws(WireGuardError) -> [UInt8] {
        let fd: Int32
        do { fd = try connect(path, timeout: timeout) } catch {
            switch error.errno {
            case ENOENT, ECONNREFUSED: throw .noSuchDevice(name)
            case EACCES, EPERM: throw .permissionDenied(operation: operation, interface: name)
            default: throw .userspace(operation: operation, interface: name, errno: error.errno, detail: "cannot connect to \(path)")
            }
        }
        defer { close(fd) }
        do { try send(request, to: fd) } catch {
            throw failure(error, operation: operation, interface: name, timeout: timeout, stage: "sending the request")
        }
        do {
            return try receiveReply(from: fd, interface: name, operation: operation)
        } catch let error as SystemError {
            throw failure(error, operation: operation, interface: name, timeout: timeout, stage: "waiting for the reply")
        } catch let error as WireGuardError {
            throw error
        } catch {
            throw .userspace(operation: operation, interface: name, errno: nil, detail: "\(error)")
        }
    }

    private static func failure(
        _ error: SystemError, operation: String, interface name: InterfaceName, timeout: Duration, stage: String
    ) -> WireGuardError {
        if error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            return .userspace(
                operation: operation, interface: name, errno: ETIMEDOUT,
                detail: "the daemon did not answer within \(timeout) while \(stage)")
        }
        return .userspace(operation: operation, interface: name, errno: error.errno, detail: "failed while \(stage)")
    }

    /// A connected socket with `SO_SNDTIMEO`/`SO_RCVTIMEO` set to `timeout`.
    private static func connect(_ path: String, timeout: Duration) throws(SystemError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity, !pathBytes.contains(0) else {
            throw SystemError("connect to", path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = try systemCall("open socket for", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0) }
        do throws(SystemError) {
            let (seconds, attoseconds) = timeout.components
            var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            if interval.tv_sec == 0 && interval.tv_usec == 0 { interval.tv_usec = 1 }  // 0 would mean "forever"
            let size = socklen_t(MemoryLayout<timeval>.size)
            try systemCall("set send timeout on", path) { setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, size) }
            try systemCall("set receive timeout on", path) { setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, size) }
            try systemCall("connect to", path) {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func send(_ request: String, to fd: Int32) throws(SystemError) {
        let bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = try systemCall("write request to", "UAPI socket") {
                bytes.withUnsafeBytes { raw in
                    Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            offset += sent
        }
    }

    private static func receiveReply(
        from fd: Int32, interface name: InterfaceName, operation: String
    ) throws -> [UInt8] {
        var reply: [UInt8] = []
        let chunkSize = 64 * 1024
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = try systemCall("read reply from", "UAPI socket") { recv(fd, chunk.baseAddress, chunkSize, 0) }
            if count == 0 {
                let detail =
                    reply.isEmpty
                    ? "the daemon closed the connection without replying (request not understood?)"
                    : "the daemon closed the connection after \(reply.count) bytes, before the end of its reply"
                throw WireGuardError.userspace(operation: operation, interface: name, errno: nil, detail: detail)
            }
            reply.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            if isComplete(reply) { return reply }
        }
    }

    /// A reply ends with an empty line: `\n\n` (or is a lone `\n`).
    static func isComplete(_ reply: [UInt8]) -> Bool {
        let newline = UInt8(ascii: "\n")
        if reply == [newline] { return true }
        return reply.count >= 2 && reply[reply.count - 1] == newline && reply[reply.count - 2] == newline
    }
}
