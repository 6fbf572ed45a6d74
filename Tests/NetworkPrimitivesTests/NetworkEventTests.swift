import RouteNL
import Synchronization
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

@Suite("Link, address and route events", .requiresNetworkPrivileges)
struct NetworkEventTests {
    @Test func deletingALinkAndAnAddressYieldsEvents() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let ns = try f.fixture.namespace("a")
        let name = f.fixture.namespaceName("a")
        let monitor = try NetworkEventMonitor(namespace: ns)
        defer { monitor.stop() }
        let events = EventCollector(monitor)
        let br = try f.fixture.linkName("br")
        let brName = br.rawValue

        // Changes made by another program (iproute2) are seen too.
        try ShellCommand.run(["ip", "-n", name, "link", "add", brName, "type", "bridge"])
        let added = await events.next { if case .linkUpdated(let link) = $0 { link.name == brName } else { false } }
        guard case .linkUpdated(let link) = added else {
            Issue.record("no event for the new link")
            return
        }
        #expect(link.kind == .bridge)

        try ShellCommand.run(["ip", "-n", name, "address", "add", "10.7.7.1/24", "dev", brName])
        let address = await events.next {
            if case .addressAdded(let entry) = $0 { entry.address.description == "10.7.7.1/24" } else { false }
        }
        guard case .addressAdded(let entry) = address else {
            Issue.record("no event for the new address")
            return
        }
        #expect(entry.interfaceName == brName)

        try ShellCommand.run(["ip", "-n", name, "address", "del", "10.7.7.1/24", "dev", brName])
        let removedAddress = await events.next {
            if case .addressRemoved(let entry) = $0 { entry.address.description == "10.7.7.1/24" && entry.interfaceName == brName } else { false }
        }
        #expect(removedAddress != nil)

        try RouteNetlink(namespace: ns).deleteLink(br)
        let removed = await events.next { if case .linkRemoved(let link) = $0 { link.name == brName } else { false } }
        #expect(removed != nil)
    }

    @Test func upDownAndMTUChangesArriveAsUpdates() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let ns = try f.fixture.namespace("a")
        let rt = try RouteNetlink(namespace: ns)
        let br = try f.fixture.linkName("br")
        try rt.createBridge(br)
        let monitor = try NetworkEventMonitor(namespace: ns, kinds: [.links])
        defer { monitor.stop() }
        let events = EventCollector(monitor)
        try rt.setMTU(br, 1300)
        let mtu = await events.next { if case .linkUpdated(let link) = $0 { link.mtu == 1300 } else { false } }
        #expect(mtu != nil)
        try rt.setUp(br)
        let up = await events.next { if case .linkUpdated(let link) = $0 { link.isUp } else { false } }
        #expect(up != nil)
    }

    /// A wait that gives up must not end the stream for the waits after it.
    @Test func aWaitThatTimesOutLeavesTheStreamUsable() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let ns = try f.fixture.namespace("a")
        let rt = try RouteNetlink(namespace: ns)
        let monitor = try NetworkEventMonitor(namespace: ns, kinds: [.links])
        defer { monitor.stop() }
        let events = EventCollector(monitor)
        let never = await events.next(within: .milliseconds(300)) { if case .linkRemoved = $0 { true } else { false } }
        #expect(never == nil)
        let br = try f.fixture.linkName("br")
        let brName = br.rawValue
        try rt.createBridge(br)
        let added = await events.next { if case .linkUpdated(let link) = $0 { link.name == brName } else { false } }
        #expect(added != nil)
    }

    @Test func routeEventsWhenAsked() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let ns = try f.fixture.namespace("a")
        let rt = try RouteNetlink(namespace: ns)
        let br = try f.fixture.linkName("br")
        try rt.createBridge(br, up: true)
        try rt.addAddress(try InterfaceAddress("10.8.0.1/24"), to: br)
        let monitor = try NetworkEventMonitor(namespace: ns, kinds: [.routes])
        defer { monitor.stop() }
        let events = EventCollector(monitor)
        let route = Route(destination: try IPPrefix("10.9.0.0/16"), gateway: try IPAddress("10.8.0.2"))
        try rt.addRoute(route)
        let added = await events.next { if case .routeAdded(let seen) = $0 { seen.destination == route.destination } else { false } }
        #expect(added != nil)
        try rt.deleteRoute(route)
        let removed = await events.next { if case .routeRemoved(let seen) = $0 { seen.destination == route.destination } else { false } }
        #expect(removed != nil)
    }

    @Test func stoppingEndsTheStream() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let monitor = try NetworkEventMonitor(namespace: try f.fixture.namespace("a"))
        monitor.stop()
        var count = 0
        for await _ in monitor.events { count += 1 }
        #expect(count == 0)
        monitor.stop()  // idempotent
    }

    @Test func eventsOfOtherNamespacesAreNotSeen() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let a = try f.fixture.namespace("a")
        let b = try f.fixture.namespace("b")
        let monitor = try NetworkEventMonitor(namespace: a, kinds: [.links])
        defer { monitor.stop() }
        let events = EventCollector(monitor)
        let other = try f.fixture.linkName("other")
        let otherName = other.rawValue
        try RouteNetlink(namespace: b).createBridge(other)
        let mine = try f.fixture.linkName("mine")
        try RouteNetlink(namespace: a).createBridge(mine)
        let mineName = mine.rawValue
        let first = await events.next { if case .linkUpdated(let link) = $0 { link.name == mineName || link.name == otherName } else { false } }
        guard case .linkUpdated(let link) = first else {
            Issue.record("no event at all")
            return
        }
        #expect(link.name == mineName)
    }
}

/// The one consumer of a monitor's stream for a whole test: a task appends every event to a list
/// behind a lock, and ``next(within:matching:)`` looks through it until a deadline. Nothing ever
/// cancels the consuming task — cancelling a task that iterates an `AsyncStream` finishes the
/// stream, and every later wait would then see nothing. The task ends when the monitor stops.
final class EventCollector: Sendable {
    private struct Log {
        var events: [NetworkEvent] = []
        /// Events before this index were looked at by an earlier wait.
        var consumed = 0
        var finished = false
    }

    private final class Shared: Sendable {
        let log = Mutex(Log())
    }

    private let shared = Shared()

    init(_ monitor: NetworkEventMonitor) {
        let shared = self.shared
        Task {
            for await event in monitor.events { shared.log.withLock { $0.events.append(event) } }
            shared.log.withLock { $0.finished = true }
        }
    }

    /// The first event not looked at yet that satisfies `matching`, waiting up to `timeout` for it;
    /// `nil` when none came (or the stream finished). Events passed over are not looked at again.
    func next(within timeout: Duration = .seconds(5), matching: (NetworkEvent) -> Bool) async -> NetworkEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, finished) = shared.log.withLock { log -> (NetworkEvent?, Bool) in
                while log.consumed < log.events.count {
                    let event = log.events[log.consumed]
                    log.consumed += 1
                    if matching(event) { return (event, false) }
                }
                return (nil, log.finished)
            }
            if let found { return found }
            if finished || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// ``NamespaceFixture`` for async tests, where `with { }` cannot wrap an `await`: cleanups and the
/// leak check run in ``finish()`` (called from `defer`), and a leak is recorded as an issue.
final class NamespaceFixtureBox: @unchecked Sendable {
    let fixture = NamespaceFixture.unscoped()

    func finish() {
        let problems = fixture.finish()
        if !problems.isEmpty { Issue.record("resources leaked or cleanup failed: \(problems.joined(separator: "; "))") }
    }
}
