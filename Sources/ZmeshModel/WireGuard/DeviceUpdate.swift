/// One SET operation on a device, in the terms of the WireGuard configuration protocol (both the
/// generic-netlink `WG_CMD_SET_DEVICE` and the UAPI `set=1`). Fields left `nil` are not sent.
public struct DeviceUpdate: Sendable, Equatable {
    /// `.some(nil)` removes the device's private key.
    public var privateKey: PrivateKey??
    public var listenPort: UInt16?
    public var fwmark: UInt32?
    /// Remove every peer before applying `peers`.
    public var replacePeers: Bool
    public var peers: [PeerUpdate]

    public init(
        privateKey: PrivateKey?? = nil, listenPort: UInt16? = nil, fwmark: UInt32? = nil, replacePeers: Bool = false,
        peers: [PeerUpdate] = []
    ) {
        self.privateKey = privateKey
        self.listenPort = listenPort
        self.fwmark = fwmark
        self.replacePeers = replacePeers
        self.peers = peers
    }

    /// The update that sets a device to exactly `configuration`, whatever it had before (`wg setconf`).
    public init(replacingWith configuration: DeviceConfiguration) {
        self.init(
            privateKey: .some(configuration.privateKey), listenPort: configuration.listenPort ?? 0,
            fwmark: configuration.fwmark, replacePeers: true,
            peers: configuration.peers.map { PeerUpdate(creating: $0) })
    }

    /// Whether sending this would change nothing.
    public var isEmpty: Bool {
        privateKey == nil && listenPort == nil && fwmark == nil && !replacePeers && peers.isEmpty
    }
}

/// The change to one peer within a ``DeviceUpdate``.
public struct PeerUpdate: Sendable, Equatable {
    public var publicKey: WireGuardKey
    /// Remove the peer (the other fields are ignored).
    public var remove: Bool
    /// Change the peer only if it exists; never create it.
    public var updateOnly: Bool
    /// `.some(nil)` removes the preshared key.
    public var presharedKey: WireGuardKey??
    public var endpoint: Endpoint?
    public var persistentKeepalive: UInt16?
    /// Drop the peer's allowed IPs before adding `allowedIPs`.
    public var replaceAllowedIPs: Bool
    public var allowedIPs: [IPPrefix]
    /// Prefixes to remove from this peer (Linux ≥ 6.16 and recent userspace implementations only).
    public var removedAllowedIPs: [IPPrefix]

    public init(
        publicKey: WireGuardKey, remove: Bool = false, updateOnly: Bool = false, presharedKey: WireGuardKey?? = nil,
        endpoint: Endpoint? = nil, persistentKeepalive: UInt16? = nil, replaceAllowedIPs: Bool = false,
        allowedIPs: [IPPrefix] = [], removedAllowedIPs: [IPPrefix] = []
    ) {
        self.publicKey = publicKey
        self.remove = remove
        self.updateOnly = updateOnly
        self.presharedKey = presharedKey
        self.endpoint = endpoint
        self.persistentKeepalive = persistentKeepalive
        self.replaceAllowedIPs = replaceAllowedIPs
        self.allowedIPs = allowedIPs
        self.removedAllowedIPs = removedAllowedIPs
    }

    /// The full description of a peer, as `wg setconf` sends it (defaults are left out: a new peer has them).
    public init(creating peer: PeerConfiguration) {
        self.init(
            publicKey: peer.publicKey, presharedKey: peer.presharedKey.map { .some($0) }, endpoint: peer.endpoint,
            persistentKeepalive: peer.persistentKeepalive == 0 ? nil : peer.persistentKeepalive,
            replaceAllowedIPs: true, allowedIPs: peer.allowedIPs)
    }

    public static func removing(_ key: WireGuardKey) -> PeerUpdate { PeerUpdate(publicKey: key, remove: true) }
}
