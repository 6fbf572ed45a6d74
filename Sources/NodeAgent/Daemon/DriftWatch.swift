import Logging
import Synchronization
import NodeState
import RouteNL
import SystemSupport
import ZmeshModel

/// Listens to link, address and route events where the agent's objects live — the public side
/// (only its `w-<id>` links), the ndmz and each NR namespace — and signals `kicks` when something of
/// the agent's may have been taken away. Kicks coalesce (the stream keeps one), so a burst of events
/// (a deleted namespace, or the agent's own changes) makes one re-read.
///
/// All namespaces share one ``RouteNL/NetworkEventHub``: one OS thread and one socket per namespace
/// (not a thread per namespace: each thread costs its stack and, with glibc, a malloc arena).
/// A socket holds a reference to its namespace: a namespace deleted under it (`ip netns del`) lives
/// on, emptied of nothing, until the socket is closed. ``sync(wanted:recreated:)`` therefore unwatches
/// namespaces that vanished from `/run/netns` and re-watches those the agent re-created (after every
/// reconcile), and ``dropVanished()`` runs before each timed repair, so the old namespace is freed
/// before a new one is made, and the new one is watched.
final class DriftWatch: Sendable {
    /// The public side's key in the hub: no namespace name holds a `/`.
    static let publicSideKey = "/public-side"

    private struct State: ~Copyable {
        var hub: NetworkEventHub?
        var forwarder: Task<Void, Never>?
        /// `/run/netns`: a deleted namespace of the agent's kicks a repair at once.
        var directory: DirectoryWatch?
        var directoryForwarder: Task<Void, Never>?
        var stopped = false
    }

    private let layout: NodeLayout
    private let logger: Logger
    private let kicks: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    init(layout: NodeLayout, logger: Logger, kicks: AsyncStream<Void>.Continuation) {
        self.layout = layout
        self.logger = logger
        self.kicks = kicks
    }

    /// Watches exactly the `wanted` agent namespaces that exist (and the public side); re-watches
    /// `recreated` namespaces and drops vanished ones.
    /// Blocking (sockets opened in namespaces): call it off the cooperative pool.
    func sync(wanted: Set<String>, recreated: Set<String>) {
        state.withLock { state in
            guard !state.stopped, let hub = hub(&state) else { return }
            watchDirectory(&state)
            var watched = hub.watched
            if !watched.contains(Self.publicSideKey) {
                watch(hub, layout.namespace(layout.publicSide), key: Self.publicSideKey, label: layout.publicSide.description)
            }
            watched.remove(Self.publicSideKey)
            for name in watched
            where !wanted.contains(name) || recreated.contains(name)
                || !NetworkNamespace.exists(named: layout.hostName(of: name))
            {
                hub.unwatch(name)
            }
            let remaining = hub.watched
            for name in wanted.sorted()
            where !remaining.contains(name) && NetworkNamespace.exists(named: layout.hostName(of: name)) {
                watch(hub, layout.namespace(.named(name)), key: name, label: name)
            }
        }
    }

    /// Unwatches namespaces that vanished from `/run/netns`, so that a namespace deleted under the
    /// agent is freed before the agent makes it again.
    func dropVanished() {
        state.withLock { state in
            guard let hub = state.hub else { return }
            for name in hub.watched
            where name != Self.publicSideKey && !NetworkNamespace.exists(named: layout.hostName(of: name)) {
                hub.unwatch(name)
            }
        }
    }

    /// Stops watching, for good.
    func stopAll() {
        state.withLock { state in
            state.forwarder?.cancel()
            state.hub?.stop()
            state.forwarder = nil
            state.hub = nil
            state.directoryForwarder?.cancel()
            state.directory?.stop()
            state.directoryForwarder = nil
            state.directory = nil
            state.stopped = true
        }
        kicks.finish()
    }

    /// The hub, started on first use (with the task forwarding its drift to `kicks`).
    private func hub(_ state: inout State) -> NetworkEventHub? {
        if let hub = state.hub { return hub }
        let hub: NetworkEventHub
        do { hub = try NetworkEventHub() } catch {
            logger.warning("cannot watch network events", metadata: ["error": "\(error)"])
            return nil
        }
        let (kicks, events) = (self.kicks, hub.events)
        state.forwarder = Task.detached { await forwardDrift(events, to: kicks) }
        state.hub = hub
        return hub
    }

    /// Starts watching the named-namespace directory, once: started after the first reconcile, when the
    /// directory exists (and, if iproute2 bind-mounts it onto itself, already has).
    private func watchDirectory(_ state: inout State) {
        guard state.directory == nil else { return }
        let watch: DirectoryWatch
        do { watch = try DirectoryWatch(directory: NetworkNamespace.namedDirectory) } catch {
            logger.debug("cannot watch the named namespaces", metadata: ["error": "\(error)"])
            return
        }
        let (kicks, layout) = (self.kicks, self.layout)
        state.directoryForwarder = Task.detached {
            for await name in watch.removals {
                guard let agentName = layout.agentName(of: name), Ownership.ownsNamespace(agentName) else { continue }
                kicks.yield()
            }
        }
        state.directory = watch
    }

    private func watch(_ hub: NetworkEventHub, _ namespace: NetworkNamespace?, key: String, label: String) {
        do { try hub.watch(namespace, as: key, kinds: [.links, .addresses, .routes]) } catch {
            logger.debug("cannot watch events", metadata: ["namespace": "\(label)", "error": "\(error)"])
        }
    }

    /// Whether `event` may mean that something of the agent's went away or went down.
    static func isDrift(_ event: NetworkEvent, publicSide: Bool) -> Bool {
        switch event {
        case .linkRemoved(let link), .linkUpdated(let link):
            if publicSide {
                // On the public side the agent has only its WireGuard links, and only while creating them.
                guard let name = try? InterfaceName(link.name), Ownership.networkID(ofWireGuard: name) != nil else {
                    return false
                }
            }
            if case .linkUpdated = event { return !link.isUp }
            return true
        case .addressRemoved, .routeRemoved:
            return !publicSide
        case .eventsLost:
            return true
        case .addressAdded, .routeAdded:
            return false
        }
    }
}

/// Kicks `kicks` for each event of `events` that may be drift.
private func forwardDrift(_ events: AsyncStream<TaggedNetworkEvent>, to kicks: AsyncStream<Void>.Continuation) async {
    for await tagged in events {
        if DriftWatch.isDrift(tagged.event, publicSide: tagged.namespace == DriftWatch.publicSideKey) { kicks.yield() }
    }
}
