public import SystemSupport
import RouteNL
import ZmeshModel

extension WireGuardGoProcess {
    /// Moves the daemon's TUN device from where it is now into `target` (`ip link set NAME netns …`).
    ///
    /// The daemon keeps running and keeps its UDP sockets in ``birthNamespace``: encrypted traffic stays
    /// on that side, decrypted traffic appears only in `target`. The device arrives down and without
    /// addresses (bring it up with ``setInterfaceUp()``; wireguard-go notices within a second).
    ///
    /// - Throws: ``WireGuardError/links(_:)`` (`.exists` when `target` already has a link of that name,
    ///   `.unknownNamespace` when a namespace does not exist).
    public func moveInterface(to target: NetworkNamespace) throws(WireGuardError) {
        do { try RouteNetlink(namespace: interfaceNamespace).move(interface, to: target) } catch { throw .links(error) }
        interfaceNamespace = target
    }

    /// Brings the TUN device up in ``interfaceNamespace`` (`ip link set NAME up`).
    public func setInterfaceUp() throws(WireGuardError) {
        do { try RouteNetlink(namespace: interfaceNamespace).setUp(interface) } catch { throw .links(error) }
    }
}
