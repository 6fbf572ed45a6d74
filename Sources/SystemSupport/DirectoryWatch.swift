#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The names removed from one directory (inotify `IN_DELETE`, `IN_MOVED_FROM`), delivered as an
/// `AsyncStream` — how the agent hears at once that a named namespace was deleted (`ip netns del`
/// unlinks `/run/netns/NAME`), which no link event says while something still holds the namespace.
///
/// One OS thread blocks reading the inotify descriptor (and a wakeup pipe for ``stop()``).
public final class DirectoryWatch: Sendable {
    /// Names removed from the directory, in order. One consumer.
    public let removals: AsyncStream<String>
    public let directory: String
    private let descriptor: Int32
    private let wakeup: WakeupPipe
    private let worker: WorkerThread

    /// Watches `directory` (which must exist).
    public init(directory: String) throws(SystemError) {
        self.directory = directory
        let fd = try systemCall("watch directory", directory) { inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) }
        let mask = UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM) | UInt32(IN_ONLYDIR)
        do {
            _ = try systemCall("watch directory", directory) { inotify_add_watch(fd, directory, mask) }
        } catch {
            close(fd)
            throw error
        }
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1024))
        let wakeup: WakeupPipe
        do { wakeup = try WakeupPipe() } catch {
            close(fd)
            throw error
        }
        removals = stream
        descriptor = fd
        self.wakeup = wakeup
        do {
            worker = try WorkerThread { Self.pump(fd, wakeup, continuation) }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        stop()
        close(descriptor)
    }

    /// Ends the stream and the thread (idempotent).
    public func stop() {
        wakeup.wake()
        worker.join()
    }

    private static func pump(_ fd: Int32, _ wakeup: WakeupPipe, _ continuation: AsyncStream<String>.Continuation) {
        defer { continuation.finish() }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard (try? wakeup.waitForReadable(fd)) == true else { return }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return
            }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let (length, name) = buffer.withUnsafeBytes { raw -> (Int, String) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let bytes = raw[(offset + header)..<min(offset + header + Int(event.len), count)]
                    return (Int(event.len), String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
                }
                if !name.isEmpty { continuation.yield(name) }
                offset += header + length
            }
        }
    }
}
