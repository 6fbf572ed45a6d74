import Synchronization
import ZmeshCrypto

/// Each node's open mailbox polls, oldest first, at most ``maximum`` at once.
///
/// At the cap a new poll does not get refused: it **supersedes** the node's oldest poll, which answers at
/// once (with what it has, usually nothing) so the new one can wait in its place. The registry cannot see
/// a client hang up while its poll waits, so a node agent that restarted would otherwise find its slots
/// held by its own abandoned polls until their `wait` ran out. Superseding keeps the bound on parked
/// requests per node, and a runaway client is still held back by the rate limit.
final class PollLimiter: Sendable {
    /// One open poll.
    struct Ticket: Sendable, Hashable {
        let node: IdentityID
        let number: UInt64
    }

    private struct State {
        var open: [IdentityID: [UInt64]] = [:]
        var superseded: Set<UInt64> = []
        var next: UInt64 = 0
    }

    private let state = Mutex(State())
    let maximum: Int

    init(maximum: Int) { self.maximum = max(1, maximum) }

    /// Opens a poll for `node`; at the cap, the node's oldest open poll is superseded (`supersededAnother`).
    func open(_ node: IdentityID) -> (ticket: Ticket, supersededAnother: Bool) {
        state.withLock { state in
            state.next += 1
            let number = state.next
            var open = state.open[node, default: []]
            var superseded = false
            while open.count >= maximum {
                state.superseded.insert(open.removeFirst())
                superseded = true
            }
            open.append(number)
            state.open[node] = open
            return (Ticket(node: node, number: number), superseded)
        }
    }

    /// Whether a newer poll of the same node took this one's place: it should answer now.
    func isSuperseded(_ ticket: Ticket) -> Bool { state.withLock { $0.superseded.contains(ticket.number) } }

    /// Closes a poll opened by ``open(_:)``.
    func close(_ ticket: Ticket) {
        state.withLock { state in
            state.superseded.remove(ticket.number)
            guard var open = state.open[ticket.node] else { return }
            open.removeAll { $0 == ticket.number }
            state.open[ticket.node] = open.isEmpty ? nil : open
        }
    }
}
