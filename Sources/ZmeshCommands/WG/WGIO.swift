import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// The little file-descriptor I/O the `wg` verbs need, byte-exact and without buffering surprises.
enum WGIO {
    /// Writes all of `text` to `fd` (retrying short writes and EINTR).
    static func write(_ text: String, to fd: Int32) {
        try? FileIO.write(text, to: fd, path: "descriptor \(fd)")
    }

    /// Reads `fd` to its end, refusing more than `limit` bytes.
    static func readAll(fd: Int32, limit: Int, what: String) throws(WGCommandError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(fd: fd, limit: limit, path: what) } catch {
            throw WGCommandError("cannot read \(what): \(SystemError.message(for: error.errno))")
        }
        return try refusingMore(than: limit, bytes, what: what)
    }

    /// Reads a whole file (`/dev/stdin` and `/dev/fd/N` work too).
    static func readFile(_ path: String, limit: Int, what: String) throws(WGCommandError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path, limit: limit) } catch {
            throw WGCommandError("cannot \(error.operation) \(what) '\(path)': \(SystemError.message(for: error.errno))")
        }
        return try refusingMore(than: limit, bytes, what: "\(what) '\(path)'")
    }

    private static func refusingMore(than limit: Int, _ bytes: [UInt8], what: String) throws(WGCommandError)
        -> [UInt8]
    {
        guard bytes.count <= limit else { throw WGCommandError("\(what) is larger than \(limit) bytes") }
        return bytes
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
