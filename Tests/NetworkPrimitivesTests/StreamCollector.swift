import Synchronization

/// The one consumer of an event stream (a monitor's or a hub's) for a whole test: a task appends
/// every event to a list behind a lock, and ``next(within:matching:)`` looks through it until a
/// deadline. Nothing ever cancels the consuming task — cancelling a task that iterates an
/// `AsyncStream` finishes the stream, and every later wait would then see nothing. The task ends
/// when the stream does.
final class StreamCollector<Event: Sendable>: Sendable {
    private struct Log {
        var events: [Event] = []
        /// Events before this index were looked at by an earlier wait.
        var consumed = 0
        var finished = false
    }

    private final class Shared: Sendable {
        let log = Mutex(Log())
    }

    private let shared = Shared()

    init(_ stream: AsyncStream<Event>) {
        let shared = self.shared
        Task {
            for await event in stream { shared.log.withLock { $0.events.append(event) } }
            shared.log.withLock { $0.finished = true }
        }
    }

    /// Every event so far.
    var all: [Event] { shared.log.withLock { $0.events } }

    /// The first event not looked at yet that satisfies `matching`, waiting up to `timeout` for it;
    /// `nil` when none came (or the stream finished). Events passed over are not looked at again.
    func next(within timeout: Duration = .seconds(20), matching: (Event) -> Bool) async -> Event? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, finished) = shared.log.withLock { log -> (Event?, Bool) in
                while log.consumed < log.events.count {
                    let event = log.events[log.consumed]
                    log.consumed += 1
                    if matching(event) { return (event, false) }
                }
                return (nil, log.finished)
            }
            if let found { return found }
            if finished || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Whether the stream finishes within `timeout`.
    func finished(within timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if shared.log.withLock({ $0.finished }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return shared.log.withLock { $0.finished }
    }
}
