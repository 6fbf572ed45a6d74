/// Timeouts, TLS trust, limits and retry policy of a ``RegistryClient``.
public struct RegistryClientConfiguration: Sendable {
    /// Longest time to connect (TCP and TLS).
    public var connectTimeout: Duration
    /// Longest time for one ordinary exchange.
    public var requestTimeout: Duration
    /// Added to a long-poll's `wait` to make its deadline (the registry holds the request for `wait`).
    public var longPollMargin: Duration
    /// PEM file of the certificate authorities trusted for `https` registries (the system store when nil).
    public var caFile: String?
    /// Largest answer read (a mailbox page may hold 100 documents).
    public var maximumResponseBytes: Int
    /// Retries of failed requests.
    public var retry: RetryPolicy
    /// Wall-clock Unix seconds for request timestamps (tests may shift it).
    public var clock: @Sendable () -> Int64
    /// When the registry refuses a request's timestamp (`401 clock_skew` or `stale_timestamp`), stamp requests
    /// with its clock from then on — the local clock plus the difference its `Date` header shows — and try
    /// again at once, so that a node whose clock is wrong (no RTC, no NTP yet) still reaches its registry.
    /// Only request timestamps change. Over plain HTTP a man in the middle could shift them, which at most
    /// moves a captured request's validity by the registry's skew window; use TLS.
    public var adoptsRegistryClock: Bool

    public init(
        connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30),
        longPollMargin: Duration = .seconds(15), caFile: String? = nil, maximumResponseBytes: Int = 64 << 20,
        retry: RetryPolicy = RetryPolicy(), clock: @escaping @Sendable () -> Int64 = WallClock.unixSeconds,
        adoptsRegistryClock: Bool = true
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.longPollMargin = longPollMargin
        self.caFile = caFile
        self.maximumResponseBytes = maximumResponseBytes
        self.retry = retry
        self.clock = clock
        self.adoptsRegistryClock = adoptsRegistryClock
    }
}
