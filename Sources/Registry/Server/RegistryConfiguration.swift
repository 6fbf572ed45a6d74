import Foundation

/// How a registry server listens and what it accepts.
public struct RegistryConfiguration: Sendable {
    /// Address to bind (an IP literal or a host name).
    public var host: String
    /// TCP port; 0 picks a free one (see the `onRunning` callback of ``RegistryServer/service(store:configuration:logger:onRunning:)``).
    public var port: Int
    /// Largest request body accepted, in bytes; larger bodies get 413. The default (16 MiB) is meant to fit a
    /// deployment of 250 fully meshed public nodes (estimated at about 10 MB of JSON, not measured).
    public var maximumBodyBytes: Int
    /// Largest accepted distance between a request's timestamp and the registry's clock, in seconds.
    public var clockSkewSeconds: Int64
    /// Longest a mailbox long-poll may hold (`wait` above it is refused).
    public var maximumWaitSeconds: Int64
    /// Most mailbox items in one answer.
    public var mailboxPageSize: Int
    /// The registry's clock in Unix seconds (tests may shift it).
    public var clock: @Sendable () -> Int64
    /// Signed requests each identity may make per second on average (token bucket refill rate).
    public var rateLimitPerSecond: Double = 5
    /// Signed requests an identity may make in a burst (token bucket size).
    public var rateBurst: Int = 100
    /// Mailbox polls one node may hold open at once; a newer one supersedes the oldest, which answers at once.
    public var maximumPollsPerNode: Int = 2
    /// PEM files of the certificate chain and private key; both set: HTTPS only.
    public var tlsCertificatePath: String? = nil
    public var tlsKeyPath: String? = nil

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 16 << 20, clockSkewSeconds: Int64 = 300,
        maximumWaitSeconds: Int64 = 60, mailboxPageSize: Int = 100,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.clockSkewSeconds = clockSkewSeconds
        self.maximumWaitSeconds = maximumWaitSeconds
        self.mailboxPageSize = mailboxPageSize
        self.clock = clock
    }
}
