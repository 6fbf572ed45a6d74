import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// An unlinked temporary file receiving a child's standard output and error: nothing to clean up,
/// and no pipe to fill up and block the child.
final class CapturedOutput {
    let fd: Int32

    init() throws(SystemError) {
        fd = try Descriptors.unlinkedTemporaryFile(prefix: "zmesh-wireguard-go")
    }

    deinit { close(fd) }

    func tail(_ limit: Int) -> String {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return "" }
        let size = Int(info.st_size)
        let offset = max(0, size - limit)
        var bytes = [UInt8](repeating: 0, count: size - offset)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard count > 0 else { return "" }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }
}
