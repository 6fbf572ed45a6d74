public import Firewall
public import ZmeshModel

/// The actual state of a node, as the reader (`NodeAgent`'s `NodeReader`) lists it:
/// `NetworkNamespace.namedNamespaces()`, and per namespace `RouteNetlink.links()` / `addresses(on:)` / `routes(table: .main)`,
/// `WireGuardClient.device(_:)`, `NFTablesContext.tableNames()` / `listTable(_:)` and the forwarding sysctls.
///
/// The reader may list foreign namespaces (Docker's, CNI's) with or without their contents: the diff
/// never acts on them. It needs the contents of the agent's namespaces (`ndmz`, `n-<id>`), the
/// links of the public side (to find a `w-<id>` left there by an interrupted create-then-move) and
/// node setup's objects on the host (``host``).
public struct NodeSnapshot: Sendable, Equatable {
    /// Every named namespace, by name.
    public var namespaces: [String: NamespaceSnapshot]
    /// The namespace WireGuard sockets are born in (host or `public`). When it is the agent's own
    /// `public` namespace, this is that namespace whole, as it also is in ``namespaces``.
    public var publicSide: NamespaceSnapshot
    /// What of the host (the agent's own namespace) is node setup's: the link `ndmz` (the host's end
    /// of the ndmz uplink) with its addresses, the table `zmesh-host`, the setting
    /// `net.ipv4.ip_forward`; nothing else. When the public side is the host, `publicSide` and `host`
    /// are two disjoint parts of the same namespace.
    public var host: NamespaceSnapshot

    public init(
        namespaces: [String: NamespaceSnapshot] = [:], publicSide: NamespaceSnapshot = NamespaceSnapshot(),
        host: NamespaceSnapshot = NamespaceSnapshot()
    ) {
        self.namespaces = namespaces
        self.publicSide = publicSide
        self.host = host
    }
}

/// What one namespace holds.
public struct NamespaceSnapshot: Sendable, Equatable {
    public var links: [InterfaceName: ObservedLink]
    /// Routes of the main table (every protocol: the diff only deletes `static` ones through its links).
    public var routes: [ObservedRoute]
    /// zmesh's nftables tables (``Firewall/TableName`` cannot name another table).
    public var tables: [TableName: ObservedTable]
    /// WireGuard devices by link name; a WireGuard link without an entry counts as unconfigured.
    public var wireGuard: [InterfaceName: DeviceStatus]
    /// Forwarding sysctls as read (`"1"`, `"0"`); a missing entry counts as not set.
    public var settings: [NamespaceSetting: String]

    public init(
        links: [ObservedLink] = [], routes: [ObservedRoute] = [], tables: [TableName: ObservedTable] = [:],
        wireGuard: [InterfaceName: DeviceStatus] = [:], settings: [NamespaceSetting: String] = [:]
    ) {
        self.links = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.routes = routes
        self.tables = tables
        self.wireGuard = wireGuard
        self.settings = settings
    }
}

/// A link as listed (RouteNL's `Link` with its addresses).
public struct ObservedLink: Sendable, Hashable, CustomStringConvertible {
    public var name: InterfaceName
    /// `IFLA_INFO_KIND`: `veth`, `bridge`, `wireguard`, `tun` (wireguard-go), `nil` for `lo` and physical links.
    public var kind: String?
    public var mtu: UInt32
    public var isUp: Bool
    /// Every address, the kernel's IPv6 link-local ones included.
    public var addresses: Set<AssignedAddress>

    public init(
        name: InterfaceName, kind: String?, mtu: UInt32 = 1500, isUp: Bool = true, addresses: Set<AssignedAddress> = []
    ) {
        self.name = name
        self.kind = kind
        self.mtu = mtu
        self.isUp = isUp
        self.addresses = addresses
    }

    public var description: String {
        "\(name) (\(kind ?? "no kind"), mtu \(mtu), \(isUp ? "up" : "down"), \(addresses.sorted().map(\.description)))"
    }
}

/// A route of the main table as listed: the ``RouteSpec`` plus who installed it.
public struct ObservedRoute: Sendable, Hashable, CustomStringConvertible {
    /// `RTPROT_STATIC`: what RouteNL gives the routes it adds, so the agent's.
    public static let staticProtocol: UInt8 = 4
    /// `RTPROT_KERNEL`: connected routes of addresses.
    public static let kernelProtocol: UInt8 = 2

    public var destination: IPPrefix
    public var gateway: IPAddress?
    /// `nil` for routes without an output device (blackholes, multipath heads).
    public var device: InterfaceName?
    public var metric: UInt32
    public var routeProtocol: UInt8

    public init(
        destination: IPPrefix, gateway: IPAddress? = nil, device: InterfaceName?, metric: UInt32? = nil,
        routeProtocol: UInt8 = ObservedRoute.staticProtocol
    ) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.metric = metric ?? RouteSpec.defaultMetric(destination)
        self.routeProtocol = routeProtocol
    }

    /// A route the agent added, seen again.
    public init(_ route: RouteSpec) {
        self.init(destination: route.destination, gateway: route.gateway, device: route.device, metric: route.metric)
    }

    /// The route as the agent would name it, when it has a device.
    public var spec: RouteSpec? {
        device.map { RouteSpec(destination: destination, gateway: gateway, device: $0, metric: metric) }
    }

    public var description: String {
        (spec?.description ?? "\(destination) (no device)") + " proto \(routeProtocol)"
    }
}

/// What the reader knows of a zmesh table's content. nft lists a table in its own normalised text,
/// not in the text the agent sent, so the reader recognises a table by comparing the listing with
/// the listing it saw right after applying a definition (the applier keeps that pair in memory);
/// after an agent restart the content is `.unrecognised` and the table is applied once again (one
/// atomic transaction: no packet sees a half table).
public enum ObservedTable: Sendable, Hashable {
    /// The content is exactly this table.
    case content(FirewallTable)
    /// The table exists; its content is not known to match anything.
    case unrecognised
}
