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
        let receiver = try EventReceiver.open(in: namespace, kinds: kinds)
        let (stream, continuation) = AsyncStream.makeStream(
            of: NetworkEvent.self, bufferingPolicy: .bufferingOldest(max(bufferLimit, 1)))
        let yielder = LossAwareYielder(continuation)
        receiver.sink = { yielder.emit($0) }
        let wakeup: WakeupPipe
        do { wakeup = try WakeupPipe() } catch {
            throw RouteNLError(
                .kernel(errno: error.errno), operation: context.operation, object: context.object, namespace: label,
                reason: error.description)
        }
        self.wakeup = wakeup
        do {
            worker = try WorkerThread {
                defer { continuation.finish() }
                while (try? wakeup.waitForReadable(receiver.descriptor)) == true {
                    if !receiver.readPending() { return }
                }
            }
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

/// Yields events; after a drop (the stream's buffer is full), the next successful yield is
/// preceded by `.eventsLost`. Used by the worker thread only.
private final class LossAwareYielder: @unchecked Sendable {
    private let continuation: AsyncStream<NetworkEvent>.Continuation
    private var lostSinceLastYield = false

    init(_ continuation: AsyncStream<NetworkEvent>.Continuation) { self.continuation = continuation }

    func emit(_ event: NetworkEvent) {
        if lostSinceLastYield {
            guard case .enqueued = continuation.yield(.eventsLost) else { return }
            lostSinceLastYield = false
            if event == .eventsLost { return }
        }
        if case .dropped = continuation.yield(event) { lostSinceLastYield = true }
    }
}
