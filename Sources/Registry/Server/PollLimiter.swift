import Synchronization
import ZmeshCrypto

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
