/// A failed read: what was being read, where, and the typed error of the module that failed.
public struct NodeReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    public typealias Cause = NodeAgentCause

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

    public var description: String { "\(operation) \(object) in \(namespace): \(cause)" }
}
