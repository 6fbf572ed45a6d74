public import Firewall
public import RouteNL
public import SystemSupport
public import WireGuardNL

/// A failed read: what was being read, where, and the typed error of the module that failed.
public struct NodeReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Cause: Sendable, Equatable {
        case system(SystemError)
        case routeNL(RouteNLError)
        case firewall(FirewallError)
        case wireGuard(WireGuardError)
        /// The kernel reported something the snapshot cannot hold (a link name `InterfaceName` refuses).
        case unexpected(String)
    }

    /// `list namespaces`, `list links`, `list addresses`, `list routes`, `list tables`, `read sysctl`,
    /// `read wireguard device`.
    public let operation: String
    /// The object read (`links`, a link name, a table name, a sysctl).
    public let object: String
    /// The agent's name of the namespace (`ndmz`, `n-<id>`, `public side`).
    public let namespace: String
    public let cause: Cause

    public init(operation: String, object: String, namespace: String, cause: Cause) {
        self.operation = operation
        self.object = object
        self.namespace = namespace
        self.cause = cause
    }

    public var description: String {
        let detail: String
        switch cause {
        case .system(let error): detail = "\(error)"
        case .routeNL(let error): detail = "\(error)"
        case .firewall(let error): detail = "\(error)"
        case .wireGuard(let error): detail = "\(error)"
        case .unexpected(let text): detail = text
        }
        return "\(operation) \(object) in \(namespace): \(detail)"
    }
}
