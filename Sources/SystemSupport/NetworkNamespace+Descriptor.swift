#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension NetworkNamespace {
    /// Opens the namespace file read-only (what `IFLA_NET_NS_FD` and `setns` take), runs `body` with
    /// the descriptor and closes it.
    ///
    /// - Throws: ``SystemError`` from `open` (`ENOENT`: no such namespace) or whatever `body` throws.
    public func withDescriptor<T, E: Error>(_ body: (Int32) throws(E) -> T) throws -> T {
        let fd = try systemCall("open network namespace", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try body(fd)
    }

    /// ``run(_:)`` for bodies that throw ``SystemError``, keeping the error type: a failure to enter
    /// the namespace is a ``SystemError`` too.
    public func runReportingSystemErrors<T: Sendable>(_ body: @Sendable () throws(SystemError) -> T)
        throws(SystemError) -> T
    {
        do {
            return try run(body)
        } catch let error as SystemError {
            throw error
        } catch {
            throw SystemError("run in network namespace", path, errno: EIO)
        }
    }

    /// Whether `error` says this namespace does not exist (opening its file failed with `ENOENT`).
    public func isMissing(_ error: SystemError) -> Bool {
        error.errno == ENOENT && error.operation == "open network namespace" && error.object == path
    }
}
