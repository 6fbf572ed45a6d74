internal import CNLRoute
public import SystemSupport

/// A subscription to link, address and route changes in one network namespace, delivered as an
/// `AsyncStream` — what the agent's drift repair listens to.
///
/// The netlink socket is created on a thread inside the namespace and joined to the rtnetlink
/// multicast groups before the monitor returns, so every change made after `init` is reported. A
/// dedicated OS thread (not a Swift-concurrency thread) blocks reading it. Events are buffered up
/// to `bufferLimit`; when the stream's buffer or the kernel's socket buffer overflows, the stream
/// carries ``NetworkEvent/eventsLost`` and the consumer should re-read the state. Listening needs
/// no privilege beyond being able to enter the namespace.
///
/// ```swift
/// let monitor = try NetworkEventMonitor(namespace: .named("n-abc"))
/// for await event in monitor.events {
///     if case .linkRemoved(let link) = event { repair(link) }
/// }
/// ```
public final class NetworkEventMonitor: Sendable {
    /// The events, in kernel order. One consumer.
    public let events: AsyncStream<NetworkEvent>
    /// The namespace, as errors name it.
    public let namespaceDescription: String
    private let wakeup: WakeupPipe
    private let worker: WorkerThread

    /// Subscribes to `kinds` of change in `namespace` (`nil`: the calling thread's namespace).
    ///
    /// - Throws: ``RouteNLError`` with `.unknownNamespace` when the namespace does not exist.
    public init(
        namespace: NetworkNamespace? = nil, kinds: NetworkEventKinds = [.links, .addresses], bufferLimit: Int = 4096
    ) throws(RouteNLError) {
        let label = NetworkNamespace.label(namespace)
        namespaceDescription = label
        let context = FailureContext(operation: "subscribe to", object: "network events", namespace: label)
        let recorder = KernelErrorRecorder()
        let socket = try LibNL.openSocket(in: namespace, recorder, context)
        let (stream, continuation) = AsyncStream.makeStream(
            of: NetworkEvent.self, bufferingPolicy: .bufferingOldest(max(bufferLimit, 1)))
        let receiver = EventReceiver(socket: socket.raw, continuation: continuation, recorder: recorder)
        do {
            try receiver.subscribe(kinds, context)
            // Names for address and route events: subscribed first, so nothing falls in between.
            receiver.names = Dictionary(
                try RouteNetlink(namespace: namespace).links().map { ($0.index, $0.name) },
                uniquingKeysWith: { first, _ in first })
            wakeup = try WakeupPipe()
        } catch let error as RouteNLError {
            throw error
        } catch {
            throw RouteNLError(
                .library(code: NLE_FAILURE), operation: context.operation, object: context.object, namespace: label,
                reason: "\(error)")
        }
        let wakeup = self.wakeup
        do {
            worker = try WorkerThread { receiver.run(until: wakeup) }
        } catch {
            throw RouteNLError(
                .kernel(errno: error.errno), operation: context.operation, object: context.object, namespace: label,
                reason: error.description)
        }
        continuation.onTermination = { _ in wakeup.wake() }
        events = stream
    }

    /// Stops listening: the reading thread ends and the stream finishes. Idempotent.
    public func stop() {
        wakeup.wake()
        worker.join()
    }

    deinit { stop() }
}

/// The reading side: owns the socket, used only by the worker thread once it runs (and by `init`
/// before it starts).
private final class EventReceiver: @unchecked Sendable {
    let socket: OpaquePointer
    let continuation: AsyncStream<NetworkEvent>.Continuation
    let recorder: KernelErrorRecorder
    /// Link names by index, for address and route events (which carry only the index).
    var names: [Int32: String] = [:]
    private var lostSinceLastYield = false

    init(socket: OpaquePointer, continuation: AsyncStream<NetworkEvent>.Continuation, recorder: KernelErrorRecorder) {
        self.socket = socket
        self.continuation = continuation
        self.recorder = recorder
    }

    deinit { nl_socket_free(socket) }

    /// Joins the multicast groups and installs the parsing callback.
    func subscribe(_ kinds: NetworkEventKinds, _ context: FailureContext) throws(RouteNLError) {
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

    /// Reads until `wakeup` fires or the socket fails for good, then finishes the stream.
    func run(until wakeup: WakeupPipe) {
        defer { continuation.finish() }
        let fd = nl_socket_get_fd(socket)
        var consecutiveFailures = 0
        while (try? wakeup.waitForReadable(fd)) == true {
            while true {
                let rc = nl_recvmsgs_default(socket)
                if rc >= 0 {
                    consecutiveFailures = 0
                    continue
                }
                if rc == -NLE_AGAIN { break }
                // ENOBUFS (libnl: NLE_NOMEM): the kernel dropped notifications.
                emit(.eventsLost)
                consecutiveFailures += 1
                if rc != -NLE_NOMEM && consecutiveFailures > 100 { return }
                break
            }
        }
    }

    /// One parsed object from a notification.
    func handle(_ object: OpaquePointer) {
        guard let typeName = nl_object_get_type(object) else { return }
        let type = String(cString: typeName)
        let message = nl_object_get_msgtype(object)
        switch (type, message) {
        case ("route/link", Int32(RTM_NEWLINK)):
            let link = LinkObject.link(object)
            names[link.index] = link.name
            emit(.linkUpdated(link))
        case ("route/link", Int32(RTM_DELLINK)):
            emit(.linkRemoved(LinkObject.link(object)))
        case ("route/addr", Int32(RTM_NEWADDR)):
            if let entry = AddressObject.entry(object, names: names) { emit(.addressAdded(entry)) }
        case ("route/addr", Int32(RTM_DELADDR)):
            if let entry = AddressObject.entry(object, names: names) { emit(.addressRemoved(entry)) }
        case ("route/route", Int32(RTM_NEWROUTE)):
            for route in RouteObject.routes(object, names: names) { emit(.routeAdded(route)) }
        case ("route/route", Int32(RTM_DELROUTE)):
            for route in RouteObject.routes(object, names: names) { emit(.routeRemoved(route)) }
        default:
            break
        }
    }

    /// Yields `event`; after a drop, the next successful yield is preceded by `.eventsLost`.
    private func emit(_ event: NetworkEvent) {
        if lostSinceLastYield {
            guard case .enqueued = continuation.yield(.eventsLost) else { return }
            lostSinceLastYield = false
            if event == .eventsLost { return }
        }
        if case .dropped = continuation.yield(event) { lostSinceLastYield = true }
    }
}
