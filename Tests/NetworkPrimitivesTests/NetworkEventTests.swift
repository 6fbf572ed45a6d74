import RouteNL
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
        let events = StreamCollector(monitor.events)
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
        let events = StreamCollector(monitor.events)
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
        let events = StreamCollector(monitor.events)
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
        let events = StreamCollector(monitor.events)
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
        let events = StreamCollector(monitor.events)
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

/// ``NamespaceFixture`` for async tests, where `with { }` cannot wrap an `await`: cleanups and the
/// leak check run in ``finish()`` (called from `defer`), and a leak is recorded as an issue.
final class NamespaceFixtureBox: @unchecked Sendable {
    let fixture = NamespaceFixture.unscoped()

    func finish() {
        let problems = fixture.finish()
        if !problems.isEmpty { Issue.record("resources leaked or cleanup failed: \(problems.joined(separator: "; "))") }
    }
}
