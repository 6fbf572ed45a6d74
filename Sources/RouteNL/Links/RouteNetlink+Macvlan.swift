internal import CNLRoute
public import SystemSupport
public import ZmeshModel

/// A macvlan's mode (`ip link add … type macvlan mode MODE`): how it treats its siblings on the same
/// parent. In every mode the parent itself cannot reach its macvlans.
public enum MacvlanMode: String, Sendable, Hashable, CaseIterable {
    /// Siblings reach each other directly, as across a switch.
    case bridge
    /// Siblings never reach each other, not even through the outside.
    case `private`
    /// Sibling traffic goes out to the switch (which must hairpin it).
    case vepa
    /// The only macvlan of its parent; the parent is in promiscuous mode.
    case passthru
}

extension LinkKind {
    public static let macvlan = LinkKind(rawValue: "macvlan")
}

extension RouteNetlink {
    /// `ip link add NAME link PARENT [mtu MTU] type macvlan mode MODE [netns NAMESPACE]`: a macvlan on
    /// the parent `parent` of this connection's namespace, created directly in `namespace` when one
    /// is given (`IFLA_NET_NS_FD` in the request, never a pid); the parent stays here. Left down.
    ///
    /// - Returns: the new link, read in the namespace it lives in.
    /// - Throws: ``RouteNLError``: `.noSuchDevice` when `parent` is not a link of this namespace,
    ///   `.exists` when the name is taken where the macvlan would live, `.unknownNamespace` when
    ///   `namespace` does not exist.
    @discardableResult
    public func createMacvlan(
        _ name: InterfaceName, parent: InterfaceName, mode: MacvlanMode = .bridge, namespace: NetworkNamespace? = nil,
        mtu: UInt32? = nil
    ) throws(RouteNLError) -> Link {
        let operation = "create macvlan"
        let place = namespace.map { " in \(NetworkNamespace.label($0))" } ?? ""
        let object = "link \(name) (parent \(parent), mode \(mode.rawValue)\(place))"
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Void in
            let parentIndex = try connection.index(of: parent, for: operation)
            guard let link = rtnl_link_macvlan_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name.rawValue)
            rtnl_link_set_link(link, parentIndex)
            if let mtu { rtnl_link_set_mtu(link, mtu) }
            try connection.check(
                rtnl_link_macvlan_set_mode(link, UInt32(bitPattern: rtnl_link_macvlan_str2mode(mode.rawValue))),
                operation, object)
            try connection.add(link, placing: link, in: namespace, operation, object)
        }
        guard let namespace else { return try link(named: name) }
        return try RouteNetlink(namespace: namespace).link(named: name)
    }
}
