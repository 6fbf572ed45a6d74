/// What a WireGuard peer is configured to be. Equality compares allowed IPs as a set (the kernel
/// reorders them) and ignores counters, which live in ``PeerStatus``.
public struct PeerConfiguration: Sendable, Hashable {
    public var publicKey: WireGuardKey
    /// `nil` means no preshared key (the kernel reports 32 zero bytes).
    public var presharedKey: WireGuardKey?
    public var endpoint: Endpoint?
    /// Seconds; 0 turns keepalives off.
    public var persistentKeepalive: UInt16
    public var allowedIPs: [IPPrefix]

    public init(
        publicKey: WireGuardKey, presharedKey: WireGuardKey? = nil, endpoint: Endpoint? = nil,
        persistentKeepalive: UInt16 = 0, allowedIPs: [IPPrefix] = []
    ) {
        self.publicKey = publicKey
        self.presharedKey = presharedKey.flatMap { $0.isZero ? nil : $0 }
        self.endpoint = endpoint
        self.persistentKeepalive = persistentKeepalive
        self.allowedIPs = allowedIPs
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.publicKey == rhs.publicKey && lhs.presharedKey == rhs.presharedKey && lhs.endpoint == rhs.endpoint
            && lhs.persistentKeepalive == rhs.persistentKeepalive && Set(lhs.allowedIPs) == Set(rhs.allowedIPs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(publicKey)
        hasher.combine(presharedKey)
        hasher.combine(endpoint)
        hasher.combine(persistentKeepalive)
        hasher.combine(Set(allowedIPs))
    }
}

/// A peer as read back from a device: its configuration plus what the device measured.
public struct PeerStatus: Sendable, Equatable {
    public var configuration: PeerConfiguration
    /// Wall-clock time of the last completed handshake; `nil` when there has been none.
    public var lastHandshake: Timestamp?
    public var receivedBytes: UInt64
    public var transmittedBytes: UInt64
    public var protocolVersion: UInt32

    public init(
        configuration: PeerConfiguration, lastHandshake: Timestamp? = nil, receivedBytes: UInt64 = 0,
        transmittedBytes: UInt64 = 0, protocolVersion: UInt32 = 1
    ) {
        self.configuration = configuration
        self.lastHandshake = lastHandshake
        self.receivedBytes = receivedBytes
        self.transmittedBytes = transmittedBytes
        self.protocolVersion = protocolVersion
    }

    public var publicKey: WireGuardKey { configuration.publicKey }
}

/// Seconds and nanoseconds since the UNIX epoch (`struct __kernel_timespec`).
public struct Timestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    public var nanoseconds: Int64

    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}
