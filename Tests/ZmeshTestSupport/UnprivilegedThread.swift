import SystemSupport

/// Runs code without any capability, to check how the libraries report `EPERM`: a dedicated thread
/// (optionally inside a namespace) drops its capability sets, then runs `body`; the rest of the
/// process keeps root's capabilities. A thin wrapper over
/// ``SystemSupport/DedicatedThread/runWithoutCapabilities(in:_:)`` — run the whole operation in `body`.
public enum UnprivilegedThread {
    public static func run<T: Sendable>(in namespace: NetworkNamespace? = nil, _ body: @escaping @Sendable () throws -> T) throws -> T {
        try DedicatedThread.runWithoutCapabilities(in: namespace, body)
    }
}
