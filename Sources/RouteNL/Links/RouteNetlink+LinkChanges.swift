internal import CNLRoute
public import SystemSupport
public import ZmeshModel

/// Changing existing links: `RTM_NEWLINK` without `NLM_F_CREATE` for the link's current index, with
/// only the changed attributes (libnl's `rtnl_link_change`).
extension RouteNetlink {
    /// `ip link set NAME up`. The flag change mask carries `IFF_UP`, so no other flag changes.
    public func setUp(_ name: InterfaceName) throws(RouteNLError) {
        try change(name, "set link up") { rtnl_link_set_flags($0, LinkFlags.up.rawValue) }
    }

    /// `ip link set NAME down`. The change mask carries `IFF_UP` (without it the kernel would take a
    /// zero flag word as "no change" and the link would stay up).
    public func setDown(_ name: InterfaceName) throws(RouteNLError) {
        try change(name, "set link down") { rtnl_link_unset_flags($0, LinkFlags.up.rawValue) }
    }

    /// `ip link set NAME mtu MTU`.
    public func setMTU(_ name: InterfaceName, _ mtu: UInt32) throws(RouteNLError) {
        try change(name, "set mtu \(mtu) on") { rtnl_link_set_mtu($0, mtu) }
    }

    /// `ip link set NAME name NEWNAME`. Kernels before 6.x refuse to rename a link that is up
    /// (`.busy`); a taken name is `.exists`.
    public func rename(_ name: InterfaceName, to newName: InterfaceName) throws(RouteNLError) {
        try change(name, "rename to \(newName)") { rtnl_link_set_name($0, newName.rawValue) }
    }

    /// `ip link set NAME master MASTER`: makes the link a port of a bridge.
    ///
    /// - Throws: ``RouteNLError``: `.noSuchDevice` when either link is missing, `.notSupported`
    ///   when `master` does not take ports.
    public func setMaster(_ name: InterfaceName, to master: InterfaceName) throws(RouteNLError) {
        let operation = "enslave to \(master)"
        let masterIndex = try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Int32 in
            try connection.index(of: master, for: operation)
        }
        try change(name, operation) { rtnl_link_set_master($0, masterIndex) }
    }

    /// `ip link set NAME nomaster`: releases the link from its bridge (no-op when it has none).
    public func releaseFromMaster(_ name: InterfaceName) throws(RouteNLError) {
        try change(name, "release from master") { rtnl_link_set_master($0, 0) }
    }

    /// `ip link set NAME netns NS [name NEWNAME]`: moves the link into `namespace` (named by an fd,
    /// `IFLA_NET_NS_FD`), renaming it on the way when `newName` is given.
    ///
    /// The link arrives down, without addresses or routes, and possibly with another index; the
    /// returned value is read afterwards from inside `namespace`. A WireGuard link keeps its UDP
    /// socket in the namespace it was created in.
    ///
    /// - Throws: ``RouteNLError``: `.exists` when `namespace` already has a link of that name,
    ///   `.unknownNamespace`, `.noSuchDevice`, `.invalidArgument` for links that cannot change
    ///   namespace (bridges: "The interface netns is immutable").
    @discardableResult
    public func move(_ name: InterfaceName, to namespace: NetworkNamespace, newName: InterfaceName? = nil)
        throws(RouteNLError) -> Link
    {
        let target = NetworkNamespace.label(namespace)
        let operation = "move to \(target)"
        let object = "link \(name)"
        do {
            try namespace.withDescriptor { (fd: Int32) throws(RouteNLError) -> Void in
                try change(name, operation) { changes in
                    rtnl_link_set_ns_fd(changes, fd)
                    if let newName { rtnl_link_set_name(changes, newName.rawValue) }
                }
            }
        } catch let error as RouteNLError {
            throw error
        } catch let error as SystemError {
            throw LibNL.failure(
                error, FailureContext(operation: operation, object: object, namespace: namespaceDescription),
                namespace: namespace)
        } catch {
            throw RouteNLError(
                .library(code: NLE_FAILURE), operation: operation, object: object, namespace: namespaceDescription,
                reason: "\(error)")
        }
        // Re-resolve there: the index may have changed.
        return try RouteNetlink(namespace: namespace).link(named: newName ?? name)
    }

    /// Reads the link, builds a change object with `configure`, and sends the difference.
    private func change(_ name: InterfaceName, _ operation: String, _ configure: (OpaquePointer) -> Void)
        throws(RouteNLError)
    {
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Void in
            let original = try connection.fetchLink(name, for: operation)
            guard let changes = rtnl_link_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, "link \(name)", "out of memory")
            }
            defer { rtnl_link_put(changes) }
            configure(changes)
            try connection.check(
                rtnl_link_change(connection.socket, original.pointer, changes, 0), operation, "link \(name)")
        }
    }
}
