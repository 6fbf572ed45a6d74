#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pipe that lets one thread interrupt another blocked waiting for a descriptor: the worker waits
/// with ``waitForReadable(_:)``, the owner calls ``wake()`` to make it return.
public final class WakeupPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    public init() throws(SystemError) {
        (readEnd, writeEnd) = try Descriptors.pipe("wakeup")
        for fd in [readEnd, writeEnd] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Makes every current and future ``waitForReadable(_:)`` return `false`.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Blocks until `fd` has data (`true`) or ``wake()`` was called (`false`).
    public func waitForReadable(_ fd: Int32) throws(SystemError) -> Bool {
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0),
        ]
        try systemCall("wait for", "descriptor \(fd)") { poll(&fds, 2, -1) }
        if fds[1].revents != 0 { return false }
        return fds[0].revents != 0
    }
}
