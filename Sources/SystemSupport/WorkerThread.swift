import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A long-running OS thread of our own (a pthread, never a Swift-concurrency pool thread), for loops
/// that block in system calls — reading a netlink event socket, for instance. ``join()`` waits for
/// the body to return; the owner tells the body to stop by its own means (a pipe, a flag).
public final class WorkerThread: Sendable {
    private let thread: pthread_t
    private let joined = Mutex(false)

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let box = Unmanaged.passRetained(WorkerBody(body))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let body = Unmanaged<WorkerBody>.fromOpaque(raw).takeRetainedValue()
                body.run()
                return nil
            }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            throw SystemError("create thread", "worker", errno: rc)
        }
        self.thread = thread
    }

    /// Waits for the body to return; later calls return at once. Never call it from the worker itself.
    public func join() {
        joined.withLock { done in
            guard !done else { return }
            pthread_join(thread, nil)
            done = true
        }
    }
}

private final class WorkerBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
