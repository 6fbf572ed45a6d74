import Synchronization
public import SystemSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A ``NetworkEvent`` and the key of the namespace it happened in (as given to
/// ``NetworkEventHub/watch(_:as:kinds:)``).
public struct TaggedNetworkEvent: Sendable, Hashable, CustomStringConvertible {
    public let namespace: String
    public let event: NetworkEvent

    public init(namespace: String, event: NetworkEvent) {
        self.namespace = namespace
        self.event = event
    }

    public var description: String { "[\(namespace)] \(event)" }
}

/// Link, address and route events of many namespaces on **one** OS thread: one `poll` over one
/// rtnetlink socket per watched namespace and a wakeup pipe, every event tagged with its
/// namespace's key, all in one `AsyncStream`. Namespaces are added and removed while it runs.
/// (``NetworkEventMonitor`` is one namespace, one thread.)
///
/// Each socket is opened inside its namespace and subscribed before ``watch(_:as:kinds:)`` returns,
/// so every change made after that is reported. After ``unwatch(_:)`` returns, no event of that key
/// is yielded any more (events yielded before may still be in the stream) and its socket is closed
/// and released by the thread's `poll` — so the socket no longer keeps a deleted namespace alive.
/// When the stream's buffer or a socket's kernel buffer overflows, the stream carries
/// ``NetworkEvent/eventsLost`` tagged with the namespace(s) concerned.
///
/// ```swift
/// let hub = try NetworkEventHub()
/// try hub.watch(.named("n-abc"), as: "n-abc", kinds: [.links, .routes])
/// for await tagged in hub.events { if case .linkRemoved = tagged.event { repair(tagged.namespace) } }
/// ```
public final class NetworkEventHub: Sendable {
    /// The events of every watched namespace, each namespace's in kernel order. One consumer.
    public let events: AsyncStream<TaggedNetworkEvent>
    private let core: HubCore
    private let worker: WorkerThread

    /// Starts the thread; nothing is watched yet.
    public init(bufferLimit: Int = 4096) throws(RouteNLError) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: TaggedNetworkEvent.self, bufferingPolicy: .bufferingOldest(max(bufferLimit, 1)))
        let core: HubCore
        do { core = try HubCore(continuation: continuation) } catch {
            throw Self.failure("start", "event hub", error)
        }
        do { worker = try WorkerThread { core.run() } } catch {
            throw Self.failure("start", "event hub thread", error)
        }
        self.core = core
        continuation.onTermination = { _ in core.requestStop() }
        events = stream
    }

    /// Watches `kinds` of change in `namespace` (`nil`: the calling thread's), its events tagged
    /// `key`. A key already watched is replaced (its old socket closed first). Blocking: the socket
    /// is opened on a thread inside the namespace.
    ///
    /// - Throws: ``RouteNLError`` with `.unknownNamespace` when the namespace does not exist,
    ///   `.kernel(errno: ECANCELED)` when the hub has stopped (or its stream was cancelled).
    public func watch(
        _ namespace: NetworkNamespace?, as key: String, kinds: NetworkEventKinds = [.links, .addresses]
    ) throws(RouteNLError) {
        unwatch(key)
        let receiver = try EventReceiver.open(in: namespace, kinds: kinds)
        guard core.add(receiver, key: key) else {
            throw RouteNLError(
                .kernel(errno: ECANCELED), operation: "subscribe to", object: "network events",
                namespace: NetworkNamespace.label(namespace), reason: "the event hub has stopped")
        }
    }

    /// Stops watching `key`: when it returns, no event of it is yielded any more and its socket is
    /// closed and out of the thread's `poll`. Returns whether `key` was watched.
    @discardableResult
    public func unwatch(_ key: String) -> Bool {
        core.remove(key)
    }

    /// The keys watched now.
    public var watched: Set<String> { core.keys }

    /// Stops the thread, closes every socket and finishes the stream. Idempotent.
    public func stop() {
        core.requestStop()
        worker.join()
    }

    deinit { stop() }

    private static func failure(_ operation: String, _ object: String, _ error: SystemError) -> RouteNLError {
        RouteNLError(
            .kernel(errno: error.errno), operation: operation, object: object, namespace: NetworkNamespace.label(nil),
            reason: error.description)
    }
}

/// What the hub's thread and its callers share. The receivers are read, added and removed only with
/// `state` locked, so a receiver is never freed while the thread reads it.
private final class HubCore: Sendable {
    private struct Entry {
        let key: String
        let receiver: EventReceiver
        /// Out of the poll set after failing for good (an `eventsLost` was sent).
        var failed = false
    }

    private struct State: ~Copyable {
        var entries: [UInt64: Entry] = [:]
        var idsByKey: [String: UInt64] = [:]
        var nextID: UInt64 = 1
        /// Incremented each time the thread builds its poll set: a removal waits for the next one.
        var round: UInt64 = 0
        var stopRequested = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let emitter: TaggedEmitter
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(continuation: AsyncStream<TaggedNetworkEvent>.Continuation) throws(SystemError) {
        (wakeRead, wakeWrite) = try Descriptors.pipe("event hub wakeup")
        for fd in [wakeRead, wakeWrite] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        emitter = TaggedEmitter(continuation)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    var keys: Set<String> { state.withLock { Set($0.idsByKey.keys) } }

    /// Adds `receiver` under `key`; `false` when the hub has stopped (the receiver is dropped).
    func add(_ receiver: EventReceiver, key: String) -> Bool {
        let emitter = self.emitter
        receiver.sink = { emitter.emit(key, $0) }
        let added = state.withLock { state -> Bool in
            guard !state.stopped, !state.stopRequested else { return false }
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(key: key, receiver: receiver)
            state.idsByKey[key] = id
            return true
        }
        if added { wake() }
        return added
    }

    /// Removes `key`, then waits (up to 5 s) until the thread has left the `poll` that may still
    /// hold the socket.
    func remove(_ key: String) -> Bool {
        let round: UInt64? = state.withLock { state in
            guard let id = state.idsByKey.removeValue(forKey: key) else { return nil }
            state.entries[id] = nil  // frees the receiver: closes the socket
            emitter.forget(key)
            return state.round
        }
        guard let round else { return false }
        wake()
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.round != round || $0.stopped }) { break }
            usleep(1000)
        }
        return true
    }

    func requestStop() {
        state.withLock { $0.stopRequested = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// The thread: poll the wakeup pipe and every socket; read what is ready; rebuild the set.
    func run() {
        defer { shutDown() }
        while true {
            let (watched, stop) = state.withLock { state -> ([(id: UInt64, fd: Int32)], Bool) in
                state.round &+= 1
                let watched = state.entries.filter { !$0.value.failed }.map { (id: $0.key, fd: $0.value.receiver.descriptor) }
                return (watched, state.stopRequested)
            }
            if stop { return }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += watched.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let rc = poll(&fds, nfds_t(fds.count), -1)
            if rc < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 { drainWakeups() }
            for (index, entry) in watched.enumerated() where fds[index + 1].revents != 0 {
                readReady(entry.id)
            }
        }
    }

    /// Reads a ready socket, if it is still watched (it may have been removed since the poll began).
    private func readReady(_ id: UInt64) {
        state.withLock { state in
            guard let entry = state.entries[id], !entry.failed else { return }
            if !entry.receiver.readPending() {
                state.entries[id]?.failed = true
                emitter.emit(entry.key, .eventsLost)
            }
        }
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Frees every receiver, then finishes the stream (unlocked: finishing calls `onTermination`,
    /// which locks).
    private func shutDown() {
        state.withLock { state in
            state.stopped = true
            state.entries = [:]
            state.idsByKey = [:]
            emitter.forgetAll()
        }
        emitter.finish()
    }
}

/// Yields tagged events; a namespace whose event was dropped (the stream's buffer was full) gets a
/// tagged `.eventsLost` before anything else is yielded. Used only with the hub's state locked.
private final class TaggedEmitter: @unchecked Sendable {
    private let continuation: AsyncStream<TaggedNetworkEvent>.Continuation
    private var lost: [String] = []

    init(_ continuation: AsyncStream<TaggedNetworkEvent>.Continuation) { self.continuation = continuation }

    func emit(_ key: String, _ event: NetworkEvent) {
        var flushedKey = false
        while let first = lost.first {
            guard case .enqueued = continuation.yield(TaggedNetworkEvent(namespace: first, event: .eventsLost)) else {
                markLost(key)
                return
            }
            lost.removeFirst()
            if first == key { flushedKey = true }
        }
        if event == .eventsLost && flushedKey { return }
        if case .dropped = continuation.yield(TaggedNetworkEvent(namespace: key, event: event)) { markLost(key) }
    }

    /// A removed namespace gets no `eventsLost` any more.
    func forget(_ key: String) { lost.removeAll { $0 == key } }

    func forgetAll() { lost = [] }

    /// Finishes the stream; safe without the lock (the continuation is thread-safe).
    func finish() { continuation.finish() }

    private func markLost(_ key: String) {
        if !lost.contains(key) { lost.append(key) }
    }
}
