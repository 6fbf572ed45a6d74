import Prometheus

/// The registry's Prometheus metrics, served as text at `GET /metrics`. One collector registry per server
/// (not the process-wide swift-metrics system), so servers in one process — tests — keep their own counts.
final class RegistryMetrics: Sendable {
    let collectors = PrometheusCollectorRegistry()
    /// Mailbox requests holding (or about to hold) a long-poll.
    let longPollsOpen: Gauge
    /// Mailbox items handed to nodes (counted per answer; a re-delivery counts again).
    let mailboxItemsDelivered: Counter
    /// Accepted status posts, and the network reports they carried.
    let statusPosts: Counter
    let statusReports: Counter
    /// Requests refused by the rate limit.
    let rateLimited: Counter
    /// Polls answered early because a newer poll of the same node took their place at the cap.
    let pollsSuperseded: Counter

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Latency buckets: 1 ms … 60 s (a long-poll waits up to 60 s).
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    init() {
        longPollsOpen = collectors.makeGauge(
            descriptor: Self.name("mailbox_long_polls", "open", "Mailbox long-polls currently open"))
        mailboxItemsDelivered = collectors.makeCounter(
            descriptor: Self.name("mailbox_items_delivered", "total", "Mailbox items returned to nodes"))
        statusPosts = collectors.makeCounter(
            descriptor: Self.name("status_posts", "total", "Accepted node status posts"))
        statusReports = collectors.makeCounter(
            descriptor: Self.name("status_network_reports", "total", "Network reports in accepted status posts"))
        rateLimited = collectors.makeCounter(
            descriptor: Self.name("rate_limited_requests", "total", "Requests refused by the per-identity rate limit"))
        pollsSuperseded = collectors.makeCounter(
            descriptor: Self.name(
                "superseded_long_polls", "total", "Mailbox polls answered early: a newer poll of the node took their place"))
    }

    /// Counts one answered request and its latency. `route` is the route pattern (`/v1/nodes/{id}`), never the
    /// path, and methods outside the standard few count as `other`, so clients cannot grow the label set.
    func request(method: String, route: String, status: Int, duration: Duration) {
        let method = Self.methods.contains(method) ? method : "other"
        collectors.makeCounter(
            descriptor: Self.name("http_requests", "total", "HTTP requests answered, by method, route and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        collectors.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "HTTP request latency, by method and route"),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func countRateLimited() { rateLimited.increment() }

    /// The Prometheus text exposition.
    func text() -> [UInt8] { collectors.emitToBuffer() }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "zmesh_registry", metricName: metric, unitName: unit, helpText: help)
    }
}
