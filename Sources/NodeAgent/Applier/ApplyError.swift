import Firewall
import NodeState
import ZmeshModel

/// A failed action: what was attempted, on which object, in which namespace (by the agent's name),
/// and the typed error of the module that failed. Never holds key material: a WireGuard
/// configuration is named by its link only.
public struct ApplyError: Error, Sendable, Equatable, CustomStringConvertible {
    public typealias Cause = NodeAgentCause

    /// `create namespace`, `create veth`, `start wireguard-go for`, `configure wireguard`, `apply table`, …
    public let operation: String
    /// The object: a namespace, a link, an address on a link, a route, a table.
    public let object: String
    /// The agent's name of the namespace the action ran in (`ndmz`, `n-<id>`, `pub`, `host namespace`);
    /// `nil` for the creation and deletion of a namespace (the object names it).
    public let namespace: String?
    public let cause: Cause

    public init(operation: String, object: String, namespace: String?, cause: Cause) {
        self.operation = operation
        self.object = object
        self.namespace = namespace
        self.cause = cause
    }

    /// The error of `action`, words taken from the action.
    init(_ action: NodeAction, operation: String? = nil, cause: Cause) {
        let words = ApplyError.words(action)
        self.init(operation: operation ?? words.operation, object: words.object, namespace: words.namespace, cause: cause)
    }

    public var description: String {
        "\(operation) \(object)\(namespace.map { " in \($0)" } ?? ""): \(cause)"
    }

    static func label(_ ref: NamespaceRef) -> String { ref.name ?? "host namespace" }

    static func words(_ action: NodeAction) -> (operation: String, object: String, namespace: String?) {
        let place = label(action.namespace)
        switch action {
        case .createNamespace(let name): return ("create namespace", name, nil)
        case .deleteNamespace(let name): return ("delete namespace", name, nil)
        case .setSysctl(_, let setting, let value): return ("set sysctl", "\(setting)=\(value)", place)
        case .createBridge(_, let link, _): return ("create bridge", link.rawValue, place)
        case .createVeth(_, let link, let peer, let peerNamespace):
            return ("create veth", "\(link) (peer \(peer) in \(label(peerNamespace)))", place)
        case .createMacvlan(_, let link, let parent, let linkNamespace):
            return ("create macvlan", "\(link) (parent \(parent), in \(label(linkNamespace)))", place)
        case .createWireGuard(_, let link, _): return ("create wireguard", link.rawValue, place)
        case .moveLink(_, let link, let target): return ("move link", "\(link) to \(label(target))", place)
        case .deleteLink(_, let link): return ("delete link", link.rawValue, place)
        case .setMTU(_, let link, let mtu): return ("set mtu \(mtu) on", link.rawValue, place)
        case .setUp(_, let link): return ("set up", link.rawValue, place)
        case .addAddress(_, let link, let address): return ("add address", "\(address) on \(link)", place)
        case .deleteAddress(_, let link, let address): return ("delete address", "\(address) from \(link)", place)
        case .replaceRoute(_, let route): return ("replace route", route.description, place)
        case .deleteRoute(_, let route): return ("delete route", route.description, place)
        case .configureWireGuard(_, let link, _): return ("configure wireguard", link.rawValue, place)
        case .applyTable(_, let table): return ("apply table", table.name.description, place)
        case .deleteTable(_, let name): return ("delete table", name.description, place)
        }
    }
}
