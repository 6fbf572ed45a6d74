internal import CNLRoute
public import SystemSupport
import Synchronization

/// An rtnetlink connection (libnl-route-3) bound to one network namespace: links, addresses and
/// routes of that namespace, the `ip link` / `ip address` / `ip route` vocabulary.
///
/// The socket is created on a dedicated thread that has entered the namespace, and keeps operating
/// on that namespace from whichever thread uses it afterwards (a netlink socket belongs to the
/// namespace it was created in). Calls are synchronous, complete exchanges, serialised by a lock.
/// Changing anything needs `CAP_NET_ADMIN` over the namespace (root); listing does not.
///
/// ```swift
/// let rt = try RouteNetlink(namespace: .named("n-abc"))
/// try rt.createBridge(try InterfaceName("b-abc"), up: true)
/// try rt.addAddress(try InterfaceAddress("10.1.1.1/24"), to: try InterfaceName("b-abc"))
/// ```
public final class RouteNetlink: Sendable {
    /// The namespace this connection works on; `nil`: the one of the thread that created it.
    public let namespace: NetworkNamespace?
    /// How errors name the namespace (``SystemSupport/NetworkNamespace/label(_:)``).
    public let namespaceDescription: String
    private let state: Mutex<Connection>

    /// Opens a connection to `namespace` (`nil`: the calling thread's namespace).
    ///
    /// - Throws: ``RouteNLError`` with `.unknownNamespace` when the namespace does not exist,
    ///   `.permissionDenied` when it cannot be entered.
    public init(namespace: NetworkNamespace? = nil) throws(RouteNLError) {
        self.namespace = namespace
        let label = NetworkNamespace.label(namespace)
        namespaceDescription = label
        let recorder = KernelErrorRecorder()
        let context = FailureContext(operation: "open rtnetlink connection", object: "", namespace: label)
        let socket = try LibNL.openSocket(in: namespace, recorder, context)
        state = Mutex(Connection(socket: socket.raw, recorder: recorder, namespace: label))
    }

    deinit {
        state.withLock { nl_socket_free($0.socket) }
    }

    /// Runs `body` with the socket, holding the lock; resets the recorded kernel error first.
    func withConnection<T: Sendable>(_ body: (borrowing Connection) throws(RouteNLError) -> T) throws(RouteNLError) -> T {
        try state.withLock { (connection: inout Connection) throws(RouteNLError) -> T in
            connection.recorder.reset()
            return try body(connection)
        }
    }
}

/// The socket and its error recorder, only touched under ``RouteNetlink``'s lock.
struct Connection {
    let socket: OpaquePointer
    let recorder: KernelErrorRecorder
    let namespace: String

    /// Throws a ``RouteNLError`` for a negative libnl return value.
    func check(_ rc: Int32, _ operation: String, _ object: @autoclosure () -> String) throws(RouteNLError) {
        guard rc < 0 else { return }
        throw failure(rc, operation, object())
    }

    func failure(_ rc: Int32, _ operation: String, _ object: String) -> RouteNLError {
        LibNL.failure(rc, FailureContext(operation: operation, object: object, namespace: namespace), recorder)
    }

    /// An error raised before anything was sent (bad input, out of memory).
    func refusal(_ code: RouteNLError.Code, _ operation: String, _ object: String, _ reason: String) -> RouteNLError {
        RouteNLError(code, operation: operation, object: object, namespace: namespace, reason: reason)
    }
}
