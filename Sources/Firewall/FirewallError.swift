/// Why a firewall operation failed: what was attempted, on which table, in which namespace, and
/// nftables' (or the kernel's) own words.
public struct FirewallError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The input cannot be expressed safely (a table name outside `zmesh…`, an interface name
        /// with a quote, mixed address families, …); nothing was sent.
        case invalidInput
        /// nftables refused the transaction (syntax, a missing interface for `iif`, a kernel
        /// error); nothing of it was applied.
        case rejected
        /// The network namespace does not exist.
        case unknownNamespace
        /// Not allowed: not root (`CAP_NET_ADMIN` over the namespace).
        case permissionDenied
        /// A system call failed (entering the namespace, creating the context), by errno.
        case system(errno: Int32)
    }

    public let code: Code
    /// What was attempted ("apply", "delete", "list").
    public let operation: String
    /// What it was attempted on ("table inet zmesh-ndmz").
    public let object: String
    /// The namespace, as ``SystemSupport/NetworkNamespace/label(_:)`` words it: `namespace NAME`,
    /// `namespace PATH`, or "the calling thread's namespace".
    public let namespace: String
    /// nftables' error output, or the reason the input was refused.
    public let reason: String

    public init(_ code: Code, operation: String, object: String, namespace: String, reason: String) {
        self.code = code
        self.operation = operation
        self.object = object
        self.namespace = namespace
        self.reason = reason
    }

    /// An input error raised by the pure rule-set generators (no namespace involved yet).
    static func invalid(_ object: String, _ reason: String) -> FirewallError {
        FirewallError(.invalidInput, operation: "build", object: object, namespace: "no namespace", reason: reason)
    }

    public var description: String { "\(operation) \(object) in \(namespace): \(reason)" }
}
