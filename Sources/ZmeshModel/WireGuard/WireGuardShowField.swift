/// The single-field modes of `wg show INTERFACE FIELD`, spelled as on `wg`'s command line.
public enum WireGuardShowField: String, Sendable, CaseIterable {
    case publicKey = "public-key"
    case privateKey = "private-key"
    case listenPort = "listen-port"
    case fwmark
    case peers
    case presharedKeys = "preshared-keys"
    case endpoints
    case allowedIPs = "allowed-ips"
    case latestHandshakes = "latest-handshakes"
    case transfer
    case persistentKeepalive = "persistent-keepalive"
    /// Everything, tab-separated, one line for the device and one per peer.
    case dump
}
