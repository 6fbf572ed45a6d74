public import Deployments
public import NodeState
import ZmeshModel

extension NodeAction {
    /// The network whose NR the action belongs to, or `nil` for a node-level action (the ndmz itself,
    /// its `lo`, its policy table). An action belongs to network `<id>` when it runs in `n-<id>` (or
    /// creates or deletes it), or acts on `n-<id>` in the ndmz (the NR's veth end and routes through
    /// it), or on `w-<id>` on the public side. The `public` namespace and its macvlan are node-level.
    public var owningNetwork: NetworkID? {
        switch self {
        case .createNamespace(let name), .deleteNamespace(let name):
            return Ownership.networkID(ofNamespace: name)
        case .createVeth(let namespace, let link, let peer, let peerNamespace):
            return Self.network(in: namespace, link: link) ?? Self.network(in: peerNamespace, link: peer)
        default:
            return Self.network(in: namespace, link: link)
        }
    }

    /// The link the action acts on (a route's device), if any.
    var link: InterfaceName? {
        switch self {
        case .createNamespace, .deleteNamespace, .setSysctl, .applyTable, .deleteTable: nil
        case .createBridge(_, let link, _), .createVeth(_, let link, _, _), .createWireGuard(_, let link, _),
            .createMacvlan(_, let link, _, _),
            .moveLink(_, let link, _), .deleteLink(_, let link), .setMTU(_, let link, _), .setUp(_, let link),
            .addAddress(_, let link, _), .deleteAddress(_, let link, _), .configureWireGuard(_, let link, _):
            link
        case .replaceRoute(_, let route), .deleteRoute(_, let route): route.device
        }
    }

    private static func network(in namespace: NamespaceRef, link: InterfaceName?) -> NetworkID? {
        if let name = namespace.name, let id = Ownership.networkID(ofNamespace: name) { return id }
        guard let link else { return nil }
        if namespace.name == Ownership.ndmzNamespace { return Ownership.networkID(ofNDMZInterface: link) }
        return Ownership.networkID(ofWireGuard: link)  // the public side
    }
}
