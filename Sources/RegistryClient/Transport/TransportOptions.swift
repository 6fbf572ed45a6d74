/// Settings shared by every request of one ``HTTPTransport``.
public struct TransportOptions: Sendable {
    /// Longest time to establish a connection (TCP and TLS handshakes).
    public var connectTimeout: Duration
    /// PEM file of the certificate authorities to trust for `https` (`CURLOPT_CAINFO`); the system's
    /// store when nil.
    public var caFile: String?
    /// Bodies larger than this are refused (``TransportFailure/Kind/responseTooLarge``) instead of being
    /// buffered.
    public var maximumResponseBytes: Int
    /// The `User-Agent` header.
    public var userAgent: String

    public init(
        connectTimeout: Duration = .seconds(10), caFile: String? = nil, maximumResponseBytes: Int = 64 << 20,
        userAgent: String = "zmesh-registry-client/1"
    ) {
        self.connectTimeout = connectTimeout
        self.caFile = caFile
        self.maximumResponseBytes = maximumResponseBytes
        self.userAgent = userAgent
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (a positive duration never becomes 0, which libcurl reads as "none"),
    /// clamped to what a C `long` holds.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 1 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = (attoseconds + perMillisecond - 1) / perMillisecond
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int.max }
        return Int(clamping: product + fraction)
    }

    /// The duration in seconds as a floating-point number (for jitter and for logs).
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration of `seconds` (negative and NaN become zero).
    static func seconds(fromDouble seconds: Double) -> Duration {
        guard seconds > 0, seconds.isFinite else { return .zero }
        return .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
    }
}
