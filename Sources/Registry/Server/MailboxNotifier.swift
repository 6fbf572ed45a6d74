import Synchronization
import ZmeshCrypto

/// Wakes long-polls when their node's mailbox gets an item.
///
/// Each node has a generation counter, bumped by ``notify(_:)``. A poller reads the generation,
/// queries the store, and if nothing was there waits until the generation moves past what it read
/// (or the time is up): an item stored between the query and the wait is not missed.
final class MailboxNotifier: Sendable {
    private struct State {
        var generations: [IdentityID: UInt64] = [:]
        var waiters: [IdentityID: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        /// Waits released before they parked (a timeout that won the race).
        var released: Set<UInt64> = []
        var nextWaiter: UInt64 = 0
        /// Set by ``shutDown()``: no poll waits any more.
        var isShutDown = false
    }
    private let state = Mutex(State())

    /// The current generation of `node`'s mailbox.
    func generation(of node: IdentityID) -> UInt64 { state.withLock { $0.generations[node, default: 0] } }

    /// Whether ``shutDown()`` was called.
    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Wakes every poller and makes later waits return at once (graceful shutdown: polls answer with what
    /// they have, and clients poll again once the registry is back).
    func shutDown() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isShutDown = true
            let parked = state.waiters.values.flatMap(\.values)
            state.waiters = [:]
            return parked
        }
        for continuation in woken { continuation.resume() }
    }

    /// Marks new items for `nodes` and wakes their pollers.
    func notify(_ nodes: some Sequence<IdentityID>) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for node in Set(nodes) {
                state.generations[node, default: 0] &+= 1
                if let parked = state.waiters.removeValue(forKey: node) { woken += parked.values }
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when `node`'s generation passes `generation`, after `timeout`, or when the task is cancelled.
    func wait(for node: IdentityID, beyond generation: UInt64, timeout: Duration) async {
        let waiter = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(node: node, waiter: waiter, beyond: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            self.release(node: node, waiter: waiter)
        }
        // Both children are done: forget a release that found nothing parked.
        _ = state.withLock { $0.released.remove(waiter) }
    }

    private func park(node: IdentityID, waiter: UInt64, beyond generation: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isShutDown || state.released.remove(waiter) != nil { return true }
                    if state.generations[node, default: 0] > generation { return true }
                    state.waiters[node, default: [:]][waiter] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            release(node: node, waiter: waiter)
        }
    }

    /// Resumes the waiter if it is parked; otherwise remembers that it must not park.
    private func release(node: IdentityID, waiter: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let parked = state.waiters[node]?.removeValue(forKey: waiter) {
                if state.waiters[node]?.isEmpty == true { state.waiters[node] = nil }
                return parked
            }
            state.released.insert(waiter)
            return nil
        }
        continuation?.resume()
    }
}
