import Synchronization

/// Remembers the (signer, nonce) pairs of accepted requests for as long as their timestamps are
/// inside the clock-skew window, so that a captured request cannot be replayed.
///
/// Across restarts (docs/registry.md, "Replay protection"): a clean shutdown saves the entries and the next
/// start restores them; after an unclean stop they are lost, so the next start sets a ``floor`` — timestamps
/// before the start are refused, and with them every request captured before it.
final class NonceCache: Sendable {
    private struct State {
        var expiries: [String: Int64] = [:]
        var insertsSincePrune = 0
        var floor: Int64 = .min
    }
    private let state = Mutex(State())
    /// Seconds an entry is kept after its request's timestamp.
    private let retention: Int64

    /// A cache keeping entries `retention` seconds past their request's timestamp (twice the skew window covers
    /// a request stamped at the edge of the window in either direction).
    init(retention: Int64) { self.retention = retention }

    /// Requests stamped before this are refused (`Int64.min`: none).
    var floor: Int64 { state.withLock { $0.floor } }

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

    /// The unexpired entries, to save at shutdown.
    func snapshot(now: Int64) -> [NonceRecord] {
        state.withLock { state in
            state.expiries.compactMap { key, expiry in
                guard expiry >= now, let space = key.firstIndex(of: " ") else { return nil }
                return NonceRecord(
                    signer: String(key[..<space]), nonce: String(key[key.index(after: space)...]), expiresAt: expiry)
            }
        }
    }

    /// Restores what the previous run saved, or — when it saved nothing (`nil`) — refuses timestamps before
    /// `start`.
    func restore(_ saved: [NonceRecord]?, start: Int64) {
        state.withLock { state in
            guard let saved else {
                state.floor = start
                return
            }
            for record in saved { state.expiries[record.signer + " " + record.nonce] = record.expiresAt }
        }
    }
}
