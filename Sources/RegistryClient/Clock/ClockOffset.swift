import Synchronization

/// Seconds added to the local clock when stamping requests, learnt from the registry's `Date` header when it
/// refuses a timestamp (`clock_skew`, `stale_timestamp`). Shared by the clients of one transport.
final class ClockOffset: Sendable {
    private let seconds = Atomic<Int64>(0)

    var value: Int64 { seconds.load(ordering: .relaxed) }

    func set(_ value: Int64) { seconds.store(value, ordering: .relaxed) }
}
