extension WireGuardShowFormatter {
    /// `wg showconf INTERFACE`: the device as a configuration file `setconf` takes back. Includes the
    /// private key (this is the one place it is printed, as `wg` does); zero and absent settings are
    /// left out; peers in the device's order, separated by blank lines.
    public func showconf(_ device: DeviceStatus) -> String { configurationText(device.configuration) }

    /// A configuration as a file in `wg showconf`'s layout (what ``showconf(_:)`` prints for a device
    /// configured so); `setconf`, `syncconf` and ``WireGuardConfigFile`` read it back.
    public func configurationText(_ device: DeviceConfiguration) -> String {
        var out = "[Interface]\n"
        if let port = device.listenPort, port != 0 { out += "ListenPort = \(port)\n" }
        if device.fwmark != 0 { out += "FwMark = 0x" + String(device.fwmark, radix: 16) + "\n" }
        if let privateKey = device.privateKey { out += "PrivateKey = " + privateKey.revealedBase64 + "\n" }
        out += "\n"
        for (index, configuration) in device.peers.enumerated() {
            out += "[Peer]\nPublicKey = " + configuration.publicKey.base64 + "\n"
            if let psk = configuration.presharedKey { out += "PresharedKey = " + psk.base64 + "\n" }
            if !configuration.allowedIPs.isEmpty {
                out += "AllowedIPs = " + configuration.allowedIPs.map(\.description).joined(separator: ", ") + "\n"
            }
            if let endpoint = configuration.endpoint { out += "Endpoint = " + self.endpoint(endpoint) + "\n" }
            if configuration.persistentKeepalive != 0 {
                out += "PersistentKeepalive = \(configuration.persistentKeepalive)\n"
            }
            if index != device.peers.count - 1 { out += "\n" }
        }
        return out
    }
}
