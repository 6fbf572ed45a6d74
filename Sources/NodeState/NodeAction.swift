public import Firewall
public import ZmeshModel

/// One idempotent step towards the desired state. Each case is one call of an existing API, which
/// the applier (a later slice) makes in the namespace the case names:
///
/// | action | call |
/// |---|---|
/// | `createNamespace(n)` / `deleteNamespace(n)` | `NetworkNamespace.create(named: n)` / `.delete(named: n)` |
/// | `setSysctl(ns, s, v)` | `NetworkNamespace.named(ns).setSysctl(.ipv4Forwarding / .ipv6Forwarding, to: v)` |
/// | `createBridge(ns, l, mtu)` | `RouteNetlink(namespace: ns).createBridge(l, mtu: mtu)` |
/// | `createVeth(ns, l, peer, peerNS)` | `RouteNetlink(namespace: ns).createVeth(l, peer: peer, peerNamespace: peerNS)` |
/// | `createMacvlan(ns, l, parent, linkNS)` | `RouteNetlink(namespace: ns).createMacvlan(l, parent: parent, mode: .bridge, namespace: linkNS)` |
/// | `createWireGuard(ns, l, mtu)` | `RouteNetlink(namespace: ns).createWireGuard(l, mtu: mtu)` (or wireguard-go started in `ns`) |
/// | `moveLink(ns, l, target)` | `RouteNetlink(namespace: ns).move(l, to: target)` |
/// | `deleteLink(ns, l)` | `RouteNetlink(namespace: ns).deleteLink(l)` |
/// | `setMTU` / `setUp` | `RouteNetlink.setMTU(l, mtu)` / `.setUp(l)` |
/// | `addAddress` / `deleteAddress` | `RouteNetlink.replaceAddress(a, on: l)` / `.deleteAddress(a, from: l)` |
/// | `replaceRoute` / `deleteRoute` | `RouteNetlink.replaceRoute(Route(destination:gateway:device:metric:))` / `.deleteRoute(…)` |
/// | `configureWireGuard(ns, l, u)` | `WireGuardClient.set(l, u)` (a client in `ns`): never `replacePeers` |
/// | `applyTable(ns, t)` / `deleteTable(ns, n)` | `NFTablesContext(namespace: ns).apply(t)` / `.deleteTable(n)` |
///
/// A `nil` namespace of those APIs is ``NamespaceRef/host``; a named one is `NetworkNamespace.named(name)`.
public enum NodeAction: Sendable, Equatable, CustomStringConvertible {
    case createNamespace(String)
    case deleteNamespace(String)
    case setSysctl(NamespaceRef, NamespaceSetting, String)
    case createBridge(NamespaceRef, InterfaceName, mtu: UInt32?)
    /// The pair: `InterfaceName` in the first namespace, `peer` in `peerNamespace`. Both ends start down.
    case createVeth(NamespaceRef, InterfaceName, peer: InterfaceName, peerNamespace: NamespaceRef)
    /// A macvlan (mode `bridge`) on `parent` of the first namespace, created directly in
    /// `linkNamespace`; it starts down.
    case createMacvlan(NamespaceRef, InterfaceName, parent: InterfaceName, linkNamespace: NamespaceRef)
    /// Created on the public side, so that its UDP socket lives there; it is then moved.
    case createWireGuard(NamespaceRef, InterfaceName, mtu: UInt32)
    /// The link arrives down, without addresses and routes; a WireGuard device keeps its configuration.
    case moveLink(NamespaceRef, InterfaceName, to: NamespaceRef)
    /// Deleting one end of a veth deletes both.
    case deleteLink(NamespaceRef, InterfaceName)
    case setMTU(NamespaceRef, InterfaceName, UInt32)
    case setUp(NamespaceRef, InterfaceName)
    case addAddress(NamespaceRef, InterfaceName, AssignedAddress)
    case deleteAddress(NamespaceRef, InterfaceName, AssignedAddress)
    case replaceRoute(NamespaceRef, RouteSpec)
    case deleteRoute(NamespaceRef, RouteSpec)
    /// The smallest update (`DeviceUpdate(from:to:)`): only changed peers and fields.
    case configureWireGuard(NamespaceRef, InterfaceName, DeviceUpdate)
    case applyTable(NamespaceRef, FirewallTable)
    case deleteTable(NamespaceRef, TableName)

    /// The namespace the action runs in (for namespace creation and deletion: that namespace).
    public var namespace: NamespaceRef {
        switch self {
        case .createNamespace(let name), .deleteNamespace(let name): .named(name)
        case .setSysctl(let ns, _, _), .createBridge(let ns, _, _), .createVeth(let ns, _, _, _),
            .createMacvlan(let ns, _, _, _), .createWireGuard(let ns, _, _), .moveLink(let ns, _, _), .deleteLink(let ns, _), .setMTU(let ns, _, _),
            .setUp(let ns, _), .addAddress(let ns, _, _), .deleteAddress(let ns, _, _), .replaceRoute(let ns, _),
            .deleteRoute(let ns, _), .configureWireGuard(let ns, _, _), .applyTable(let ns, _), .deleteTable(let ns, _):
            ns
        }
    }

    /// Whether the action removes something.
    public var isRemoval: Bool {
        switch self {
        case .deleteNamespace, .deleteLink, .deleteAddress, .deleteRoute, .deleteTable: true
        default: false
        }
    }

    /// Whether the action creates or configures a WireGuard device (its peers may then need their
    /// first handshake: ``HandshakeKicks``).
    public var touchesWireGuard: Bool {
        switch self {
        case .createWireGuard, .configureWireGuard: true
        default: false
        }
    }

    /// One line for the log. Secrets never appear: a WireGuard update names what changes, not keys'
    /// private halves.
    public var description: String {
        switch self {
        case .createNamespace(let name): "create namespace \(name)"
        case .deleteNamespace(let name): "delete namespace \(name)"
        case .setSysctl(let ns, let setting, let value): "set \(setting)=\(value) in \(ns)"
        case .createBridge(let ns, let link, let mtu): "create bridge \(link)\(mtu.map { " mtu \($0)" } ?? "") in \(ns)"
        case .createVeth(let ns, let link, let peer, let peerNS):
            "create veth \(link) in \(ns), peer \(peer) in \(peerNS)"
        case .createMacvlan(let ns, let link, let parent, let linkNS):
            "create macvlan \(link) on \(parent) in \(ns), living in \(linkNS)"
        case .createWireGuard(let ns, let link, let mtu): "create wireguard \(link) mtu \(mtu) in \(ns)"
        case .moveLink(let ns, let link, let target): "move \(link) from \(ns) to \(target)"
        case .deleteLink(let ns, let link): "delete link \(link) in \(ns)"
        case .setMTU(let ns, let link, let mtu): "set mtu \(mtu) on \(link) in \(ns)"
        case .setUp(let ns, let link): "set \(link) up in \(ns)"
        case .addAddress(let ns, let link, let address): "add \(address) to \(link) in \(ns)"
        case .deleteAddress(let ns, let link, let address): "delete \(address) from \(link) in \(ns)"
        case .replaceRoute(let ns, let route): "replace route \(route) in \(ns)"
        case .deleteRoute(let ns, let route): "delete route \(route) in \(ns)"
        case .configureWireGuard(let ns, let link, let update): "configure \(link) in \(ns): \(Self.summary(update))"
        case .applyTable(let ns, let table): "apply \(table.name) in \(ns)"
        case .deleteTable(let ns, let name): "delete \(name) in \(ns)"
        }
    }

    static func summary(_ update: DeviceUpdate) -> String {
        var parts: [String] = []
        if update.privateKey != nil { parts.append("set private key") }
        if let port = update.listenPort { parts.append("listen port \(port)") }
        if let fwmark = update.fwmark { parts.append("fwmark \(fwmark)") }
        if update.replacePeers { parts.append("replace all peers") }
        for peer in update.peers {
            parts.append(peer.remove ? "remove peer \(peer.publicKey)" : "set peer \(peer.publicKey)")
        }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }
}
