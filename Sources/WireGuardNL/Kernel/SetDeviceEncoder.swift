import Netlink
import ZmeshModel

/// Splits a ``DeviceUpdate`` into `WG_CMD_SET_DEVICE` messages that each fit a byte budget, with the
/// resume rules of the WireGuard UAPI (as wireguard-tools applies them):
/// - the interface selector (`WGDEVICE_A_IFNAME`) is in every message;
/// - device scalars and `WGDEVICE_F_REPLACE_PEERS` only in the first message;
/// - a peer cut inside its allowed-IP list resumes in the next message with its public key and the
///   rest of the list; its preshared key, endpoint, keepalive and `WGPEER_F_REPLACE_ALLOWEDIPS` go only
///   in its first fragment, while `WGPEER_F_REMOVE_ME` / `WGPEER_F_UPDATE_ONLY` repeat in every fragment.
struct SetDeviceEncoder {
    let familyID: UInt16
    let interface: InterfaceName
    let budget: Int

    /// Calls `emit` with each message in order; `emit` sends it and waits for the ACK before the
    /// next one is built (so a failure stops the stream, like the kernel stops at the first bad peer).
    func encode(_ update: DeviceUpdate, emit: (NetlinkMessage) throws(NetlinkError) -> Void) throws(NetlinkError) {
        var peerIndex = 0
        var ipIndex = 0
        var first = true
        repeat {
            let message = NetlinkMessage(
                type: familyID, flags: NetlinkFlags.NLM_F_REQUEST | NetlinkFlags.NLM_F_ACK, capacity: budget)
            message.putGenericHeader(command: WG.CMD_SET_DEVICE, version: WG.genlVersion)
            guard message.put(WG.DEVICE_A_IFNAME, string: interface.rawValue) else { throw tooLarge(64) }
            var progressed = false
            if first {
                progressed = try putDeviceScalars(update, into: message)
            }
            if peerIndex < update.peers.count {
                guard let peersNest = message.startNest(WG.DEVICE_A_PEERS) else { throw tooLarge(message.length + 4) }
                var startedPeers = false
                peers: while peerIndex < update.peers.count {
                    let peer = update.peers[peerIndex]
                    switch putPeer(peer, ipCursor: &ipIndex, into: message) {
                    case .complete:
                        peerIndex += 1
                        ipIndex = 0
                        startedPeers = true
                    case .partial:
                        startedPeers = true
                        break peers
                    case .nothing:
                        break peers
                    }
                }
                if startedPeers { message.endNest(peersNest) } else { message.cancelNest(peersNest) }
                progressed = progressed || startedPeers
            }
            guard progressed || (first && update.peers.isEmpty) else { throw tooLarge(message.length + 200) }
            try emit(message)
            first = false
        } while peerIndex < update.peers.count
    }

    private func tooLarge(_ bytes: Int) -> NetlinkError {
        .messageTooLarge(operation: "configure \(interface)", bytes: bytes, budget: budget)
    }

    /// Returns whether anything beyond the selector was written.
    private func putDeviceScalars(_ update: DeviceUpdate, into message: NetlinkMessage) throws(NetlinkError) -> Bool {
        var wrote = false
        func require(_ ok: Bool) throws(NetlinkError) {
            guard ok else { throw tooLarge(message.length + 40) }
            wrote = true
        }
        if let key = update.privateKey {
            try require((key?.key ?? .zero).withUnsafeBytes { message.put(WG.DEVICE_A_PRIVATE_KEY, bytes: $0) })
        }
        if let port = update.listenPort { try require(message.put(WG.DEVICE_A_LISTEN_PORT, u16: port)) }
        if let mark = update.fwmark { try require(message.put(WG.DEVICE_A_FWMARK, u32: mark)) }
        if update.replacePeers { try require(message.put(WG.DEVICE_A_FLAGS, u32: WG.DEVICE_F_REPLACE_PEERS)) }
        return wrote
    }

    private enum PeerProgress { case complete, partial, nothing }

    /// Writes as much of `peer` as fits, starting at allowed IP `ipCursor` (advanced past what fitted).
    private func putPeer(_ peer: PeerUpdate, ipCursor: inout Int, into message: NetlinkMessage) -> PeerProgress {
        guard let peerNest = message.startNest(0) else { return .nothing }
        let firstFragment = ipCursor == 0
        var flags: UInt32 = 0
        if peer.remove { flags |= WG.PEER_F_REMOVE_ME }
        if peer.updateOnly { flags |= WG.PEER_F_UPDATE_ONLY }
        if firstFragment && peer.replaceAllowedIPs && !peer.remove { flags |= WG.PEER_F_REPLACE_ALLOWEDIPS }
        var ok = peer.publicKey.withUnsafeBytes { message.put(WG.PEER_A_PUBLIC_KEY, bytes: $0) }
        if flags != 0 { ok = ok && message.put(WG.PEER_A_FLAGS, u32: flags) }
        if firstFragment && !peer.remove {
            if let psk = peer.presharedKey {
                ok = ok && (psk ?? .zero).withUnsafeBytes { message.put(WG.PEER_A_PRESHARED_KEY, bytes: $0) }
            }
            if let endpoint = peer.endpoint {
                ok = ok && message.put(WG.PEER_A_ENDPOINT, bytes: SocketAddress.encode(endpoint))
            }
            if let keepalive = peer.persistentKeepalive {
                ok = ok && message.put(WG.PEER_A_PERSISTENT_KEEPALIVE_INTERVAL, u16: keepalive)
            }
        }
        guard ok else {
            message.cancelNest(peerNest)
            return .nothing
        }
        let total = peer.remove ? 0 : peer.allowedIPs.count + peer.removedAllowedIPs.count
        if ipCursor < total {
            guard let listNest = message.startNest(WG.PEER_A_ALLOWEDIPS) else {
                message.cancelNest(peerNest)
                return .nothing
            }
            let startCursor = ipCursor
            while ipCursor < total {
                let removing = ipCursor >= peer.allowedIPs.count
                let prefix = removing ? peer.removedAllowedIPs[ipCursor - peer.allowedIPs.count] : peer.allowedIPs[ipCursor]
                guard putAllowedIP(prefix, removing: removing, into: message) else { break }
                ipCursor += 1
            }
            if ipCursor == startCursor {
                // Not even one prefix fitted after the peer header: resend the whole fragment next time.
                message.cancelNest(peerNest)
                return .nothing
            }
            message.endNest(listNest)
        }
        message.endNest(peerNest)
        return ipCursor < total ? .partial : .complete
    }

    private func putAllowedIP(_ prefix: IPPrefix, removing: Bool, into message: NetlinkMessage) -> Bool {
        guard let nest = message.startNest(0) else { return false }
        let family = prefix.isIPv4 ? WG.AF_INET : WG.AF_INET6
        var ok = message.put(WG.ALLOWEDIP_A_FAMILY, u16: family)
        ok = ok && message.put(WG.ALLOWEDIP_A_IPADDR, bytes: prefix.address.bytes)
        ok = ok && message.put(WG.ALLOWEDIP_A_CIDR_MASK, u8: prefix.length)
        if removing { ok = ok && message.put(WG.ALLOWEDIP_A_FLAGS, u32: WG.ALLOWEDIP_F_REMOVE_ME) }
        guard ok else {
            message.cancelNest(nest)
            return false
        }
        message.endNest(nest)
        return true
    }
}
