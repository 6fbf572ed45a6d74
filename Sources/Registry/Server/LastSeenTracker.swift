import Synchronization
import ZmeshCrypto

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
