internal import CNLRoute
import ZmeshModel

/// Routes (`ip route`).
extension RouteNetlink {
    /// `ip route add …`.
    ///
    /// - Throws: ``RouteNLError``: `.exists` when the same route (destination, table, metric) is
    ///   there, `.noSuchDevice` for a missing device, `.kernel(errno: ENETUNREACH)` for a gateway
    ///   that is not reachable.
    public func addRoute(_ route: Route) throws(RouteNLError) {
        try sendRoute(route, operation: "add route", request: NLM_F_EXCL)
    }

    /// `ip route replace …`: adds the route or replaces the one with the same destination, table
    /// and metric (idempotent).
    public func replaceRoute(_ route: Route) throws(RouteNLError) {
        try sendRoute(route, operation: "replace route", request: NLM_F_REPLACE)
    }

    /// `ip route del …`: deletes the route the given fields select — destination, table, and the
    /// gateway, device, metric, type, protocol and scope when given. Like iproute2, an unset
    /// protocol or scope selects any, so routes zmesh did not create (`proto kernel`, `proto boot`,
    /// `scope link`) can be deleted.
    ///
    /// - Throws: ``RouteNLError`` with `.notFound` when there is no such route.
    public func deleteRoute(_ route: Route) throws(RouteNLError) {
        try sendRoute(route, operation: "delete route", request: nil)
    }

    /// `ip route show table T` (both families): unicast and other routes of one table, or of every
    /// table when `table` is `nil`. A route with several next hops is reported as one ``Route`` per
    /// next hop (the way the kernel stores IPv6 routes anyway).
    public func routes(table: RouteTable? = .main) throws(RouteNLError) -> [Route] {
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> [Route] in
            let links = try connection.dumpLinks(for: "list routes")
            let names = Dictionary(links.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
            let routes = try connection.dump(Int32(RTM_GETROUTE), "list", "routes") { RouteObject.routes($0, names: names) }
            return routes.filter { table == nil || $0.table == table }
        }
    }

    private func sendRoute(_ route: Route, operation: String, request: Int32?) throws(RouteNLError) {
        let object = "route \(route)"
        if let gateway = route.gateway, gateway.isIPv4 != route.destination.isIPv4 {
            throw RouteNLError(
                .invalidArgument, operation: operation, object: object, namespace: namespaceDescription,
                reason: "the gateway's address family differs from the destination's")
        }
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Void in
            let index = try route.device.map { (name) throws(RouteNLError) -> Int32 in
                try connection.index(of: name, for: operation)
            }
            guard let entry = rtnl_route_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { rtnl_route_put(entry) }
            let family = NLAddress.family(of: route.destination.address)
            guard let destination = NLAddress.make(route.destination.address, prefixLength: Int(route.destination.length))
            else { throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory") }
            defer { nl_addr_put(destination) }
            try connection.check(rtnl_route_set_family(entry, UInt8(family)), operation, object)
            try connection.check(rtnl_route_set_dst(entry, destination), operation, object)
            rtnl_route_set_table(entry, route.table.rawValue)
            if request != nil {
                rtnl_route_set_protocol(entry, route.protocolForAdding.rawValue)
                rtnl_route_set_scope(entry, route.scopeForAdding.rawValue)
            } else {
                // RTPROT_UNSPEC (0) and RT_SCOPE_NOWHERE match any protocol and scope. Both must be set
                // explicitly: libnl's defaults are RTPROT_STATIC and a guessed scope.
                rtnl_route_set_protocol(entry, route.routeProtocol?.rawValue ?? 0)
                rtnl_route_set_scope(entry, (route.scope ?? .nowhere).rawValue)
            }
            try connection.check(rtnl_route_set_type(entry, route.type.rawValue), operation, object)
            if let metric = route.metric { rtnl_route_set_priority(entry, metric) }
            if index != nil || route.gateway != nil {
                guard let hop = rtnl_route_nh_alloc() else {
                    throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
                }
                if let index { rtnl_route_nh_set_ifindex(hop, index) }
                if let gateway = route.gateway, let address = NLAddress.make(gateway, prefixLength: gateway.bitWidth) {
                    rtnl_route_nh_set_gateway(hop, address)
                    nl_addr_put(address)
                }
                rtnl_route_add_nexthop(entry, hop)  // the route owns the hop from here
            }
            if let request {
                try connection.check(rtnl_route_add(connection.socket, entry, request), operation, object)
            } else {
                try connection.check(rtnl_route_delete(connection.socket, entry, 0), operation, object)
            }
        }
    }
}

/// Reading `rtnl_route` objects.
enum RouteObject {
    /// One value per next hop (libnl merges IPv6 routes that differ only in their next hop).
    static func routes(_ pointer: OpaquePointer, names: [Int32: String]) -> [Route] {
        guard let route = route(pointer, names: names) else { return [] }
        let count = rtnl_route_get_nnexthops(pointer)
        guard count > 1 else { return [route] }
        return (0..<count).compactMap { index in
            guard let hop = rtnl_route_nexthop_n(pointer, index) else { return nil }
            var each = route
            each.gateway = NLAddress.address(rtnl_route_nh_get_gateway(hop))
            each.device = names[rtnl_route_nh_get_ifindex(hop)].flatMap { try? InterfaceName($0) }
            return each
        }
    }

    /// The route with its first next hop.
    static func route(_ pointer: OpaquePointer, names: [Int32: String]) -> Route? {
        let destinationPointer = rtnl_route_get_dst(pointer)
        let family = Int32(rtnl_route_get_family(pointer))
        let length = destinationPointer.map { Int(nl_addr_get_prefixlen($0)) } ?? 0
        let address: IPAddress
        if let parsed = NLAddress.address(destinationPointer) {
            address = parsed
        } else if family == AF_INET {
            address = .v4(IPv4Address(0))
        } else if family == AF_INET6 {
            address = .v6(IPv6Address(high: 0, low: 0))
        } else {
            return nil
        }
        guard let destination = try? IPPrefix(address, length: length) else { return nil }
        var gateway: IPAddress?
        var device: InterfaceName?
        if rtnl_route_get_nnexthops(pointer) > 0, let hop = rtnl_route_nexthop_n(pointer, 0) {
            gateway = NLAddress.address(rtnl_route_nh_get_gateway(hop))
            device = names[rtnl_route_nh_get_ifindex(hop)].flatMap { try? InterfaceName($0) }
        }
        let priority = rtnl_route_get_priority(pointer)
        return Route(
            destination: destination, gateway: gateway, device: device, metric: priority == 0 ? nil : priority,
            table: RouteTable(rawValue: rtnl_route_get_table(pointer)),
            routeProtocol: RouteProtocol(rawValue: rtnl_route_get_protocol(pointer)),
            scope: RouteScope(rawValue: rtnl_route_get_scope(pointer)),
            type: RouteType(rawValue: rtnl_route_get_type(pointer)))
    }
}
