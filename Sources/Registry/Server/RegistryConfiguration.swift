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
