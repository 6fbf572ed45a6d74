public import NodeState
public import RegistryClient
public import ZmeshCrypto
public import ZmeshModel

/// How a node agent runs: who it is, where it registers, and its timers.
public struct NodeDaemonConfiguration: Sendable {
    /// The node's identity (its only local state).
    public var identity: Identity
    /// The farm it registers in.
    public var farm: UInt32
    /// Public addresses it registers (none: a hidden node).
    public var publicIPs: [IPAddress]
    /// Re-read and re-apply at least this often (drift repair).
    public var driftInterval: Duration
    /// Send the full status at least this often (peer health), besides on every change.
    public var reportInterval: Duration
    /// Seconds the registry may hold a mailbox poll (1–60).
    public var pollWait: Int
    /// After a link/address event, wait this long for the burst to end before re-reading.
    public var eventDebounce: Duration
    /// Watch link, address and route events (on the public side, in the ndmz and in each NR).
    public var watchesEvents: Bool
    /// Delays between attempts to register, catch up and report while the registry is unreachable.
    public var backoff: RetryPolicy
    /// Node setup: the ndmz's uplink through the host (veth `ndmz`, `zmesh-host`, IPv4 forwarding) and
    /// the ndmz policy protecting the host's addresses, read again before every reconcile. Off, the
    /// ndmz has no way out (network resources reach only each other's peers over WireGuard).
    public var setsUpUplink: Bool
    /// Node setup: the node's dedicated public configuration. Given, the node gets its `public`
    /// namespace (a macvlan on the public interface, the public addresses and routes, `zmesh-public`)
    /// and its WireGuard links are born there; the reconciler's layout must then have the public
    /// side `.named("public")`. `nil`: WireGuard links are born on the layout's public side, as before.
    public var publicConfig: PublicConfig?

    /// `publicIPs` empty with a `publicConfig`: the node registers the configuration's addresses.
    public init(
        identity: Identity, farm: UInt32, publicIPs: [IPAddress] = [], driftInterval: Duration = .seconds(10),
        reportInterval: Duration = .seconds(60), pollWait: Int = 30, eventDebounce: Duration = .milliseconds(300),
        watchesEvents: Bool = true,
        backoff: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(500), maximumDelay: .seconds(30)),
        setsUpUplink: Bool = false, publicConfig: PublicConfig? = nil
    ) {
        self.identity = identity
        self.farm = farm
        self.publicIPs = publicIPs.isEmpty ? publicConfig?.publicAddresses ?? [] : publicIPs
        self.publicConfig = publicConfig
        self.driftInterval = driftInterval
        self.reportInterval = reportInterval
        self.pollWait = pollWait
        self.eventDebounce = eventDebounce
        self.watchesEvents = watchesEvents
        self.backoff = backoff
        self.setsUpUplink = setsUpUplink
    }
}
