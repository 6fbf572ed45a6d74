/// How often and how patiently a request is repeated after a transient failure.
///
/// Delays follow "full jitter" exponential backoff: after the n-th failure the client waits a uniformly
/// random time in `0 … min(maximumDelay, baseDelay · 2ⁿ⁻¹)`, so that many clients failing together (a
/// registry restart) do not come back together. A `Retry-After` header on a 429 or 503 answer replaces
/// the random delay (bounded by ``maximumRetryAfter``).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 = no retry).
    public var attempts: Int
    public var baseDelay: Duration
    public var maximumDelay: Duration
    /// Longest `Retry-After` honoured; longer values are cut to it.
    public var maximumRetryAfter: Duration

    public init(
        attempts: Int = 4, baseDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(10),
        maximumRetryAfter: Duration = .seconds(120)
    ) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// No retry at all.
    public static let noRetry = RetryPolicy(attempts: 1)

    /// The upper bound of the random delay after `failures` consecutive failures (≥ 1).
    public func ceiling(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures, 1) - 1, 62)
        let scaled = baseDelay.secondsValue * Double(UInt64(1) << UInt64(exponent))
        return .seconds(fromDouble: min(scaled, maximumDelay.secondsValue))
    }

    /// A random delay in `0 … ceiling(afterFailures:)`.
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    /// A random delay in `0 … ceiling(afterFailures:)` drawn from `generator`.
    public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(afterFailures: failures).secondsValue
        guard ceiling > 0 else { return .zero }
        return .seconds(fromDouble: Double.random(in: 0...ceiling, using: &generator))
    }
}
