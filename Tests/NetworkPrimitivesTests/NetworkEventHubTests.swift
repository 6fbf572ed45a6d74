import RouteNL
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

@Suite("One event thread for many namespaces", .requiresNetworkPrivileges)
struct NetworkEventHubTests {
    @Test func eventsOfTwoNamespacesArriveTaggedWithTheirKey() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let a = try f.fixture.namespace("a")
        let b = try f.fixture.namespace("b")
        let hub = try NetworkEventHub()
        defer { hub.stop() }
        let events = StreamCollector(hub.events)
        try hub.watch(a, as: "a", kinds: [.links])
        try hub.watch(b, as: "b", kinds: [.links, .addresses])
        #expect(hub.watched == ["a", "b"])

        let inA = try f.fixture.linkName("ina")
        let inB = try f.fixture.linkName("inb")
        try RouteNetlink(namespace: a).createBridge(inA)
        try RouteNetlink(namespace: b).createBridge(inB)
        try RouteNetlink(namespace: b).addAddress(try InterfaceAddress("10.7.8.1/24"), to: inB)

        let seenA = await events.next { $0.event.linkName == inA.rawValue }
        let seenB = await events.next { $0.event.linkName == inB.rawValue }
        let address = await events.next {
            if case .addressAdded(let entry) = $0.event { entry.address.description == "10.7.8.1/24" } else { false }
        }
        #expect(seenA?.namespace == "a")
        #expect(seenB?.namespace == "b")
        #expect(address?.namespace == "b")
        // Every event of a link is tagged with the namespace the link is in, never the other one.
        let all = events.all
        #expect(all.filter { $0.event.linkName == inA.rawValue }.allSatisfy { $0.namespace == "a" })
        #expect(all.filter { $0.event.linkName == inB.rawValue }.allSatisfy { $0.namespace == "b" })
        // `a` watches links only.
        #expect(!all.contains { $0.namespace == "a" && $0.event.isAddress })
    }

    @Test func anUnwatchedNamespaceSendsNothingMore() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let a = try f.fixture.namespace("a")
        let b = try f.fixture.namespace("b")
        let hub = try NetworkEventHub()
        defer { hub.stop() }
        let events = StreamCollector(hub.events)
        try hub.watch(a, as: "a", kinds: [.links])
        try hub.watch(b, as: "b", kinds: [.links])

        let before = try f.fixture.linkName("before")
        try RouteNetlink(namespace: a).createBridge(before)
        #expect(await events.next { $0.event.linkName == before.rawValue }?.namespace == "a")

        #expect(hub.unwatch("a"))
        #expect(!hub.unwatch("a"))
        #expect(hub.watched == ["b"])
        let late = try f.fixture.linkName("late")
        try RouteNetlink(namespace: a).createBridge(late)
        let marker = try f.fixture.linkName("marker")
        try RouteNetlink(namespace: b).createBridge(marker)
        // The marker, made after the late link, arrives: had the late link been reported, it would be there too.
        #expect(await events.next { $0.event.linkName == marker.rawValue }?.namespace == "b")
        #expect(!events.all.contains { $0.event.linkName == late.rawValue })

        // Watched again under the same key: events flow again.
        try hub.watch(a, as: "a", kinds: [.links])
        let again = try f.fixture.linkName("again")
        try RouteNetlink(namespace: a).createBridge(again)
        #expect(await events.next { $0.event.linkName == again.rawValue }?.namespace == "a")
    }

    /// The kernel destroys a namespace (and with it the veth pair reaching into another one) only
    /// when nothing refers to it any more: our socket must not be what keeps it.
    @Test func unwatchingReleasesADeletedNamespace() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let witness = try f.fixture.namespace("w")
        let (doomed, peer) = try Self.namespaceWithPeer(in: f, role: "gone")
        let hub = try NetworkEventHub()
        defer { hub.stop() }
        let events = StreamCollector(hub.events)
        try hub.watch(.named(doomed), as: "gone", kinds: [.links])
        try hub.watch(witness, as: "w", kinds: [.links])
        try NetworkNamespace.delete(named: doomed)

        // While watched, the socket pins the namespace: its veth end survives the deletion.
        SpawnedProcess.sleep(.seconds(1))
        #expect(try Self.exists(peer, in: f), "the namespace was freed although our socket was open")
        #expect(hub.unwatch("gone"))
        #expect(await Self.vanishes(peer, in: f), "the namespace outlived its unwatching")
        // The hub goes on for the others.
        let after = try f.fixture.linkName("after")
        try RouteNetlink(namespace: witness).createBridge(after)
        #expect(await events.next { $0.event.linkName == after.rawValue }?.namespace == "w")
    }

    @Test func stoppingFinishesTheStreamAndReleasesEverySocket() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let (doomed, peer) = try Self.namespaceWithPeer(in: f, role: "gone")
        let hub = try NetworkEventHub()
        let events = StreamCollector(hub.events)
        try hub.watch(.named(doomed), as: "gone")
        try hub.watch(try f.fixture.namespace("b"), as: "b")
        hub.stop()
        #expect(hub.watched.isEmpty)
        #expect(await events.finished())
        #expect(throws: RouteNLError.self) { try hub.watch(nil, as: "late") }
        try NetworkNamespace.delete(named: doomed)
        #expect(await Self.vanishes(peer, in: f), "a stopped hub kept a deleted namespace alive")
        hub.stop()  // idempotent
    }

    /// Dropping the last reference stops the thread too: the hub is freed and the stream finishes.
    @Test func aDroppedHubIsFreedAndFinishesItsStream() async throws {
        let f = NamespaceFixtureBox()
        defer { f.finish() }
        let (doomed, peer) = try Self.namespaceWithPeer(in: f, role: "gone")
        weak var weakHub: NetworkEventHub?
        let events: StreamCollector<TaggedNetworkEvent>
        do {
            let hub = try NetworkEventHub()
            weakHub = hub
            events = StreamCollector(hub.events)
            try hub.watch(.named(doomed), as: "gone")
        }
        #expect(weakHub == nil)
        #expect(await events.finished())
        try NetworkNamespace.delete(named: doomed)
        #expect(await Self.vanishes(peer, in: f))
    }

    @Test func watchingAMissingNamespaceFailsNamingIt() throws {
        let hub = try NetworkEventHub()
        defer { hub.stop() }
        let name = "zt-missing-\(ScratchNamespace.randomSuffix().suffix(5))"
        let error = #expect(throws: RouteNLError.self) { try hub.watch(.named(name), as: "missing") }
        #expect(error?.code == .unknownNamespace)
        #expect(error?.description.contains(name) == true)
        #expect(hub.watched.isEmpty)
    }

    // MARK: - Helpers

    /// A namespace `zt-<tag>-<role>` made here (deleted by the test, or by the cleanup if still
    /// there) with a veth whose other end is in `zt-<tag>-peer`: that end lives exactly as long as
    /// the namespace does.
    static func namespaceWithPeer(in f: NamespaceFixtureBox, role: String) throws -> (name: String, peer: InterfaceName) {
        let peerNamespace = f.fixture.namespaceName("peer")
        if !NetworkNamespace.exists(named: peerNamespace) { try f.fixture.namespace("peer") }
        let name = f.fixture.namespaceName(role)
        _ = try NetworkNamespace.create(named: name)
        f.fixture.addCleanup("delete namespace \(name) if left") {
            if NetworkNamespace.exists(named: name) { try NetworkNamespace.delete(named: name) }
        }
        let inside = try f.fixture.linkName("v\(role)")
        let peer = try f.fixture.linkName("p\(role)")
        try ShellCommand.run([
            "ip", "-n", name, "link", "add", inside.rawValue, "type", "veth", "peer", "name", peer.rawValue, "netns",
            peerNamespace,
        ])
        return (name, peer)
    }

    static func exists(_ link: InterfaceName, in f: NamespaceFixtureBox) throws -> Bool {
        try RouteNetlink(namespace: .named(f.fixture.namespaceName("peer"))).links().contains { $0.name == link.rawValue }
    }

    /// Whether `link` (in the peer namespace) disappears within 20 s.
    static func vanishes(_ link: InterfaceName, in f: NamespaceFixtureBox) async -> Bool {
        for _ in 0..<400 {
            if (try? exists(link, in: f)) == false { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

extension NetworkEvent {
    /// The link a link event is about.
    fileprivate var linkName: String? {
        switch self {
        case .linkUpdated(let link), .linkRemoved(let link): link.name
        default: nil
        }
    }

    fileprivate var isAddress: Bool {
        switch self {
        case .addressAdded, .addressRemoved: true
        default: false
        }
    }
}

