/// A configuration in the format `wg setconf`, `wg addconf` and `wg syncconf` read (and `wg showconf`
/// writes): one `[Interface]` section and `[Peer]` sections of `Key = Value` lines.
///
/// Every field remembers whether the file gave it, because `addconf` sends only what is written;
/// ``configuration`` gives the complete device a `setconf` or `syncconf` makes of it.
public struct WireGuardConfigFile: Sendable, Equatable {
    /// `PrivateKey`, when given (an all-zero key means "no key").
    public var privateKey: PrivateKey?
    /// `ListenPort`, when given.
    public var listenPort: UInt16?
    /// `FwMark`, when given (`off` is 0).
    public var fwmark: UInt32?
    public var peers: [Peer]

    /// One `[Peer]` section.
    public struct Peer: Sendable, Equatable {
        public var publicKey: WireGuardKey
        /// `PresharedKey`, when given (an all-zero key means "no preshared key").
        public var presharedKey: WireGuardKey?
        public var endpoint: Endpoint?
        /// `PersistentKeepalive`, when given (`off` is 0).
        public var persistentKeepalive: UInt16?
        /// Every prefix of every `AllowedIPs` line of the section, in order.
        public var allowedIPs: [IPPrefix]

        public init(
            publicKey: WireGuardKey, presharedKey: WireGuardKey? = nil, endpoint: Endpoint? = nil,
            persistentKeepalive: UInt16? = nil, allowedIPs: [IPPrefix] = []
        ) {
            self.publicKey = publicKey
            self.presharedKey = presharedKey
            self.endpoint = endpoint
            self.persistentKeepalive = persistentKeepalive
            self.allowedIPs = allowedIPs
        }
    }

    public init(privateKey: PrivateKey? = nil, listenPort: UInt16? = nil, fwmark: UInt32? = nil, peers: [Peer] = []) {
        self.privateKey = privateKey
        self.listenPort = listenPort
        self.fwmark = fwmark
        self.peers = peers
    }

    /// The whole device this file describes, what `setconf` and `syncconf` converge to: absent
    /// settings take their defaults (no private key, fwmark off, no keepalive, no preshared key).
    /// An absent `ListenPort` stays `nil`: `setconf` turns it into 0 (a random port).
    public var configuration: DeviceConfiguration {
        DeviceConfiguration(
            privateKey: privateKey.flatMap { $0.key.isZero ? nil : $0 }, listenPort: listenPort, fwmark: fwmark ?? 0,
            peers: peers.map {
                PeerConfiguration(
                    publicKey: $0.publicKey, presharedKey: $0.presharedKey, endpoint: $0.endpoint,
                    persistentKeepalive: $0.persistentKeepalive ?? 0, allowedIPs: $0.allowedIPs)
            })
    }

    /// The update `wg addconf` sends: only what the file gives, existing peers kept. As in `wg`, every
    /// listed peer's allowed IPs are replaced by the file's list (so a section without `AllowedIPs`
    /// clears them).
    public var additiveUpdate: DeviceUpdate {
        DeviceUpdate(
            privateKey: privateKey.map { key -> PrivateKey? in key.key.isZero ? nil : key }, listenPort: listenPort, fwmark: fwmark,
            replacePeers: false,
            peers: peers.map {
                PeerUpdate(
                    publicKey: $0.publicKey, presharedKey: $0.presharedKey.map { key -> WireGuardKey? in key.isZero ? nil : key },
                    endpoint: $0.endpoint, persistentKeepalive: $0.persistentKeepalive, replaceAllowedIPs: true,
                    allowedIPs: $0.allowedIPs)
            })
    }
}
