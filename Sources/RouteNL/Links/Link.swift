/// A network interface as the kernel reports it (`ip link show`).
public struct Link: Sendable, Hashable, CustomStringConvertible {
    /// The interface index (unique within its namespace; may change when the link moves).
    public let index: Int32
    /// The interface name.
    public let name: String
    /// `IFLA_INFO_KIND`: "veth", "bridge", "wireguard", "tun", …; `nil` for links without one
    /// (loopback, physical devices).
    public let kind: LinkKind?
    /// Interface flags (`IFF_*`).
    public let flags: LinkFlags
    /// The index of the bridge (or other master) this link is a port of.
    public let masterIndex: Int32?
    /// Maximum transmission unit in bytes.
    public let mtu: UInt32
    /// RFC 2863 operational state (`IFLA_OPERSTATE`).
    public let operationalState: OperationalState
    /// The link-layer address (`aa:bb:…`), `nil` for links without one (WireGuard, tun).
    public let hardwareAddress: String?
    /// `IFLA_LINK`: for a veth, its peer's index (in the peer's namespace when that differs).
    public let linkIndex: Int32?

    public init(
        index: Int32, name: String, kind: LinkKind?, flags: LinkFlags, masterIndex: Int32?, mtu: UInt32,
        operationalState: OperationalState, hardwareAddress: String?, linkIndex: Int32?
    ) {
        self.index = index
        self.name = name
        self.kind = kind
        self.flags = flags
        self.masterIndex = masterIndex
        self.mtu = mtu
        self.operationalState = operationalState
        self.hardwareAddress = hardwareAddress
        self.linkIndex = linkIndex
    }

    /// Whether the link is administratively up (`IFF_UP`).
    public var isUp: Bool { flags.contains(.up) }

    public var description: String {
        var parts = ["\(index): \(name)"]
        if let kind { parts.append("kind \(kind)") }
        parts.append("mtu \(mtu)")
        parts.append(isUp ? "up" : "down")
        if let masterIndex { parts.append("master \(masterIndex)") }
        return parts.joined(separator: " ")
    }
}

/// A link type (`IFLA_INFO_KIND`), as `ip link add … type KIND` names it.
public struct LinkKind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let veth = LinkKind(rawValue: "veth")
    public static let bridge = LinkKind(rawValue: "bridge")
    public static let wireguard = LinkKind(rawValue: "wireguard")
    public static let tun = LinkKind(rawValue: "tun")
    public static let dummy = LinkKind(rawValue: "dummy")

    public var description: String { rawValue }
}

/// Interface flags (`IFF_*` from `<linux/if.h>`).
public struct LinkFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Administratively up.
    public static let up = LinkFlags(rawValue: 0x1)
    public static let broadcast = LinkFlags(rawValue: 0x2)
    public static let loopback = LinkFlags(rawValue: 0x8)
    public static let pointToPoint = LinkFlags(rawValue: 0x10)
    /// Operationally up (resources allocated).
    public static let running = LinkFlags(rawValue: 0x40)
    public static let noARP = LinkFlags(rawValue: 0x80)
    public static let promiscuous = LinkFlags(rawValue: 0x100)
    public static let multicast = LinkFlags(rawValue: 0x1000)
    /// The driver signals carrier (L1 up).
    public static let lowerUp = LinkFlags(rawValue: 0x10000)
}

/// RFC 2863 operational states, as `IF_OPER_*` numbers them.
public enum OperationalState: UInt8, Sendable, Hashable, CustomStringConvertible {
    case unknown = 0, notPresent, down, lowerLayerDown, testing, dormant, up

    /// The word `ip link` prints (`UP`, `DOWN`, `LOWERLAYERDOWN`, …).
    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .notPresent: "NOTPRESENT"
        case .down: "DOWN"
        case .lowerLayerDown: "LOWERLAYERDOWN"
        case .testing: "TESTING"
        case .dormant: "DORMANT"
        case .up: "UP"
        }
    }
}
