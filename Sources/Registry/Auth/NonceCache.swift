import Synchronization

/// Remembers the (signer, nonce) pairs of accepted requests for as long as their timestamps are
/// inside the clock-skew window, so that a captured request cannot be replayed.
final class NonceCache: Sendable {
    private struct State {
        var expiries: [String: Int64] = [:]
        var insertsSincePrune = 0
    }
    private let state = Mutex(State())
    /// Seconds an entry is kept after its request's timestamp.
    private let retention: Int64

    /// A cache keeping entries `retention` seconds past their request's timestamp (twice the skew window covers
    /// a request stamped at the edge of the window in either direction).
    init(retention: Int64) { self.retention = retention }

    /// Records the pair and returns `true`, or returns `false` when it was already recorded.
    func insert(signer: String, nonce: String, timestamp: Int64, now: Int64) -> Bool {
        let key = signer + " " + nonce
        return state.withLock { state in
            if let expiry = state.expiries[key], expiry >= now { return false }
            state.expiries[key] = max(timestamp, now) + retention
            state.insertsSincePrune += 1
            if state.insertsSincePrune >= 1024 {
                state.insertsSincePrune = 0
                state.expiries = state.expiries.filter { $0.value >= now }
            }
            return true
        }
    }
}
