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

    /// Appends ``dump(_:withInterface:)`` to `out`. Written byte by byte: a 10,000-peer device is
    /// 10,000 lines, and a `String` per field was most of `zmesh wg show dump`'s time.
    public func appendDump(_ device: DeviceStatus, withInterface: Bool, to out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 * (device.peers.count + 1))
        let prefix: [UInt8] = withInterface ? Array(device.name.rawValue.utf8) + [0x09] : []
        let none = Array("(none)".utf8)
        let tab: UInt8 = 0x09
        bytes += prefix
        if let key = device.privateKey { key.key.appendBase64(to: &bytes) } else { bytes += none }
        bytes.append(tab)
        if let key = device.publicKey { key.appendBase64(to: &bytes) } else { bytes += none }
        bytes.append(tab)
        TextBytes.appendDecimal(UInt64(device.listenPort), to: &bytes)
        bytes.append(tab)
        bytes += Self.fwmark(device.fwmark).utf8
        bytes.append(0x0a)
        for peer in device.peers {
            let configuration = peer.configuration
            bytes += prefix
            configuration.publicKey.appendBase64(to: &bytes)
            bytes.append(tab)
            if let key = configuration.presharedKey { key.appendBase64(to: &bytes) } else { bytes += none }
            bytes.append(tab)
            if let endpoint = configuration.endpoint { appendEndpoint(endpoint, to: &bytes) } else { bytes += none }
            bytes.append(tab)
            if configuration.allowedIPs.isEmpty {
                bytes += none
            } else {
                for (i, prefix) in configuration.allowedIPs.enumerated() {
                    if i > 0 { bytes.append(0x2c) }
                    prefix.append(to: &bytes)
                }
            }
            bytes.append(tab)
            TextBytes.appendDecimal(UInt64(bitPattern: Self.handshakeSeconds(peer)), to: &bytes)
            bytes.append(tab)
            TextBytes.appendDecimal(peer.receivedBytes, to: &bytes)
            bytes.append(tab)
            TextBytes.appendDecimal(peer.transmittedBytes, to: &bytes)
            bytes.append(tab)
            if configuration.persistentKeepalive == 0 {
                bytes += "off".utf8
            } else {
                TextBytes.appendDecimal(UInt64(configuration.persistentKeepalive), to: &bytes)
            }
            bytes.append(0x0a)
        }
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// ``endpoint(_:)`` as bytes; scoped IPv6 endpoints go through the scope-naming path.
    func appendEndpoint(_ endpoint: Endpoint, to out: inout [UInt8]) {
        switch endpoint.address {
        case .v4(let address):
            address.append(to: &out)
        case .v6(let address) where endpoint.scopeID == 0:
            out.append(0x5b)
            address.append(to: &out)
            out.append(0x5d)
        case .v6:
            out += self.endpoint(endpoint).utf8
            return
        }
        out.append(0x3a)
        TextBytes.appendDecimal(UInt64(endpoint.port), to: &out)
    }

    static func maybeKey(_ key: WireGuardKey?) -> String { key?.base64 ?? "(none)" }

    static func fwmark(_ mark: UInt32) -> String { mark == 0 ? "off" : "0x" + String(mark, radix: 16) }

    static func keepalive(_ seconds: UInt16) -> String { seconds == 0 ? "off" : String(seconds) }
}
