internal import CNLRoute
public import SystemSupport
public import ZmeshModel

/// Creating and deleting links. Names are ``ZmeshModel/InterfaceName`` values, so a name over 15
/// bytes is refused before anything is sent. A creation that is followed by more steps (enslaving,
/// bringing up) deletes the link again when a later step fails.
extension RouteNetlink {
    /// `ip link add NAME [mtu MTU] type veth peer name PEER [netns PEERNS]`, then optionally
    /// `ip link set NAME master MASTER` and `ip link set NAME up`.
    ///
    /// The peer is created directly in `peerNamespace` when one is given: the request carries an fd
    /// of that namespace (`IFLA_NET_NS_FD` in the peer's part), never a pid, so the calling thread's
    /// or the main thread's namespace cannot be picked up by mistake. The peer is left down.
    ///
    /// - Returns: the new link (in this connection's namespace).
    /// - Throws: ``RouteNLError``: `.exists` when either name is taken (the peer's in its
    ///   namespace), `.unknownNamespace` when `peerNamespace` does not exist, `.noSuchDevice` for a
    ///   missing `master`. On a failure after creation the pair is deleted again.
    @discardableResult
    public func createVeth(
        _ name: InterfaceName, peer: InterfaceName, peerNamespace: NetworkNamespace? = nil, mtu: UInt32? = nil,
        master: InterfaceName? = nil, up: Bool = false
    ) throws(RouteNLError) -> Link {
        let operation = "create veth"
        let peerPlace = peerNamespace.map { " in \(NetworkNamespace.label($0))" } ?? ""
        let object = "link \(name) (peer \(peer)\(peerPlace))"
        let created = try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Link in
            guard let link = rtnl_link_veth_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name.rawValue)
            if let mtu { rtnl_link_set_mtu(link, mtu) }
            guard let peerLink = rtnl_link_veth_get_peer(link) else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "no peer object")
            }
            defer { rtnl_link_put(peerLink) }
            rtnl_link_set_name(peerLink, peer.rawValue)
            if let mtu { rtnl_link_set_mtu(peerLink, mtu) }
            try connection.add(link, placing: peerLink, in: peerNamespace, operation, object)
            return try connection.fetchLink(name, for: operation).link
        }
        return try finishCreation(created, name: name, master: master, up: up, operation: operation, object: object)
    }

    /// `ip link add NAME [mtu MTU] type bridge`, then optionally `ip link set NAME up`.
    @discardableResult
    public func createBridge(_ name: InterfaceName, mtu: UInt32? = nil, up: Bool = false) throws(RouteNLError) -> Link {
        try createLink(name, kind: .bridge, mtu: mtu, up: up)
    }

    /// `ip link add NAME type wireguard` (MTU 1420 by default, no link-layer address). Fails with
    /// `.notSupported` on kernels without the WireGuard module.
    @discardableResult
    public func createWireGuard(_ name: InterfaceName, mtu: UInt32? = nil, up: Bool = false) throws(RouteNLError)
        -> Link
    {
        try createLink(name, kind: .wireguard, mtu: mtu, up: up)
    }

    /// `ip link add NAME [mtu MTU] type KIND` for kinds that need no further data (bridge,
    /// wireguard, dummy), then optionally master and up.
    ///
    /// - Throws: ``RouteNLError``: `.exists` when the name is taken, `.notSupported` when the kernel
    ///   does not know the kind.
    @discardableResult
    public func createLink(
        _ name: InterfaceName, kind: LinkKind, mtu: UInt32? = nil, master: InterfaceName? = nil, up: Bool = false
    ) throws(RouteNLError) -> Link {
        let operation = "create \(kind)"
        let object = "link \(name)"
        let created = try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Link in
            guard let link = rtnl_link_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name.rawValue)
            try connection.check(rtnl_link_set_type(link, kind.rawValue), operation, object)
            if let mtu { rtnl_link_set_mtu(link, mtu) }
            try connection.check(rtnl_link_add(connection.socket, link, NLM_F_CREATE | NLM_F_EXCL), operation, object)
            return try connection.fetchLink(name, for: operation).link
        }
        return try finishCreation(created, name: name, master: master, up: up, operation: operation, object: object)
    }

    /// `ip link del NAME`. Deleting one end of a veth pair deletes both.
    ///
    /// - Throws: ``RouteNLError`` with `.noSuchDevice` when there is no such link.
    public func deleteLink(_ name: InterfaceName) throws(RouteNLError) {
        let operation = "delete link"
        try withConnection { (connection: borrowing Connection) throws(RouteNLError) -> Void in
            guard let link = rtnl_link_alloc() else {
                throw connection.refusal(.library(code: NLE_NOMEM), operation, "link \(name)", "out of memory")
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name.rawValue)
            try connection.check(rtnl_link_delete(connection.socket, link), operation, "link \(name)")
        }
    }

    /// The optional steps after a creation; on failure the new link is deleted and the step's error
    /// thrown.
    private func finishCreation(
        _ created: Link, name: InterfaceName, master: InterfaceName?, up: Bool, operation: String, object: String
    ) throws(RouteNLError) -> Link {
        guard master != nil || up else { return created }
        do {
            if let master { try setMaster(name, to: master) }
            if up { try setUp(name) }
            return try link(named: name)
        } catch {
            try? deleteLink(name)
            throw RouteNLError(
                error.code, operation: operation, object: object, namespace: error.namespace,
                reason: "\(error.operation) \(error.object) failed (\(error.reason)); the new link was deleted again")
        }
    }
}

extension Connection {
    /// `RTM_NEWLINK` with `NLM_F_CREATE | NLM_F_EXCL` for `link`; when `namespace` is given, `placed`
    /// (the link itself, or a veth's peer) is created there (`IFLA_NET_NS_FD`, never a pid).
    func add(
        _ link: OpaquePointer, placing placed: OpaquePointer, in namespace: NetworkNamespace?, _ operation: String,
        _ object: String
    ) throws(RouteNLError) {
        guard let namespace else {
            try check(rtnl_link_add(socket, link, NLM_F_CREATE | NLM_F_EXCL), operation, object)
            return
        }
        do {
            try namespace.withDescriptor { (fd: Int32) throws(RouteNLError) -> Void in
                rtnl_link_set_ns_fd(placed, fd)
                try check(rtnl_link_add(socket, link, NLM_F_CREATE | NLM_F_EXCL), operation, object)
            }
        } catch let error as RouteNLError {
            throw error
        } catch let error as SystemError {
            throw LibNL.failure(
                error, FailureContext(operation: operation, object: object, namespace: self.namespace),
                namespace: namespace)
        } catch {
            throw refusal(.library(code: NLE_FAILURE), operation, object, "\(error)")
        }
    }
}
