import Netlink
import ZmeshModel

/// Accumulates the messages of a `WG_CMD_GET_DEVICE` dump into one ``DeviceStatus``:
/// device attributes from whichever message carries them, a peer split across messages coalesced
/// (a continuation element repeats only the public key and the rest of the allowed IPs), unknown
/// attributes and pads skipped.
struct DeviceDumpParser {
    let requestedName: InterfaceName
    private(set) var device: DeviceStatus

    init(requestedName: InterfaceName) {
        self.requestedName = requestedName
        device = DeviceStatus(name: requestedName)
    }

    mutating func consume(_ message: ReceivedMessage) throws(NetlinkError) {
        for attr in message.attributes(after: NetlinkSize.genericHeader) {
            switch attr.type {
            case WG.DEVICE_A_IFINDEX: device.interfaceIndex = attr.u32 ?? 0
            case WG.DEVICE_A_IFNAME:
                if let name = try? InterfaceName(attr.string) { device.name = name }
            case WG.DEVICE_A_PRIVATE_KEY:
                device.privateKey = WireGuardKey(bytes: attr.payload).flatMap { $0.isZero ? nil : PrivateKey($0) }
            case WG.DEVICE_A_PUBLIC_KEY:
                device.publicKey = WireGuardKey(bytes: attr.payload).flatMap { $0.isZero ? nil : $0 }
            case WG.DEVICE_A_LISTEN_PORT: device.listenPort = attr.u16 ?? 0
            case WG.DEVICE_A_FWMARK: device.fwmark = attr.u32 ?? 0
            case WG.DEVICE_A_PEERS:
                for element in attr.nested { try consumePeer(element.nested) }
            default: continue
            }
        }
    }

    private mutating func consumePeer(_ attributes: NetlinkAttributes) throws(NetlinkError) {
        // The kernel puts the public key first; a continuation element (a peer whose allowed IPs did not
        // fit the previous message) repeats only the key and the rest of the list, right after its first
        // part, so comparing with the last peer is enough (as wireguard-tools does).
        var iterator = attributes.makeIterator()
        guard let first = iterator.next(), first.type == WG.PEER_A_PUBLIC_KEY, let key = WireGuardKey(bytes: first.payload)
        else { throw .malformed(operation: "read \(requestedName)", reason: "peer element does not start with a 32-byte public key") }
        if let last = device.peers.indices.last, device.peers[last].publicKey == key {
            while let attr = iterator.next() {
                guard attr.type == WG.PEER_A_ALLOWEDIPS else { continue }
                try appendAllowedIPs(attr.nested, to: &device.peers[last].configuration.allowedIPs)
            }
            return
        }
        var peer = PeerStatus(configuration: PeerConfiguration(publicKey: key))
        while let attr = iterator.next() {
            switch attr.type {
            case WG.PEER_A_PRESHARED_KEY:
                peer.configuration.presharedKey = WireGuardKey(bytes: attr.payload).flatMap { $0.isZero ? nil : $0 }
            case WG.PEER_A_ENDPOINT: peer.configuration.endpoint = SocketAddress.decode(attr.payload)
            case WG.PEER_A_PERSISTENT_KEEPALIVE_INTERVAL: peer.configuration.persistentKeepalive = attr.u16 ?? 0
            case WG.PEER_A_LAST_HANDSHAKE_TIME where attr.payload.count >= 16:
                let seconds = attr.payload.loadUnaligned(fromByteOffset: 0, as: Int64.self)
                let nanoseconds = attr.payload.loadUnaligned(fromByteOffset: 8, as: Int64.self)
                peer.lastHandshake =
                    seconds == 0 && nanoseconds == 0 ? nil : Timestamp(seconds: seconds, nanoseconds: nanoseconds)
            case WG.PEER_A_RX_BYTES: peer.receivedBytes = attr.u64 ?? 0
            case WG.PEER_A_TX_BYTES: peer.transmittedBytes = attr.u64 ?? 0
            case WG.PEER_A_PROTOCOL_VERSION: peer.protocolVersion = attr.u32 ?? 0
            case WG.PEER_A_ALLOWEDIPS: try appendAllowedIPs(attr.nested, to: &peer.configuration.allowedIPs)
            default: continue
            }
        }
        device.peers.append(peer)
    }

    private func appendAllowedIPs(_ list: NetlinkAttributes, to prefixes: inout [IPPrefix]) throws(NetlinkError) {
        for element in list {
            var family: UInt16 = 0
            var address: UnsafeRawBufferPointer?
            var length: UInt8?
            for attr in element.nested {
                switch attr.type {
                case WG.ALLOWEDIP_A_FAMILY: family = attr.u16 ?? 0
                case WG.ALLOWEDIP_A_IPADDR: address = attr.payload
                case WG.ALLOWEDIP_A_CIDR_MASK: length = attr.u8
                default: continue
                }
            }
            let ip: IPAddress? =
                switch (family, address) {
                case (WG.AF_INET, let bytes?): IPv4Address(bytes: bytes).map(IPAddress.v4)
                case (WG.AF_INET6, let bytes?): IPv6Address(bytes: bytes).map(IPAddress.v6)
                default: nil
                }
            guard let ip, let length, let prefix = try? IPPrefix(ip, length: Int(length)) else {
                throw .malformed(operation: "read \(requestedName)", reason: "allowed IP with family \(family)")
            }
            prefixes.append(prefix)
        }
    }
}
