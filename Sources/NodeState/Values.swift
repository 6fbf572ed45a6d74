public import ZmeshModel

/// An address as assigned to an interface, host bits kept (`10.20.1.1/24`): the value of RouteNL's
/// `InterfaceAddress`, restated here so that this module needs no C library.
public struct AssignedAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// - Throws: ``ZmeshModel/ParseError`` when the length does not fit the family.
    public init(_ address: IPAddress, prefixLength: Int) throws(ParseError) {
        guard prefixLength >= 0, prefixLength <= address.bitWidth else {
            throw ParseError(
                kind: "interface address", value: "\(address)/\(prefixLength)",
                reason: IPPrefix.outOfRange(prefixLength, address))
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/LENGTH`, keeping the host bits.
    public init(_ text: some StringProtocol) throws(ParseError) {
        (address, prefixLength) = try IPPrefix.parseUnmasked(text, kind: "interface address")
    }

    /// An IPv6 link-local address (`fe80::/10`): the kernel's, never added or removed by the agent.
    public var isIPv6LinkLocal: Bool {
        guard case .v6(let v6) = address else { return false }
        return v6.high >> 54 == 0x3fa
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.prefixLength < rhs.prefixLength
    }
}

/// A route in the main table through one of the agent's links: the fields of RouteNL's `Route` the
/// agent sets (protocol `static`, scope as iproute2 chooses, table main), with the metric spelled
/// out so that a listed route compares equal (0 for IPv4, 1024 for IPv6 unless given).
public struct RouteSpec: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var destination: IPPrefix
    public var gateway: IPAddress?
    public var device: InterfaceName
    public var metric: UInt32

    public init(destination: IPPrefix, gateway: IPAddress? = nil, device: InterfaceName, metric: UInt32? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.metric = metric ?? RouteSpec.defaultMetric(destination)
    }

    /// The kernel's default metric: 0 for IPv4, 1024 for IPv6.
    public static func defaultMetric(_ destination: IPPrefix) -> UInt32 { destination.isIPv4 ? 0 : 1024 }

    /// What selects a route for replacement (`NLM_F_REPLACE`): destination and metric in the table.
    public var key: RouteKey { RouteKey(destination: destination, metric: metric) }

    public var description: String {
        var words = [destination.length == 0 ? "default" : destination.description]
        if destination.length == 0, !destination.isIPv4 { words[0] = "default (IPv6)" }
        if let gateway { words += ["via", gateway.description] }
        words += ["dev", device.rawValue, "metric", String(metric)]
        return words.joined(separator: " ")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.destination != rhs.destination { return lhs.destination < rhs.destination }
        if lhs.metric != rhs.metric { return lhs.metric < rhs.metric }
        if lhs.device != rhs.device { return lhs.device < rhs.device }
        return (lhs.gateway?.description ?? "") < (rhs.gateway?.description ?? "")
    }
}

/// The destination and metric of a route: two routes with the same key are one route to the kernel.
public struct RouteKey: Sendable, Hashable {
    public var destination: IPPrefix
    public var metric: UInt32
}

/// A per-namespace setting (a sysctl; SystemSupport's `Sysctl` of the same name).
public enum NamespaceSetting: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// `net.ipv4.ip_forward` (`Sysctl.ipv4Forwarding`).
    case ipv4Forwarding = "net.ipv4.ip_forward"
    /// `net.ipv6.conf.all.forwarding` (`Sysctl.ipv6Forwarding`).
    case ipv6Forwarding = "net.ipv6.conf.all.forwarding"

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
