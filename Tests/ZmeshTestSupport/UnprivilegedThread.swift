import CZmeshShims
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs code without any capability, to check how the libraries report `EPERM`: a dedicated thread
/// (optionally inside a namespace) drops its capability sets with `capset`, then runs `body`. The
/// rest of the process keeps root's capabilities. Run the whole operation in `body`: libnl and
/// libnftables address their requests to the kernel explicitly, and for such messages the kernel
/// checks `CAP_NET_ADMIN` of the *sending* thread, not of whoever opened the socket.
public enum UnprivilegedThread {
    public static func run<T: Sendable>(in namespace: NetworkNamespace? = nil, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let work: @Sendable () throws -> T = {
            try systemCall("drop capabilities", "test thread") { zmesh_drop_thread_capabilities() }
            return try body()
        }
        if let namespace { return try namespace.run { () throws -> T in try work() } }
        return try DedicatedThread.run(work)
    }
}
