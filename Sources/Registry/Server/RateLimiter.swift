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
