/// The WireGuard generic-netlink family, restated from the kernel UAPI (`linux/wireguard.h`,
/// including the Linux 6.16 allowed-IP flags that Debian 12's header lacks).
enum WG {
    static let genlName = "wireguard"
    static let genlVersion: UInt8 = 1

    static let CMD_GET_DEVICE: UInt8 = 0
    static let CMD_SET_DEVICE: UInt8 = 1

    static let DEVICE_A_IFINDEX: UInt16 = 1
    static let DEVICE_A_IFNAME: UInt16 = 2
    static let DEVICE_A_PRIVATE_KEY: UInt16 = 3
    static let DEVICE_A_PUBLIC_KEY: UInt16 = 4
    static let DEVICE_A_FLAGS: UInt16 = 5
    static let DEVICE_A_LISTEN_PORT: UInt16 = 6
    static let DEVICE_A_FWMARK: UInt16 = 7
    static let DEVICE_A_PEERS: UInt16 = 8

    static let PEER_A_PUBLIC_KEY: UInt16 = 1
    static let PEER_A_PRESHARED_KEY: UInt16 = 2
    static let PEER_A_FLAGS: UInt16 = 3
    static let PEER_A_ENDPOINT: UInt16 = 4
    static let PEER_A_PERSISTENT_KEEPALIVE_INTERVAL: UInt16 = 5
    static let PEER_A_LAST_HANDSHAKE_TIME: UInt16 = 6
    static let PEER_A_RX_BYTES: UInt16 = 7
    static let PEER_A_TX_BYTES: UInt16 = 8
    static let PEER_A_ALLOWEDIPS: UInt16 = 9
    static let PEER_A_PROTOCOL_VERSION: UInt16 = 10

    static let ALLOWEDIP_A_FAMILY: UInt16 = 1
    static let ALLOWEDIP_A_IPADDR: UInt16 = 2
    static let ALLOWEDIP_A_CIDR_MASK: UInt16 = 3
    static let ALLOWEDIP_A_FLAGS: UInt16 = 4

    static let DEVICE_F_REPLACE_PEERS: UInt32 = 1
    static let PEER_F_REMOVE_ME: UInt32 = 1
    static let PEER_F_REPLACE_ALLOWEDIPS: UInt32 = 2
    static let PEER_F_UPDATE_ONLY: UInt32 = 4
    static let ALLOWEDIP_F_REMOVE_ME: UInt32 = 1

    static let AF_INET: UInt16 = 2
    static let AF_INET6: UInt16 = 10
}
