/// A change in a namespace's links, addresses or routes, as rtnetlink multicasts it.
public enum NetworkEvent: Sendable, Hashable, CustomStringConvertible {
    /// A link appeared or changed (`RTM_NEWLINK`: flags, MTU, master, name…). The value is the
    /// link's whole new state.
    case linkUpdated(Link)
    /// A link was deleted, or moved out of the namespace (`RTM_DELLINK`).
    case linkRemoved(Link)
    /// An address was added or updated (`RTM_NEWADDR`).
    case addressAdded(AddressEntry)
    /// An address was removed (`RTM_DELADDR`), including by its link going away.
    case addressRemoved(AddressEntry)
    /// A route was added or replaced (`RTM_NEWROUTE`).
    case routeAdded(Route)
    /// A route was removed (`RTM_DELROUTE`).
    case routeRemoved(Route)
    /// Events were lost (the kernel's socket buffer or the stream's buffer overflowed): the
    /// consumer must re-read the state it cares about instead of trusting the event history.
    case eventsLost

    public var description: String {
        switch self {
        case .linkUpdated(let link): "link updated: \(link)"
        case .linkRemoved(let link): "link removed: \(link)"
        case .addressAdded(let entry): "address added: \(entry)"
        case .addressRemoved(let entry): "address removed: \(entry)"
        case .routeAdded(let route): "route added: \(route)"
        case .routeRemoved(let route): "route removed: \(route)"
        case .eventsLost: "events lost"
        }
    }
}

/// Which changes a ``NetworkEventMonitor`` subscribes to (rtnetlink multicast groups).
public struct NetworkEventKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `RTNLGRP_LINK`.
    public static let links = NetworkEventKinds(rawValue: 1)
    /// `RTNLGRP_IPV4_IFADDR` and `RTNLGRP_IPV6_IFADDR`.
    public static let addresses = NetworkEventKinds(rawValue: 2)
    /// `RTNLGRP_IPV4_ROUTE` and `RTNLGRP_IPV6_ROUTE`.
    public static let routes = NetworkEventKinds(rawValue: 4)
}
