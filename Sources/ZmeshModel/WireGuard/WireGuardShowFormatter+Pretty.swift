extension WireGuardShowFormatter {
    /// `wg show INTERFACE`: the human-readable view. Peers are ordered by latest handshake, newest first,
    /// peers without a handshake last, ties in the device's order (`show.c` sorts with glibc's stable
    /// `qsort`). `now` is the current time in seconds since the epoch, for "… ago".
    public func pretty(_ device: DeviceStatus, now: Int64) -> String {
        var out = ""
        appendPretty(device, now: now, to: &out)
        return out
    }

    /// Appends ``pretty(_:now:)`` to `out`.
    public func appendPretty(_ device: DeviceStatus, now: Int64, to out: inout String) {
        let reset = TerminalStyle.reset.on(colors)
        let bold = TerminalStyle.bold.on(colors)
        let green = TerminalStyle.green.on(colors)
        let yellow = TerminalStyle.yellow.on(colors)
        let cyan = TerminalStyle.cyan.on(colors)
        func label(_ name: String) -> String { "  " + bold + name + reset + ": " }

        out += reset
        out += green + bold + "interface" + reset + ": " + green + device.name.rawValue + reset + "\n"
        if let publicKey = device.publicKey { out += label("public key") + publicKey.base64 + "\n" }
        if let privateKey = device.privateKey {
            out += label("private key") + (revealKeys ? privateKey.revealedBase64 : "(hidden)") + "\n"
        }
        if device.listenPort != 0 { out += label("listening port") + String(device.listenPort) + "\n" }
        if device.fwmark != 0 { out += label("fwmark") + "0x" + String(device.fwmark, radix: 16) + "\n" }
        if device.peers.isEmpty { return }
        out += "\n"
        let peers = Self.sortedByHandshake(device.peers)
        for (index, peer) in peers.enumerated() {
            let configuration = peer.configuration
            out += yellow + bold + "peer" + reset + ": " + yellow + configuration.publicKey.base64 + reset + "\n"
            if let psk = configuration.presharedKey {
                out += label("preshared key") + (revealKeys ? psk.base64 : "(hidden)") + "\n"
            }
            if let endpoint = configuration.endpoint { out += label("endpoint") + self.endpoint(endpoint) + "\n" }
            out += label("allowed ips")
            if configuration.allowedIPs.isEmpty {
                out += "(none)\n"
            } else {
                for (i, prefix) in configuration.allowedIPs.enumerated() {
                    out += prefix.address.description + cyan + "/" + reset + String(prefix.length)
                    out += i == configuration.allowedIPs.count - 1 ? "\n" : ", "
                }
            }
            if let handshake = peer.lastHandshake, handshake.seconds != 0 {
                out += label("latest handshake") + WireGuardShowUnits.ago(handshake, now: now, colors: colors) + "\n"
            }
            if peer.receivedBytes != 0 || peer.transmittedBytes != 0 {
                out += label("transfer") + WireGuardShowUnits.bytes(peer.receivedBytes, colors: colors) + " received, "
                    + WireGuardShowUnits.bytes(peer.transmittedBytes, colors: colors) + " sent\n"
            }
            if configuration.persistentKeepalive != 0 {
                out += label("persistent keepalive") + "every "
                    + WireGuardShowUnits.duration(UInt64(configuration.persistentKeepalive), colors: colors) + "\n"
            }
            if index != peers.count - 1 { out += "\n" }
        }
    }

    /// Newest handshake first, never-handshaken peers last, otherwise in the given order.
    static func sortedByHandshake(_ peers: [PeerStatus]) -> [PeerStatus] {
        peers.enumerated().sorted { a, b in
            let ha = hasHandshake(a.element), hb = hasHandshake(b.element)
            if ha != hb { return ha }
            let ta = a.element.lastHandshake ?? Timestamp(seconds: 0), tb = b.element.lastHandshake ?? Timestamp(seconds: 0)
            if ta != tb { return ta > tb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
