import CZmeshShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A network namespace named by a path: `/run/netns/NAME` (as iproute2 makes them) or
/// `/proc/PID/ns/net`.
public struct NetworkNamespace: Sendable, Hashable, CustomStringConvertible {
    public let path: String

    public init(path: String) { self.path = path }

    /// The namespace iproute2 calls `name` (`/run/netns/NAME`).
    public static func named(_ name: String) -> NetworkNamespace { NetworkNamespace(path: "/run/netns/\(name)") }

    public var description: String { path }

    /// Runs `body` synchronously on a dedicated OS thread that has entered this namespace, and returns
    /// its result. `setns` changes only the calling thread, so this never touches the caller's thread
    /// or a Swift-concurrency pool thread. Sockets and processes created inside `body` belong to this
    /// namespace and keep operating on it afterwards.
    public func run<T: Sendable, E: Error>(_ body: @Sendable () throws(E) -> T) throws -> T {
        let fd = try systemCall("open network namespace", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        let ns = self
        return try DedicatedThread.run { () throws -> T in
            try systemCall("enter network namespace", ns.path) { zmesh_setns(fd, zmesh_clone_newnet()) }
            return try body()
        }
    }
}

/// Runs a closure on a fresh pthread and waits for it: the thread dies with whatever per-thread
/// state (namespace membership) the closure gave it.
public enum DedicatedThread {
    public static func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escapable in
            let box = ThreadBox { try escapable() }
            let unmanaged = Unmanaged.passRetained(box)
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, nil,
                { raw in
                    guard let raw else { return nil }
                    let box = Unmanaged<ThreadBox>.fromOpaque(raw).takeUnretainedValue()
                    box.result = Result { try box.body() }
                    return nil
                }, unmanaged.toOpaque())
            guard rc == 0 else {
                unmanaged.release()
                throw SystemError("create thread", "namespace worker", errno: rc)
            }
            pthread_join(thread, nil)
            unmanaged.release()
            guard let result = box.result else { throw SystemError("join thread", "namespace worker", errno: EINVAL) }
            return try result.get() as! T
        }
    }
}

/// The closure and its outcome, handed to the worker thread; `pthread_join` orders the accesses.
private final class ThreadBox: @unchecked Sendable {
    let body: () throws -> any Sendable
    var result: Result<any Sendable, any Error>?
    init(_ body: @escaping () throws -> any Sendable) { self.body = body }
}
