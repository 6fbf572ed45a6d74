#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file and whole-descriptor I/O, byte-exact and unbuffered: reads to the end, writes all of
/// the text, retrying short transfers and `EINTR`. Failures are ``SystemError``s whose operation is
/// `open`, `create`, `read` or `write` and whose object is the `path` given.
public enum FileIO {
    /// Reads `fd` to its end. Stops early once more than `limit` bytes have been read, so that a caller
    /// can refuse an oversized input without reading all of it: a result longer than `limit` means "too
    /// large". `path` names the file in errors.
    public static func read(fd: Int32, limit: Int = .max, path: String) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = try systemCall("read", path) {
                chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > limit { return bytes }
        }
    }

    /// Reads the whole file at `path` (`/dev/stdin` and `/dev/fd/N` work too), stopping early as
    /// ``read(fd:limit:path:)`` does.
    public static func readFile(_ path: String, limit: Int = .max) throws(SystemError) -> [UInt8] {
        let fd = try systemCall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try read(fd: fd, limit: limit, path: path)
    }

    /// Writes all of `text` to `fd`. `path` names the file in errors.
    public static func write(_ text: String, to fd: Int32, path: String) throws(SystemError) {
        var text = text
        // `withUTF8` rethrows untyped errors: the failure comes out as a value.
        let failure = text.withUTF8 { buffer -> SystemError? in
            var offset = 0
            while offset < buffer.count {
                do throws(SystemError) {
                    offset += try systemCall("write", path) {
                        Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    }
                } catch { return error }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes `text` as the whole content of the file at `path`, created with `mode` if it does not
    /// exist and truncated if it does. `exclusive` refuses an existing file or symbolic link instead
    /// (`O_EXCL | O_NOFOLLOW`), for files that hold secrets.
    public static func writeFile(_ text: String, to path: String, exclusive: Bool = false, mode: mode_t = 0o644)
        throws(SystemError)
    {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL | O_NOFOLLOW : O_TRUNC)
        let fd = try systemCall("create", path) { open(path, flags, mode) }
        defer { close(fd) }
        try write(text, to: fd, path: path)
    }
}
