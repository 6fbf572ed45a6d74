public import SystemSupport
import Netlink
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

extension WireGuardGoProcess {
    /// Moves the daemon's TUN device from where it is now into `target` (`ip link set NAME netns …`).
    ///
    /// The daemon keeps running and keeps its UDP sockets in ``birthNamespace``: encrypted traffic stays
    /// on that side, decrypted traffic appears only in `target`. The device arrives down and without
    /// addresses (bring it up with ``setInterfaceUp()``; wireguard-go notices within a second).
    ///
    /// - Throws: ``WireGuardError/netlink(interface:_:)`` (`EEXIST` when `target` already has a link of
    ///   that name), or ``WireGuardError/system(_:)`` when a namespace cannot be opened.
    public func moveInterface(to target: NetworkNamespace) throws(WireGuardError) {
        let targetFD: Int32
        do { targetFD = try systemCall("open network namespace", target.path) { open(target.path, O_RDONLY | O_CLOEXEC) } } catch {
            throw .system(error)
        }
        defer { close(targetFD) }
        let name = interface.rawValue
        try inInterfaceNamespace { connection throws(NetlinkError) in
            try connection.moveLink(name: name, toNamespaceFD: targetFD)
        }
        interfaceNamespace = target
    }

    /// Brings the TUN device up in ``interfaceNamespace`` (`ip link set NAME up`).
    public func setInterfaceUp() throws(WireGuardError) {
        let name = interface.rawValue
        try inInterfaceNamespace { connection throws(NetlinkError) in try connection.setLinkUp(name: name) }
    }

    /// Runs `body` with an rtnetlink connection opened in ``interfaceNamespace``.
    private func inInterfaceNamespace(
        _ body: @escaping @Sendable (NetlinkConnection) throws(NetlinkError) -> Void
    ) throws(WireGuardError) {
        do {
            try interfaceNamespace.run { () throws(NetlinkError) in
                try body(NetlinkConnection(transport: MnlSocket(.route)))
            }
        } catch let error as NetlinkError {
            throw .netlink(interface: interface, error)
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .userspace(operation: "change link", interface: interface, errno: nil, detail: "\(error)")
        }
    }
}
