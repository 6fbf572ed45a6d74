extension DeviceUpdate {
    /// The smallest update that takes a device from `current` to `desired`: only added, removed and
    /// changed peers, and only the fields that differ. Never `replacePeers`, so a working device keeps
    /// its sessions and every untouched peer keeps flowing.
    ///
    /// - An endpoint of `nil` in `desired` means "whatever the peer roamed to": endpoints cannot be
    ///   cleared on a device, so absence is not a difference.
    /// - A listen port of `nil` or 0 in `desired` accepts whatever port the device has.
    /// - Removed allowed IPs use per-prefix removal when `canRemoveAllowedIPs` (Linux ≥ 6.16);
    ///   otherwise the peer's list is replaced as a whole in its first fragment.
    public init(from current: DeviceStatus, to desired: DeviceConfiguration, canRemoveAllowedIPs: Bool = false) {
        self.init()
        if desired.privateKey?.clamped != current.privateKey?.clamped {
            privateKey = .some(desired.privateKey)
        }
        if let port = desired.listenPort, port != 0, port != current.listenPort {
            listenPort = port
        }
        if desired.fwmark != current.fwmark {
            fwmark = desired.fwmark
        }
        let desiredKeys = Set(desired.peers.map(\.publicKey))
        for peer in current.peers where !desiredKeys.contains(peer.publicKey) {
            peers.append(.removing(peer.publicKey))
        }
        var existing: [WireGuardKey: PeerConfiguration] = [:]
        existing.reserveCapacity(current.peers.count)
        for peer in current.peers { existing[peer.publicKey] = peer.configuration }
        for want in desired.peers {
            guard let have = existing[want.publicKey] else {
                peers.append(PeerUpdate(creating: want))
                continue
            }
            if let change = PeerUpdate(from: have, to: want, canRemoveAllowedIPs: canRemoveAllowedIPs) {
                peers.append(change)
            }
        }
    }
}

extension PeerUpdate {
    /// The change that takes an existing peer from `have` to `want`, or `nil` when nothing differs.
    public init?(from have: PeerConfiguration, to want: PeerConfiguration, canRemoveAllowedIPs: Bool) {
        self.init(publicKey: want.publicKey)
        var changed = false
        if have.presharedKey != want.presharedKey {
            presharedKey = .some(want.presharedKey)
            changed = true
        }
        if let endpoint = want.endpoint, endpoint != have.endpoint {
            self.endpoint = endpoint
            changed = true
        }
        if have.persistentKeepalive != want.persistentKeepalive {
            persistentKeepalive = want.persistentKeepalive
            changed = true
        }
        let haveIPs = Set(have.allowedIPs)
        let wantIPs = Set(want.allowedIPs)
        if haveIPs != wantIPs {
            changed = true
            let removed = have.allowedIPs.filter { !wantIPs.contains($0) }
            if removed.isEmpty || canRemoveAllowedIPs {
                allowedIPs = want.allowedIPs.filter { !haveIPs.contains($0) }
                removedAllowedIPs = removed
            } else {
                replaceAllowedIPs = true
                allowedIPs = want.allowedIPs
            }
        }
        if !changed { return nil }
    }
}
