extension WireGuardShowFormatter {
    /// `wg show INTERFACE dump` (or, with `withInterface`, this device's part of `wg show all dump`):
    /// a device line `private-key public-key listen-port fwmark` and one line per peer
    /// `public-key preshared-key endpoint allowed-ips latest-handshake rx tx persistent-keepalive`,
    /// tab-separated, "(none)"/"off" for absent values, peers in the device's order.
    public func dump(_ device: DeviceStatus, withInterface: Bool) -> String {
        var out = ""
        appendDump(device, withInterface: withInterface, to: &out)
        return out
    }

    /// `wg show INTERFACE FIELD` (or one device's part of `wg show all FIELD` with `withInterface`).
    public func field(_ field: WireGuardShowField, of device: DeviceStatus, withInterface: Bool) -> String {
        var out = ""
        appendField(field, of: device, withInterface: withInterface, to: &out)
        return out
    }

    /// Appends ``field(_:of:withInterface:)`` to `out`.
    public func appendField(_ field: WireGuardShowField, of device: DeviceStatus, withInterface: Bool, to out: inout String) {
        let prefix = withInterface ? device.name.rawValue + "\t" : ""
        switch field {
        case .dump:
            appendDump(device, withInterface: withInterface, to: &out)
        case .publicKey:
            out += prefix + Self.maybeKey(device.publicKey) + "\n"
        case .privateKey:
            out += prefix + (device.privateKey?.revealedBase64 ?? "(none)") + "\n"
        case .listenPort:
            out += prefix + String(device.listenPort) + "\n"
        case .fwmark:
            out += prefix + Self.fwmark(device.fwmark) + "\n"
        case .endpoints:
            // wireguard-tools 1.0.20210914 prints the interface name once per device here, before its
            // first peer (even with no peers, and with no newline then); reproduced byte for byte.
            out += prefix
            for peer in device.peers {
                out += peer.publicKey.base64
                out += peerField(field, of: peer)
                out += "\n"
            }
        case .peers, .presharedKeys, .allowedIPs, .latestHandshakes, .transfer, .persistentKeepalive:
            for peer in device.peers {
                out += prefix
                out += peer.publicKey.base64
                out += peerField(field, of: peer)
                out += "\n"
            }
        }
    }

    /// The text after a peer's public key in a per-peer field mode (including the leading tab).
    private func peerField(_ field: WireGuardShowField, of peer: PeerStatus) -> String {
        let configuration = peer.configuration
        switch field {
        case .presharedKeys: return "\t" + Self.maybeKey(configuration.presharedKey)
        case .endpoints: return "\t" + (configuration.endpoint.map(endpoint) ?? "(none)")
        case .allowedIPs:
            let list = configuration.allowedIPs.map(\.description).joined(separator: " ")
            return "\t" + (list.isEmpty ? "(none)" : list)
        case .latestHandshakes: return "\t" + String(UInt64(bitPattern: Self.handshakeSeconds(peer)))
        case .transfer: return "\t" + String(peer.receivedBytes) + "\t" + String(peer.transmittedBytes)
        case .persistentKeepalive: return "\t" + Self.keepalive(configuration.persistentKeepalive)
        case .peers, .publicKey, .privateKey, .listenPort, .fwmark, .dump: return ""
        }
    }

    /// Appends ``dump(_:withInterface:)`` to `out`.
    public func appendDump(_ device: DeviceStatus, withInterface: Bool, to out: inout String) {
        let prefix = withInterface ? device.name.rawValue + "\t" : ""
        out += prefix
        out += device.privateKey?.revealedBase64 ?? "(none)"
        out += "\t"
        out += Self.maybeKey(device.publicKey)
        out += "\t"
        out += String(device.listenPort)
        out += "\t"
        out += Self.fwmark(device.fwmark)
        out += "\n"
        for peer in device.peers {
            let configuration = peer.configuration
            out += prefix
            out += configuration.publicKey.base64
            out += "\t"
            out += Self.maybeKey(configuration.presharedKey)
            out += "\t"
            out += configuration.endpoint.map(endpoint) ?? "(none)"
            out += "\t"
            if configuration.allowedIPs.isEmpty {
                out += "(none)"
            } else {
                for (i, prefix) in configuration.allowedIPs.enumerated() {
                    if i > 0 { out += "," }
                    out += prefix.description
                }
            }
            out += "\t"
            out += String(UInt64(bitPattern: Self.handshakeSeconds(peer)))
            out += "\t"
            out += String(peer.receivedBytes)
            out += "\t"
            out += String(peer.transmittedBytes)
            out += "\t"
            out += Self.keepalive(configuration.persistentKeepalive)
            out += "\n"
        }
    }

    static func maybeKey(_ key: WireGuardKey?) -> String { key?.base64 ?? "(none)" }

    static func fwmark(_ mark: UInt32) -> String { mark == 0 ? "off" : "0x" + String(mark, radix: 16) }

    static func keepalive(_ seconds: UInt16) -> String { seconds == 0 ? "off" : String(seconds) }
}
