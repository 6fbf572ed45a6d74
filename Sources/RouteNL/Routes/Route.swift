public import ZmeshModel

/// A route: what `ip route add DESTINATION [via GATEWAY] [dev DEVICE] [metric M] [table T]` says,
/// and what `ip route show` reports back.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// The destination prefix; `0.0.0.0/0` or `::/0` is the default route.
    public var destination: IPPrefix
    /// The next hop, when the destination is not on-link.
    public var gateway: IPAddress?
    /// The output interface.
    public var device: InterfaceName?
    /// `RTA_PRIORITY`; `nil` leaves the kernel default (0 for IPv4, 1024 for IPv6).
    public var metric: UInt32?
    public var table: RouteTable
    /// Who installed it (`proto`). `nil`: `.static` when adding or replacing (zmesh's own routes), and
    /// any protocol when deleting — as `ip route del` does, so routes made by others (`proto kernel`,
    /// `proto boot`) can be deleted too. Listing reports the kernel's value.
    public var routeProtocol: RouteProtocol?
    /// `nil` when adding or replacing: chosen as iproute2 does (link scope for an IPv4 route without
    /// gateway, universe otherwise); when deleting: any scope (`RT_SCOPE_NOWHERE`, as `ip route del`
    /// sends). Listing reports the kernel's value.
    public var scope: RouteScope?
    public var type: RouteType

    public init(
        destination: IPPrefix, gateway: IPAddress? = nil, device: InterfaceName? = nil, metric: UInt32? = nil,
        table: RouteTable = .main, routeProtocol: RouteProtocol? = nil, scope: RouteScope? = nil,
        type: RouteType = .unicast
    ) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.metric = metric
        self.table = table
        self.routeProtocol = routeProtocol
        self.scope = scope
        self.type = type
    }

    public var isDefault: Bool { destination.length == 0 }

    /// The protocol an added or replaced route gets: the explicit one, or `.static`.
    var protocolForAdding: RouteProtocol { routeProtocol ?? .static }

    /// The scope an added or replaced route gets: the explicit one, or iproute2's choice.
    var scopeForAdding: RouteScope {
        if let scope { return scope }
        if type != .unicast { return type == .local ? .host : .universe }
        return destination.isIPv4 && gateway == nil ? .link : .universe
    }

    /// The route in `ip route` words.
    public var description: String {
        var words = [isDefault ? "default" : destination.description]
        if let gateway { words += ["via", gateway.description] }
        if let device { words += ["dev", device.rawValue] }
        if let metric { words += ["metric", String(metric)] }
        if table != .main { words += ["table", String(table.rawValue)] }
        return words.joined(separator: " ")
    }

    /// The same route for matching against listed ones: what selects a route in the kernel
    /// (destination, table, metric, gateway, device), with protocol and scope ignored.
    public func matches(_ other: Route) -> Bool {
        destination == other.destination && table == other.table && gateway == other.gateway
            && device == other.device && (metric ?? 0) == (other.metric ?? 0)
    }
}

/// A routing table id (`RT_TABLE_*`, or any id up to 2³²−1).
public struct RouteTable: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let main = RouteTable(rawValue: 254)
    public static let local = RouteTable(rawValue: 255)
    public static let `default` = RouteTable(rawValue: 253)
}

/// `RTPROT_*`: who installed a route.
public struct RouteProtocol: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let kernel = RouteProtocol(rawValue: 2)
    public static let boot = RouteProtocol(rawValue: 3)
    public static let `static` = RouteProtocol(rawValue: 4)
}

/// `RT_SCOPE_*`.
public struct RouteScope: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let universe = RouteScope(rawValue: 0)
    public static let link = RouteScope(rawValue: 253)
    public static let host = RouteScope(rawValue: 254)
    /// `RT_SCOPE_NOWHERE`: in a delete request, "whatever scope the route has".
    public static let nowhere = RouteScope(rawValue: 255)
}

/// `RTN_*`.
public struct RouteType: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unicast = RouteType(rawValue: 1)
    public static let local = RouteType(rawValue: 2)
    public static let broadcast = RouteType(rawValue: 3)
    public static let blackhole = RouteType(rawValue: 6)
    public static let unreachable = RouteType(rawValue: 7)
    public static let multicast = RouteType(rawValue: 5)
}
