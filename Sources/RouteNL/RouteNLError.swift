/// Why a link, address or route operation failed: what was attempted, on which object, in which
/// network namespace, and the kernel's (or libnl's) reason.
///
/// Names the kernel would refuse never get this far: the API takes ``ZmeshModel/InterfaceName``
/// values, whose parser refuses names over 15 bytes (and `/`, `:`, whitespace) with a
/// ``ZmeshModel/ParseError`` before any request exists.
public struct RouteNLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for callers that react to it (`exists` → adopt, `noSuchDevice` → create).
    public enum Code: Sendable, Hashable {
        /// The object already exists (`EEXIST`): a link name taken, an address or route present.
        case exists
        /// No link of that name or index (`ENODEV`).
        case noSuchDevice
        /// No such address or route (`ENOENT`, `ESRCH`, `EADDRNOTAVAIL`).
        case notFound
        /// Not allowed (`EPERM`, `EACCES`): not root, or no `CAP_NET_ADMIN` over the namespace.
        case permissionDenied
        /// The object is in use (`EBUSY`): renaming a link that is up, for instance.
        case busy
        /// The kernel cannot do it (`EOPNOTSUPP`): an unknown link kind (no module), a master that
        /// does not take ports.
        case notSupported
        /// The kernel refused the request's contents (`EINVAL`, `ERANGE`).
        case invalidArgument
        /// The network namespace does not exist (its `/run/netns/NAME` file is missing).
        case unknownNamespace
        /// Another kernel error, by errno.
        case kernel(errno: Int32)
        /// A libnl failure that is not a kernel error (`NLE_*` code, positive).
        case library(code: Int32)
    }

    public let code: Code
    /// What was attempted, in `ip` terms ("create veth", "add address", "list links").
    public let operation: String
    /// What it was attempted on ("link br-1", "address 10.1.1.1/24 on br-1", "route default via …").
    public let object: String
    /// The namespace, as ``SystemSupport/NetworkNamespace/label(_:)`` words it: `namespace NAME`,
    /// `namespace PATH`, or "the calling thread's namespace".
    public let namespace: String
    /// The kernel's extended-ACK message when it sent one, otherwise the errno or libnl text.
    public let reason: String

    public init(_ code: Code, operation: String, object: String, namespace: String, reason: String) {
        self.code = code
        self.operation = operation
        self.object = object
        self.namespace = namespace
        self.reason = reason
    }

    public var description: String {
        let what = object.isEmpty ? operation : "\(operation) \(object)"
        return "\(what) in \(namespace): \(reason)"
    }
}
