import Synchronization
import SystemSupport

/// Runs blocking calls (the reconciler's netlink, nftables and process work) off Swift's cooperative
/// pool: each call on an OS thread of its own, awaited without blocking a pool thread, then joined.
///
/// The lane does not order calls by itself: the agent's core makes them one at a time.
enum BlockingLane {
    /// `body`'s result, computed on a new thread.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let slot = Mutex<WorkerThread?>(nil)
        let value: T = await withCheckedContinuation { continuation in
            do {
                let thread = try WorkerThread { continuation.resume(returning: body()) }
                slot.withLock { $0 = thread }
            } catch {
                // No thread to be had (resource limits): run here rather than not at all.
                continuation.resume(returning: body())
            }
        }
        // The thread resumed us as its last act: joining it takes a moment, and frees its stack.
        slot.withLock { $0?.join() }
        return value
    }
}
