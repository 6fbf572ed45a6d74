internal import CNLRoute
import ZmeshModel

/// An `rtnl_link *` we hold a reference to; `deinit` puts it.
struct LinkObject: ~Copyable {
    let pointer: OpaquePointer

    deinit { rtnl_link_put(pointer) }

    /// The value the kernel reported.
    var link: Link { LinkObject.link(pointer) }

    var index: Int32 { rtnl_link_get_ifindex(pointer) }

    /// Reads a `Link` from any `rtnl_link *` (cached, fetched or parsed from an event).
    static func link(_ pointer: OpaquePointer) -> Link {
        let master = rtnl_link_get_master(pointer)
        let peer = rtnl_link_get_link(pointer)
        let index = rtnl_link_get_ifindex(pointer)
        return Link(
            index: index,
            name: rtnl_link_get_name(pointer).map { String(cString: $0) } ?? "",
            kind: rtnl_link_get_type(pointer).map { LinkKind(rawValue: String(cString: $0)) },
            flags: LinkFlags(rawValue: rtnl_link_get_flags(pointer)),
            masterIndex: master > 0 ? master : nil,
            mtu: rtnl_link_get_mtu(pointer),
            operationalState: OperationalState(rawValue: rtnl_link_get_operstate(pointer)) ?? .unknown,
            hardwareAddress: NLAddress.hardwareAddress(rtnl_link_get_addr(pointer)),
            linkIndex: peer > 0 && peer != index ? peer : nil)
    }
}

extension Connection {
    /// `RTM_GETLINK` for one name; `.noSuchDevice` when there is none.
    func fetchLink(_ name: InterfaceName, for operation: String) throws(RouteNLError) -> LinkObject {
        var result: OpaquePointer?
        let rc = rtnl_link_get_kernel(socket, 0, name.rawValue, &result)
        guard rc >= 0, let result else {
            let error = failure(rc < 0 ? rc : -NLE_OBJ_NOTFOUND, operation, "link \(name)")
            // The kernel answers a lookup by name with ENODEV; libnl may say "object not found".
            if error.code == .notFound || error.code == .noSuchDevice {
                throw refusal(.noSuchDevice, operation, "link \(name)", "no such device")
            }
            throw error
        }
        return LinkObject(pointer: result)
    }

    /// The index of the link called `name`.
    func index(of name: InterfaceName, for operation: String) throws(RouteNLError) -> Int32 {
        try fetchLink(name, for: operation).index
    }

    /// Every link, by dump (`RTM_GETLINK` with `NLM_F_DUMP`).
    func dumpLinks(for operation: String) throws(RouteNLError) -> [Link] {
        try dump(Int32(RTM_GETLINK), operation, "links") { [LinkObject.link($0)] }
    }
}
