import Deployments
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// File and terminal I/O for the identity and deployment verbs.
enum CommandOutput {
    /// Writes `text` to standard output (or `fd`), retrying short writes; returns whether all of it
    /// was written.
    @discardableResult
    static func write(_ text: String, to fd: Int32 = STDOUT_FILENO) -> Bool {
        (try? FileIO.write(text, to: fd, path: "descriptor \(fd)")) != nil
    }

    /// Writes `text` to standard error.
    static func error(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Reads a whole file (or standard input for `-`), refusing more than `limit` bytes.
    static func read(_ path: String, limit: Int = Deployment.maximumJSONSize) throws(CommandError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes =
                path == "-"
                ? try FileIO.read(fd: STDIN_FILENO, limit: limit, path: path) : try FileIO.readFile(path, limit: limit)
        } catch {
            throw CommandError("cannot \(error.operation) '\(path)': \(SystemError.message(for: error.errno))")
        }
        guard bytes.count <= limit else { throw CommandError("'\(path)' is larger than \(limit) bytes") }
        return bytes
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
