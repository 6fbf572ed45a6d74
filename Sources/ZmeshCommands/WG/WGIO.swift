#if canImport(Glibc)
import Glibc
#endif

/// The little file-descriptor I/O the `wg` verbs need, byte-exact and without buffering surprises.
enum WGIO {
    /// Writes all of `text` to `fd` (retrying short writes and EINTR).
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// Reads `fd` to its end, refusing more than `limit` bytes.
    static func readAll(fd: Int32, limit: Int, what: String) throws(WGCommandError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WGCommandError("cannot read \(what): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > limit { throw WGCommandError("\(what) is larger than \(limit) bytes") }
        }
    }

    /// Reads a whole file (`/dev/stdin` and `/dev/fd/N` work too).
    static func readFile(_ path: String, limit: Int, what: String) throws(WGCommandError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WGCommandError("cannot open \(what) '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(fd: fd, limit: limit, what: "\(what) '\(path)'")
    }

    /// The value of an environment variable.
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Whether standard output is a terminal.
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Seconds since the epoch.
    static func now() -> Int64 { Int64(time(nil)) }

    /// The name of interface `index` in this namespace.
    static func interfaceName(index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(index, &buffer) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
