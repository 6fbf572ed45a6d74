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
/// A monitor holds a reference to its namespace: a namespace deleted under it (`ip netns del`) lives
/// on, emptied of nothing, until the monitor stops. ``sync(wanted:recreated:)`` therefore stops
/// monitors of namespaces that vanished from `/run/netns` and restarts those the agent re-created
/// (after every reconcile), and ``dropVanished()`` runs before each timed repair, so the old
/// namespace is freed before a new one is made, and the new one is watched.
final class DriftWatch: Sendable {
    private typealias Entry = (monitor: NetworkEventMonitor, task: Task<Void, Never>)
    private struct State: ~Copyable {
        var monitors: [String: Entry] = [:]
        var publicSide: Entry?
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

    /// Watches exactly the `wanted` agent namespaces that exist (and the public side); restarts the
    /// monitors of `recreated` namespaces and of vanished ones.
    /// Blocking (sockets opened in namespaces): call it off the cooperative pool.
    func sync(wanted: Set<String>, recreated: Set<String>) {
        state.withLock { state in
            guard !state.stopped else { return }
            if state.publicSide == nil {
                state.publicSide = start(
                    layout.namespace(layout.publicSide), label: layout.publicSide.description, publicSide: true)
            }
            for (name, entry) in state.monitors
            where !wanted.contains(name) || recreated.contains(name)
                || !NetworkNamespace.exists(named: layout.hostName(of: name))
            {
                Self.stop(entry)
                state.monitors[name] = nil
            }
            for name in wanted.sorted()
            where state.monitors[name] == nil && NetworkNamespace.exists(named: layout.hostName(of: name)) {
                state.monitors[name] = start(layout.namespace(.named(name)), label: name, publicSide: false)
            }
        }
    }

    /// Stops the monitors of namespaces that vanished from `/run/netns`, so that a namespace deleted
    /// under the agent is freed before the agent makes it again.
    func dropVanished() {
        state.withLock { state in
            for (name, entry) in state.monitors where !NetworkNamespace.exists(named: layout.hostName(of: name)) {
                Self.stop(entry)
                state.monitors[name] = nil
            }
        }
    }

    /// Stops every monitor, for good.
    func stopAll() {
        state.withLock { state in
            for entry in state.monitors.values { Self.stop(entry) }
            state.monitors = [:]
            if let publicSide = state.publicSide { Self.stop(publicSide) }
            state.publicSide = nil
            state.stopped = true
        }
        kicks.finish()
    }

    private static func stop(_ entry: Entry) {
        entry.task.cancel()
        entry.monitor.stop()
    }

    private func start(_ namespace: NetworkNamespace?, label: String, publicSide: Bool) -> Entry? {
        let monitor: NetworkEventMonitor
        do { monitor = try NetworkEventMonitor(namespace: namespace, kinds: [.links, .addresses, .routes]) } catch {
            logger.debug("cannot watch events", metadata: ["namespace": "\(label)", "error": "\(error)"])
            return nil
        }
        let kicks = self.kicks
        let events = monitor.events
        let task = Task.detached { await forwardDrift(events, to: kicks, publicSide: publicSide) }
        return (monitor, task)
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
private func forwardDrift(
    _ events: AsyncStream<NetworkEvent>, to kicks: AsyncStream<Void>.Continuation, publicSide: Bool
) async {
    for await event in events {
        if DriftWatch.isDrift(event, publicSide: publicSide) { kicks.yield() }
    }
}
