public import ZmeshModel

/// The userspace WireGuard configuration protocol (wireguard-go, boringtun): newline-separated
/// `key=value` lines, keys in lowercase hex, one request per connection, ended by an empty line.
public enum UAPI {
    /// Reads the device (`get=1`).
    public static let getRequest = "get=1\n\n"

    /// 64 zero digits: "no key" for `private_key` and `preshared_key`.
    static let zeroKeyHex = String(repeating: "0", count: 64)

    /// The `set=1` request for `update`, terminated by the empty line.
    ///
    /// Device keys come first (the protocol requires it), then one section per peer starting at its
    /// `public_key`. `removedAllowedIPs` become `allowed_ip=-PREFIX`, which only recent wireguard-go
    /// versions accept (0.0.20220316 answers EINVAL); ``UserspaceBackend`` reports
    /// `canRemoveAllowedIPs == false` so that diffs never produce them for it. The text contains the
    /// private key in hex when the update sets one: never log it.
    public static func setRequest(_ update: DeviceUpdate) -> String {
        var text = "set=1\n"
        func line(_ key: String, _ value: String) {
            text += key
            text += "="
            text += value
            text += "\n"
        }
        if let privateKey = update.privateKey { line("private_key", privateKey?.revealedHex ?? zeroKeyHex) }
        if let port = update.listenPort { line("listen_port", String(port)) }
        if let fwmark = update.fwmark { line("fwmark", String(fwmark)) }
        if update.replacePeers { line("replace_peers", "true") }
        for peer in update.peers {
            line("public_key", peer.publicKey.hex)
            if peer.remove {
                line("remove", "true")
                continue
            }
            // Must precede every other peer key: wireguard-go creates the peer at `public_key` and
            // drops it again at `update_only`.
            if peer.updateOnly { line("update_only", "true") }
            if let presharedKey = peer.presharedKey { line("preshared_key", presharedKey?.hex ?? zeroKeyHex) }
            if let endpoint = peer.endpoint { line("endpoint", endpoint.description) }
            if let keepalive = peer.persistentKeepalive { line("persistent_keepalive_interval", String(keepalive)) }
            if peer.replaceAllowedIPs { line("replace_allowed_ips", "true") }
            for prefix in peer.allowedIPs { line("allowed_ip", prefix.description) }
            for prefix in peer.removedAllowedIPs { line("allowed_ip", "-\(prefix)") }
        }
        text += "\n"
        return text
    }
}
