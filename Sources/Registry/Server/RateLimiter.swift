import Synchronization
import ZmeshCrypto

/// A token bucket per identity: `rate` tokens a second up to `burst`; a request takes one token.
///
/// Buckets that have refilled completely are forgotten (a full bucket is what a new identity gets), so memory
/// follows the identities active in the last `burst / rate` seconds.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private struct State {
        var buckets: [IdentityID: Bucket] = [:]
        var takesSincePrune = 0
    }
    private let state = Mutex(State())
    let rate: Double
    let burst: Double

    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(burst, 1))
    }

    /// Takes a token for `identity`: `nil` when the request may go on, else the whole seconds to wait.
    func take(_ identity: IdentityID, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            state.takesSincePrune += 1
            if state.takesSincePrune >= 4096 {
                state.takesSincePrune = 0
                state.buckets = state.buckets.filter { refilled($0.value, now: now).tokens < burst }
            }
            var bucket = refilled(state.buckets[identity] ?? Bucket(tokens: burst, updated: now), now: now)
            guard bucket.tokens >= 1 else {
                state.buckets[identity] = bucket
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            state.buckets[identity] = bucket
            return nil
        }
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Bucket(tokens: min(burst, bucket.tokens + max(0, seconds) * rate), updated: max(now, bucket.updated))
    }
}

/// Counts each node's open mailbox polls and refuses one beyond the cap.
final class PollLimiter: Sendable {
    private let open = Mutex([IdentityID: Int]())
    let maximum: Int

    init(maximum: Int) { self.maximum = maximum }

    /// Opens a poll for `node`, or returns `false` when it has `maximum` open already.
    func open(_ node: IdentityID) -> Bool {
        open.withLock { open in
            let count = open[node, default: 0]
            guard count < maximum else { return false }
            open[node] = count + 1
            return true
        }
    }

    /// Closes a poll opened by ``open(_:)``.
    func close(_ node: IdentityID) {
        open.withLock { open in
            let count = open[node, default: 1] - 1
            open[node] = count > 0 ? count : nil
        }
    }
}

/// The nodes' last-seen times in memory, written to the store at most once per `writeInterval` per node.
final class LastSeenTracker: Sendable {
    private let seen = Mutex([IdentityID: (time: Int64, written: Int64)]())
    let writeInterval: Int64

    init(writeInterval: Int64) { self.writeInterval = writeInterval }

    /// Records that `node` was seen at `time`; returns whether the store should be written now.
    func record(_ node: IdentityID, at time: Int64) -> Bool {
        seen.withLock { seen in
            guard let entry = seen[node] else {
                seen[node] = (time, time)
                return true
            }
            let write = time - entry.written >= writeInterval
            seen[node] = (max(entry.time, time), write ? time : entry.written)
            return write
        }
    }

    /// The last time `node` was seen by this process, if at all.
    func latest(_ node: IdentityID) -> Int64? { seen.withLock { $0[node]?.time } }
}
