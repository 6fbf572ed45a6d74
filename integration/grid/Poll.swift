import SystemSupport

/// Waiting for a condition on a loaded machine: generous bounds, never an assertion on speed.
public enum Poll {
    /// Evaluates `condition` every `interval` until it holds (returns the time it took) or `timeout`
    /// passes (`nil`). A thrown error counts as "not yet".
    @discardableResult
    public static func until(
        timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100), _ condition: () throws -> Bool
    ) -> Duration? {
        let start = ContinuousClock.now
        while true {
            if (try? condition()) == true { return ContinuousClock.now - start }
            if ContinuousClock.now - start >= timeout { return nil }
            SpawnedProcess.sleep(interval)
        }
    }

    /// Like ``until(timeout:interval:_:)`` but throws a ``GridError`` naming `what` and, from
    /// `detail`, the last state seen.
    @discardableResult
    public static func require(
        _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
        detail: () -> String = { "" }, _ condition: () throws -> Bool
    ) throws(GridError) -> Duration {
        guard let elapsed = until(timeout: timeout, interval: interval, condition) else {
            throw GridError("wait for", what, "not reached within \(timeout). \(detail())")
        }
        return elapsed
    }
}

extension Duration {
    /// Milliseconds, for printed measurements.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// "1234 ms".
    public var readable: String { "\(Int(milliseconds.rounded())) ms" }
}
