import CZmeshShims

#if canImport(Glibc)
import Glibc
#endif

/// Descriptors created close-on-exec atomically (`pipe2`, `mkostemp`), so a process spawned by
/// another thread at the same moment cannot inherit them.
public enum Descriptors {
    /// A pipe: `(read end, write end)`, both close-on-exec.
    public static func pipe(_ purpose: String) throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try systemCall("create pipe for", purpose) { zmesh_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }

    /// A temporary file in `$TMPDIR` (or `/tmp`), already unlinked: nothing to clean up but the descriptor.
    public static func unlinkedTemporaryFile(prefix: String) throws(SystemError) -> Int32 {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/\(prefix)-XXXXXX".utf8CString)
        return try template.withUnsafeMutableBufferPointer { buffer throws(SystemError) -> Int32 in
            guard let path = buffer.baseAddress else { throw SystemError("create temporary file in", directory, errno: EINVAL) }
            let fd = try systemCall("create temporary file in", directory) { zmesh_mkostemp_cloexec(path) }
            unlink(path)
            return fd
        }
    }
}
