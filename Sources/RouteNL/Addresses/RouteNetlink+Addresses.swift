internal import CNLRoute
public import ZmeshModel

/// Addresses on links (`ip address`). IPv6 addresses are added with `IFA_F_NODAD`, so they are
/// usable at once instead of "tentative" for the duplicate-address-detection delay.
extension RouteNetlink {
    /// `ip address add ADDRESS/LEN dev NAME` (with `nodad` for IPv6).
    ///
    /// - Throws: ``RouteNLError``: `.exists` when the address is already there, `.noSuchDevice`.
    public func addAddress(_ address: InterfaceAddress, to name: InterfaceName, flags: AddressFlags = [])
        throws(RouteNLError)
    {
        try sendAddress(address, name, flags, operation: "add address", request: NLM_F_EXCL)
    }

    /// `ip address replace ADDRESS/LEN dev NAME`: adds the address or updates it in place
    /// (idempotent).
    public func replaceAddress(_ address: InterfaceAddress, on name: InterfaceName, flags: AddressFlags = [])
        throws(RouteNLError)
    {
        try sendAddress(address, name, flags, operation: "replace address", request: NLM_F_REPLACE)
    }

    /// `ip address del ADDRESS/LEN dev NAME`.
    ///
    /// - Throws: ``RouteNLError``: `.notFound` when the link has no such address, `.noSuchDevice`.
    public func deleteAddress(_ address: InterfaceAddress, from name: InterfaceName) throws(RouteNLError) {
        try sendAddress(address, name, [], operation: "delete address", request: nil)
    }

    /// `ip address show [dev NAME]`: every address of the namespace, or of one link.
    public func addresses(on name: InterfaceName? = nil) throws(RouteNLError) -> [AddressEntry] {
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> [AddressEntry] in
            let links = try connection.dumpLinks(for: "list addresses")
            let names = Dictionary(links.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
            var wanted: Int32?
            if let name {
                guard let index = links.first(where: { $0.name == name.rawValue })?.index else {
                    throw connection.refusal(.noSuchDevice, "list addresses", "on link \(name)", "no such device")
                }
                wanted = index
            }
            let entries = try connection.dump(Int32(RTM_GETADDR), "list", "addresses") { object in
                AddressObject.entry(object, names: names).map { [$0] } ?? []
            }
            return entries.filter { wanted == nil || $0.interfaceIndex == wanted }
        }
    }

    /// Builds the `rtnl_addr` and sends it: `request` is `NLM_F_EXCL` (add), `NLM_F_REPLACE`
    /// (replace) or `nil` (delete).
    private func sendAddress(
        _ address: InterfaceAddress, _ name: InterfaceName, _ flags: AddressFlags, operation: String, request: Int32?
    ) throws(RouteNLError) {
        let object = "address \(address) on \(name)"
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Void in
            let index = try connection.index(of: name, for: operation)
            guard let entry = rtnl_addr_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { rtnl_addr_put(entry) }
            guard let local = NLAddress.make(address.address, prefixLength: address.prefixLength) else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { nl_addr_put(local) }
            rtnl_addr_set_ifindex(entry, index)
            rtnl_addr_set_family(entry, NLAddress.family(of: address.address))
            try connection.check(rtnl_addr_set_local(entry, local), operation, object)
            rtnl_addr_set_prefixlen(entry, Int32(address.prefixLength))
            if let request {
                let all = address.isIPv4 ? flags : flags.union(.noDAD)
                if !all.isEmpty { rtnl_addr_set_flags(entry, all.rawValue) }
                try connection.check(rtnl_addr_add(connection.socket, entry, request), operation, object)
            } else {
                try connection.check(rtnl_addr_delete(connection.socket, entry, 0), operation, object)
            }
        }
    }
}

/// Reading `rtnl_addr` objects.
enum AddressObject {
    static func entry(_ pointer: OpaquePointer, names: [Int32: String]) -> AddressEntry? {
        guard let ip = NLAddress.address(rtnl_addr_get_local(pointer)),
            let address = try? InterfaceAddress(ip, prefixLength: Int(rtnl_addr_get_prefixlen(pointer)))
        else { return nil }
        let index = rtnl_addr_get_ifindex(pointer)
        return AddressEntry(
            interfaceIndex: index, interfaceName: names[index] ?? "", address: address,
            flags: AddressFlags(rawValue: rtnl_addr_get_flags(pointer)),
            scope: UInt8(truncatingIfNeeded: rtnl_addr_get_scope(pointer)))
    }
}
