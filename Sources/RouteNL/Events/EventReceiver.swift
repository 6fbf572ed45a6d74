internal import CNLRoute
import SystemSupport

/// The reading side of one event subscription: an rtnetlink socket in one namespace, joined to the
/// multicast groups of the asked kinds, non-blocking, with the parsing callback installed. Each
/// parsed event goes to `sink`. Used by one thread at a time (``NetworkEventMonitor``'s worker, or
/// ``NetworkEventHub``'s worker under its lock; the opener before handing it over). Freeing it
/// closes the socket — and drops the socket's reference to its namespace.
final class EventReceiver: @unchecked Sendable {
    let socket: OpaquePointer
    let recorder: KernelErrorRecorder
    /// Where events go; set before the first ``readPending()``.
    var sink: (NetworkEvent) -> Void = { _ in }
    /// Link names by index, for address and route events (which carry only the index).
    private var names: [Int32: String] = [:]
    private var consecutiveFailures = 0

    private init(socket: OpaquePointer, recorder: KernelErrorRecorder) {
        self.socket = socket
        self.recorder = recorder
    }

    deinit { nl_socket_free(socket) }

    /// The socket's descriptor, to wait on.
    var descriptor: Int32 { nl_socket_get_fd(socket) }

    /// Opens a socket inside `namespace` (`nil`: the calling thread's), subscribes it to `kinds`, then
    /// reads the link names — subscribed first, so no change falls in between.
    static func open(in namespace: NetworkNamespace?, kinds: NetworkEventKinds) throws(RouteNLError) -> EventReceiver {
        let label = NetworkNamespace.label(namespace)
        let context = FailureContext(operation: "subscribe to", object: "network events", namespace: label)
        let recorder = KernelErrorRecorder()
        let socket = try LibNL.openSocket(in: namespace, recorder, context)
        let receiver = EventReceiver(socket: socket.raw, recorder: recorder)
        try receiver.subscribe(kinds, context)
        let links = try RouteNetlink(namespace: namespace).links()
        receiver.names = Dictionary(links.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
        return receiver
    }

    /// Joins the multicast groups and installs the parsing callback.
    private func subscribe(_ kinds: NetworkEventKinds, _ context: FailureContext) throws(RouteNLError) {
        nl_socket_disable_seq_check(socket)
        var groups: [Int32] = []
        if kinds.contains(.links) { groups.append(Int32(RTNLGRP_LINK.rawValue)) }
        if kinds.contains(.addresses) {
            groups += [Int32(RTNLGRP_IPV4_IFADDR.rawValue), Int32(RTNLGRP_IPV6_IFADDR.rawValue)]
        }
        if kinds.contains(.routes) {
            groups += [Int32(RTNLGRP_IPV4_ROUTE.rawValue), Int32(RTNLGRP_IPV6_ROUTE.rawValue)]
        }
        for group in groups {
            try LibNL.check(nl_socket_add_membership(socket, group), context, recorder)
        }
        try LibNL.check(nl_socket_set_nonblocking(socket), context, recorder)
        let callback: nl_recvmsg_msg_cb_t = { message, argument in
            guard let message, let argument else { return Int32(NL_OK.rawValue) }
            _ = nl_msg_parse(
                message,
                { object, argument in
                    guard let object, let argument else { return }
                    Unmanaged<EventReceiver>.fromOpaque(argument).takeUnretainedValue().handle(object)
                }, argument)
            return Int32(NL_OK.rawValue)
        }
        try LibNL.check(
            nl_socket_modify_cb(socket, NL_CB_VALID, NL_CB_CUSTOM, callback, Unmanaged.passUnretained(self).toOpaque()),
            context, recorder)
    }

    /// Reads and parses everything queued on the socket (it never blocks). A kernel overflow
    /// (ENOBUFS) becomes ``NetworkEvent/eventsLost``. `false` when the socket keeps failing (more
    /// than 100 failures in a row other than overflows): stop reading it.
    func readPending() -> Bool {
        while true {
            let rc = nl_recvmsgs_default(socket)
            if rc >= 0 {
                consecutiveFailures = 0
                continue
            }
            if rc == -NLE_AGAIN { return true }
            // ENOBUFS (libnl: NLE_NOMEM): the kernel dropped notifications.
            sink(.eventsLost)
            consecutiveFailures += 1
            return rc == -NLE_NOMEM || consecutiveFailures <= 100
        }
    }

    /// One parsed object from a notification.
    private func handle(_ object: OpaquePointer) {
        guard let typeName = nl_object_get_type(object) else { return }
        let type = String(cString: typeName)
        let message = nl_object_get_msgtype(object)
        switch (type, message) {
        case ("route/link", Int32(RTM_NEWLINK)):
            let link = LinkObject.link(object)
            names[link.index] = link.name
            sink(.linkUpdated(link))
        case ("route/link", Int32(RTM_DELLINK)):
            sink(.linkRemoved(LinkObject.link(object)))
        case ("route/addr", Int32(RTM_NEWADDR)):
            if let entry = AddressObject.entry(object, names: names) { sink(.addressAdded(entry)) }
        case ("route/addr", Int32(RTM_DELADDR)):
            if let entry = AddressObject.entry(object, names: names) { sink(.addressRemoved(entry)) }
        case ("route/route", Int32(RTM_NEWROUTE)):
            for route in RouteObject.routes(object, names: names) { sink(.routeAdded(route)) }
        case ("route/route", Int32(RTM_DELROUTE)):
            for route in RouteObject.routes(object, names: names) { sink(.routeRemoved(route)) }
        default:
            break
        }
    }
}
