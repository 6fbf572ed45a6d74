import RegistryClient
import Testing

/// Full-jitter exponential backoff.
@Suite struct RetryPolicyTests {
    @Test func ceilingDoublesUpToTheCap() {
        let policy = RetryPolicy(attempts: 5, baseDelay: .milliseconds(100), maximumDelay: .milliseconds(700))
        #expect(policy.ceiling(afterFailures: 1) == .milliseconds(100))
        #expect(policy.ceiling(afterFailures: 2) == .milliseconds(200))
        #expect(policy.ceiling(afterFailures: 3) == .milliseconds(400))
        #expect(policy.ceiling(afterFailures: 4) == .milliseconds(700))
        #expect(policy.ceiling(afterFailures: 1000) == .milliseconds(700))
    }

    @Test func delaysAreSpreadBetweenZeroAndTheCeiling() {
        let policy = RetryPolicy(baseDelay: .seconds(1), maximumDelay: .seconds(8))
        let delays = (0..<2000).map { _ in policy.delay(afterFailures: 3) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(4) })
        // Full jitter: both halves of the range are used.
        #expect(delays.contains { $0 < .seconds(1) })
        #expect(delays.contains { $0 > .seconds(3) })
    }

    @Test func atLeastOneAttempt() {
        #expect(RetryPolicy(attempts: 0).attempts == 1)
        #expect(RetryPolicy.noRetry.attempts == 1)
    }
}
