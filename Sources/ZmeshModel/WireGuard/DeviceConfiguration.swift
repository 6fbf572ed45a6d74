/// The desired configuration of a WireGuard device: what `apply` converges a device to.
public struct DeviceConfiguration: Sendable, Equatable {
    /// `nil` means the device has no private key.
    public var privateKey: PrivateKey?
    /// 0 lets the kernel pick a port; `nil` leaves whatever port the device has.
    public var listenPort: UInt16?
    /// 0 means off.
    public var fwmark: UInt32
    public var peers: [PeerConfiguration]

    public init(privateKey: PrivateKey? = nil, listenPort: UInt16? = nil, fwmark: UInt32 = 0, peers: [PeerConfiguration] = []) {
        self.privateKey = privateKey
        self.listenPort = listenPort
        self.fwmark = fwmark
        self.peers = peers
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.privateKey?.clamped == rhs.privateKey?.clamped && lhs.listenPort == rhs.listenPort
            && lhs.fwmark == rhs.fwmark
            && Dictionary(lhs.peers.map { ($0.publicKey, $0) }, uniquingKeysWith: { $1 })
                == Dictionary(rhs.peers.map { ($0.publicKey, $0) }, uniquingKeysWith: { $1 })
    }
}

/// A WireGuard device as read back from the kernel or a userspace implementation.
public struct DeviceStatus: Sendable, Equatable {
    public var name: InterfaceName
    /// Interface index in the namespace it was read from (0 for userspace devices read over UAPI).
    public var interfaceIndex: UInt32
    public var privateKey: PrivateKey?
    public var publicKey: WireGuardKey?
    public var listenPort: UInt16
    public var fwmark: UInt32
    public var peers: [PeerStatus]

    public init(
        name: InterfaceName, interfaceIndex: UInt32 = 0, privateKey: PrivateKey? = nil, publicKey: WireGuardKey? = nil,
        listenPort: UInt16 = 0, fwmark: UInt32 = 0, peers: [PeerStatus] = []
    ) {
        self.name = name
        self.interfaceIndex = interfaceIndex
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.listenPort = listenPort
        self.fwmark = fwmark
        self.peers = peers
    }

    /// The configuration part, without counters.
    public var configuration: DeviceConfiguration {
        DeviceConfiguration(privateKey: privateKey, listenPort: listenPort, fwmark: fwmark, peers: peers.map(\.configuration))
    }
}
