public import Deployments
internal import Firewall
public import ZmeshModel

/// A network namespace as the agent addresses it: its own (the namespace the agent runs in, `nil` for
/// `RouteNetlink(namespace:)` and `NFTablesContext(namespace:)`), or a named one under `/run/netns`
/// (`NetworkNamespace.named(name)`).
public enum NamespaceRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The namespace the agent runs in (the host's, on a real node).
    case host
    /// A named namespace, as `ip netns` names it.
    case named(String)

    public var description: String {
        switch self {
        case .host: "host namespace"
        case .named(let name): "namespace \(name)"
        }
    }

    /// The name of a named namespace.
    public var name: String? {
        if case .named(let name) = self { name } else { nil }
    }
}

/// The names the agent gives to what it creates, and the rule that it acts on nothing else.
///
/// The agent owns exactly: the namespaces `ndmz` and `n-<id>`; inside `n-<id>` the links `w-<id>`,
/// `b-<id>`, `ndmz` (its veth to the ndmz) and `lo` (only brought up); inside `ndmz` the links
/// `n-<id>` (the ndmz ends of the NRs' veths) and `lo`; on the public side (host or `public`
/// namespace) only `w-<id>` links, and only to create, move away or delete them; nftables tables
/// `inet zmesh*` (``Firewall/TableName`` cannot name anything else) inside its own namespaces. An
/// `<id>` is a well-formed ``Deployments/NetworkID`` (13 characters of a–z, 2–7): `n-foo` or
/// `w-eth0` are not the agent's.
///
/// Node setup adds the ndmz's uplink: inside `ndmz` the link `host` (its end of the veth to the
/// host); on the host (the agent's own namespace) exactly the link `ndmz` (the host's end), the
/// table `inet zmesh-host` and the setting `net.ipv4.ip_forward` (to turn it on, never off). Nothing
/// else of the host: no other link, route, table or setting.
///
/// With a dedicated public configuration the public side is the namespace `public`, and then the
/// agent owns it: the namespace, its links `public` (the macvlan, created from the host on the
/// host's public interface, which is only named, never changed) and `lo`, its settings, its routes
/// through `public`, its table `inet zmesh-public`, and the `w-<id>` links born there. A namespace
/// `public` is the agent's only when the public side is `.named("public")` (the daemon makes it so
/// only with a public configuration); otherwise it is foreign like any other.
public enum Ownership {
    /// The node's ndmz namespace.
    public static let ndmzNamespace = "ndmz"
    /// The name of an NR's veth end inside `n-<id>`.
    public static let uplinkInterface = interface("ndmz")
    /// The loopback interface of a namespace.
    public static let loopback = interface("lo")
    /// The host's end of the ndmz uplink (a link of the host namespace, leading to the ndmz).
    public static let hostUplinkInterface = interface("ndmz")
    /// The ndmz's end of its uplink (a link of the ndmz namespace, leading to the host).
    public static let ndmzUplinkInterface = interface("host")
    /// The node's `public` namespace (with a dedicated public configuration).
    public static let publicNamespace = "public"
    /// The macvlan in the `public` namespace.
    public static let publicInterface = interface("public")

    /// The NR namespace `n-<id>` of a network.
    public static func namespace(of id: NetworkID) -> String { id.namespaceName }

    /// The ndmz end of an NR's veth: `n-<id>` (a link name, inside the ndmz namespace).
    public static func ndmzInterface(of id: NetworkID) -> InterfaceName { interface("n-" + id.rawValue) }

    /// The network whose NR namespace is `name`, or `nil` when `name` is not `n-<id>`.
    public static func networkID(ofNamespace name: String) -> NetworkID? { networkID(name, prefix: "n-") }

    /// The network whose WireGuard link is `name` (`w-<id>`), if any.
    public static func networkID(ofWireGuard name: InterfaceName) -> NetworkID? {
        networkID(name.rawValue, prefix: "w-")
    }

    /// The network whose ndmz veth end is `name` (`n-<id>`), if any.
    public static func networkID(ofNDMZInterface name: InterfaceName) -> NetworkID? {
        networkID(name.rawValue, prefix: "n-")
    }

    /// Whether the agent owns the namespace `name` (`ndmz` or `n-<id>`).
    public static func ownsNamespace(_ name: String) -> Bool {
        name == ndmzNamespace || networkID(ofNamespace: name) != nil
    }

    /// Whether the agent owns the link `link` of the namespace `namespace` (see the type's rule): on
    /// the host only `ndmz`, the uplink's end. The public side is never "owned" as a namespace:
    /// ``permits(_:publicSide:)`` allows only `w-<id>` creation, moves and deletion there.
    public static func ownsLink(_ link: InterfaceName, in namespace: NamespaceRef) -> Bool {
        guard let name = namespace.name else { return link == hostUplinkInterface }
        if name == ndmzNamespace {
            return link == loopback || link == ndmzUplinkInterface || networkID(ofNDMZInterface: link) != nil
        }
        guard let id = networkID(ofNamespace: name) else { return false }
        return link == id.wireGuardInterface || link == id.bridgeInterface || link == uplinkInterface
            || link == loopback
    }

    /// Whether an action stays within what the agent owns: the guard every plan passes through.
    public static func permits(_ action: NodeAction, publicSide: NamespaceRef) -> Bool {
        let publicRef = NamespaceRef.named(publicNamespace)
        let ownsPublic = publicSide == publicRef
        func isPublic(_ namespace: NamespaceRef) -> Bool { ownsPublic && namespace == publicRef }
        func owned(_ namespace: NamespaceRef) -> Bool { namespace.name.map(ownsNamespace) ?? false }
        func publicWireGuard(_ namespace: NamespaceRef, _ link: InterfaceName) -> Bool {
            namespace == publicSide && (!owned(namespace) || isPublic(namespace)) && networkID(ofWireGuard: link) != nil
        }
        /// The `public` namespace's own links (not the `w-<id>` passing through).
        func publicLink(_ namespace: NamespaceRef, _ link: InterfaceName) -> Bool {
            isPublic(namespace) && (link == publicInterface || link == loopback)
        }
        func hostUplink(_ namespace: NamespaceRef, _ link: InterfaceName) -> Bool {
            namespace == .host && link == hostUplinkInterface
        }
        switch action {
        case .createNamespace(let name), .deleteNamespace(let name):
            return ownsNamespace(name) || isPublic(.named(name))
        case .setSysctl(let namespace, let setting, let value):
            return owned(namespace) || (namespace == .host && setting == .ipv4Forwarding && value == "1")
                || (isPublic(namespace) && value == "0")
        case .createMacvlan(let namespace, let link, _, let target):
            return namespace == .host && isPublic(target) && link == publicInterface
        case .createBridge(let namespace, let link, _):
            return owned(namespace) && ownsLink(link, in: namespace) && link != loopback
        case .createVeth(let namespace, let link, let peer, let peerNamespace):
            if hostUplink(namespace, link) {
                return peerNamespace == .named(ndmzNamespace) && peer == ndmzUplinkInterface
            }
            return owned(namespace) && owned(peerNamespace) && ownsLink(link, in: namespace)
                && ownsLink(peer, in: peerNamespace) && link != loopback && peer != loopback
        case .createWireGuard(let namespace, let link, _):
            return publicWireGuard(namespace, link)
        case .moveLink(let namespace, let link, let target):
            return publicWireGuard(namespace, link) && owned(target) && ownsLink(link, in: target)
        case .deleteLink(let namespace, let link):
            return (owned(namespace) && ownsLink(link, in: namespace) && link != loopback)
                || publicWireGuard(namespace, link) || hostUplink(namespace, link)
                || (publicLink(namespace, link) && link != loopback)
        case .setMTU(let namespace, let link, _), .setUp(let namespace, let link),
            .addAddress(let namespace, let link, _), .deleteAddress(let namespace, let link, _):
            return (owned(namespace) && ownsLink(link, in: namespace)) || hostUplink(namespace, link)
                || publicLink(namespace, link)
        case .configureWireGuard(let namespace, let link, _):
            return owned(namespace) && ownsLink(link, in: namespace) && networkID(ofWireGuard: link) != nil
        case .replaceRoute(let namespace, let route), .deleteRoute(let namespace, let route):
            return (owned(namespace) && ownsLink(route.device, in: namespace))
                || (isPublic(namespace) && route.device == publicInterface)
        case .applyTable(let namespace, let table):
            return owned(namespace) || (namespace == .host && table.name == .host) || isPublic(namespace)
        case .deleteTable(let namespace, let name):
            return owned(namespace) || (namespace == .host && name == .host) || isPublic(namespace)
        }
    }

    private static func networkID(_ name: String, prefix: String) -> NetworkID? {
        guard name.hasPrefix(prefix) else { return nil }
        return try? NetworkID(name.dropFirst(prefix.count))
    }

    private static func interface(_ name: String) -> InterfaceName {
        guard let interface = try? InterfaceName(name) else {
            preconditionFailure("'\(name)' is a valid interface name")
        }
        return interface
    }
}
