import Deployments

#if canImport(Glibc)
import Glibc
#endif

/// File and terminal I/O for the identity and deployment verbs.
enum CommandOutput {
    /// Writes `text` to standard output (or `fd`), retrying short writes; returns whether all of it
    /// was written.
    @discardableResult
    static func write(_ text: String, to fd: Int32 = STDOUT_FILENO) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// Writes `text` to standard error.
    static func error(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Reads a whole file (or standard input for `-`), refusing more than `limit` bytes.
    static func read(_ path: String, limit: Int = Deployment.maximumJSONSize) throws(CommandError) -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CommandError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot read '\(path)': \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > limit { throw CommandError("'\(path)' is larger than \(limit) bytes") }
        }
    }

    /// Replaces `path` with `text` atomically (a temporary file in the same directory, renamed over
    /// it), or writes to standard output for `-`.
    static func replace(_ path: String, with text: String) throws(CommandError) {
        if path == "-" {
            write(text)
            return
        }
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandError("cannot create '\(temporary)': \(String(cString: strerror(errno)))") }
        let written = write(text, to: fd) && fsync(fd) == 0
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("cannot write '\(path)': \(reason)")
        }
    }
}

/// A failed identity or deployment verb; ArgumentParser prints the message and exits non-zero.
struct CommandError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
