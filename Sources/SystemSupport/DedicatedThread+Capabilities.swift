import CZmeshShims

extension DedicatedThread {
    /// Runs `body` on a fresh thread that has given up every capability, and returns its result —
    /// to see how code behaves without privileges (`EPERM`) while the rest of the process keeps
    /// root's capabilities.
    ///
    /// The thread enters `namespace` first (`setns` needs `CAP_SYS_ADMIN`), then clears its
    /// effective, permitted and inheritable sets with `capset` on itself only; it can never regain
    /// them and dies when `body` returns. Do the whole operation inside `body`: libnl and libnftables
    /// address their requests to the kernel explicitly, and for such messages the kernel checks
    /// `CAP_NET_ADMIN` of the *sending* thread, not of whoever opened the socket.
    ///
    /// - Throws: ``SystemError`` when the thread cannot be started, the namespace entered or the
    ///   capabilities dropped; otherwise whatever `body` throws.
    public static func runWithoutCapabilities<T: Sendable>(
        in namespace: NetworkNamespace? = nil, _ body: @Sendable () throws -> T
    ) throws -> T {
        let unprivileged: @Sendable () throws -> T = {
            try systemCall("drop capabilities", "dedicated thread") { zmesh_drop_thread_capabilities() }
            return try body()
        }
        if let namespace { return try namespace.run(unprivileged) }
        return try run(unprivileged)
    }
}
