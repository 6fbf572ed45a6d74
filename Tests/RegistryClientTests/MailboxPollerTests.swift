import DeploymentTestSupport
import Deployments
import Logging
import Registry
import RegistryClient
import Synchronization
import Testing
import ZmeshCrypto
import RegistryTestSupport

/// The node agent's long-poll loop: order, at-least-once, registry restarts, cancellation.
@Suite struct MailboxPollerTests {
    /// What a handler saw, shared with the test.
    final class Received: Sendable {
        private let items = Mutex<[ClientMailboxItem]>([])
        func append(_ item: ClientMailboxItem) { items.withLock { $0.append(item) } }
        var all: [ClientMailboxItem] { items.withLock { $0 } }

        /// Waits until `count` items arrived or `timeout` passed.
        func wait(for count: Int, timeout: Duration) async throws -> [ClientMailboxItem] {
            let end = ContinuousClock.now + timeout
            while all.count < count, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
            return all
        }
    }

    static let quickBackoff = RetryPolicy(baseDelay: .milliseconds(50), maximumDelay: .milliseconds(400))

    static func poller(_ url: RegistryURL, wait: Int = 5) throws -> MailboxPoller {
        try MailboxPoller(
            client: try ClientFixtures.client(url, as: Fixtures.node1, retry: .noRetry), wait: wait,
            backoff: quickBackoff, minimumPollInterval: .milliseconds(100), logger: ClientFixtures.logger)
    }

    @Test func deliversItemsInOrderAndReturnsTheCursorWhenCancelled() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let received = Received()
            let poller = try Self.poller(url, wait: 30)
            let loop = Task { await poller.run(from: 0) { item in received.append(item) } }
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            // Version 1 is submitted once version 0 was delivered: storing a version deletes the
            // node's undelivered older item of the network (the mailbox keeps one per network), so
            // a poller slower than both submissions (a loaded machine: seen in CI) would see 1 only.
            _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document(version: 0))
            _ = try await received.wait(for: 1, timeout: .seconds(30))
            _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document(version: 1))
            let items = try await received.wait(for: 2, timeout: .seconds(30))
            #expect(items.map(\.version) == [0, 1])
            #expect(items.map(\.cursor) == items.map(\.cursor).sorted())

            let (cursor, latency) = await ClientFixtures.timed {
                loop.cancel()
                return await loop.value
            }
            #expect(cursor == items.last?.cursor)
            // Within half its poll's wait: cancellation ended the waiting poll.
            #expect(latency < .seconds(15), "stopping the poller took \(latency)")
        }
    }

    @Test func aFailingHandlerGetsTheSameItemAgain() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let attempts = Mutex(0)
            let received = Received()
            let poller = try Self.poller(url)
            let loop = Task {
                await poller.run(from: 0) { item in
                    let attempt = attempts.withLock { n in
                        n += 1
                        return n
                    }
                    if attempt == 1 { throw TestFailure("first delivery fails") }
                    received.append(item)
                }
            }
            _ = try await ClientFixtures.client(url, as: Fixtures.alice).submitDeployment(
                documentJSON: ClientFixtures.document())
            let items = try await received.wait(for: 1, timeout: .seconds(10))
            loop.cancel()
            let cursor = await loop.value
            #expect(items.map(\.version) == [0])
            #expect(attempts.withLock { $0 } == 2)
            #expect(cursor == items.first?.cursor)
        }
    }

    @Test func keepsPollingAcrossARegistryRestartAndGetsWhatWasSubmittedMeanwhile() async throws {
        let path = LocalRegistry.temporaryDatabasePath()
        defer { LocalRegistry.removeDatabase(at: path) }
        var registry = try await LocalRegistry.start(databasePath: path)
        let port = registry.port
        let url = try registry.url
        let received = Received()
        var loop: Task<Int64, Never>?
        do {
            try await ClientFixtures.enrol(url)
            let poller = try Self.poller(url, wait: 2)
            loop = Task { await poller.run(from: 0) { item in received.append(item) } }
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document(version: 0))
            #expect(try await received.wait(for: 1, timeout: .seconds(10)).count == 1)

            // The registry goes away; meanwhile version 1 is submitted to another instance on the same database
            // (on another port, out of the poller's reach); then the registry comes back on the poller's port.
            try await registry.stop()
            try await Task.sleep(for: .seconds(1))
            var elsewhere = try await LocalRegistry.start(databasePath: path)
            while elsewhere.port == port {  // the kernel gave the freed port back: try another
                try await elsewhere.stop()
                elsewhere = try await LocalRegistry.start(databasePath: path)
            }
            _ = try await ClientFixtures.client(try elsewhere.url, as: Fixtures.alice).submitDeployment(
                documentJSON: ClientFixtures.document(version: 1))
            try await elsewhere.stop()
            #expect(received.all.count == 1)

            registry = try await LocalRegistry.start(databasePath: path, port: port)
            let (items, latency) = try await ClientFixtures.timed { try await received.wait(for: 2, timeout: .seconds(10)) }
            #expect(items.map(\.version) == [0, 1])
            print("measured: restarted registry to delivery of the item submitted while it was away: \(latency)")
        } catch {
            loop?.cancel()
            try? await registry.stop()
            throw error
        }
        loop?.cancel()
        _ = await loop?.value
        try await registry.stop()
    }

    @Test func aRestartedPollerIsNotHeldBackByItsAbandonedPoll() async throws {
        try await LocalRegistry.with(configure: { $0.maximumPollsPerNode = 1 }) { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            // An agent's poll, abandoned (the agent died): the registry still holds it for its 30 s wait.
            let old = try ClientFixtures.client(url, as: Fixtures.node1, retry: .noRetry)
            let abandoned = Task { try await old.mailbox(node: Fixtures.node1.id, after: 0, wait: 30) }
            while try await ClientFixtures.metric("zmesh_registry_mailbox_long_polls_open", url) < 1 {
                try await Task.sleep(for: .milliseconds(20))
            }
            abandoned.cancel()
            _ = await abandoned.result
            // The restarted agent's poller takes the node's only slot at once, and gets what is submitted.
            let received = Received()
            let poller = try Self.poller(url, wait: 30)
            let loop = Task { await poller.run(from: 0) { item in received.append(item) } }
            _ = try await ClientFixtures.client(url, as: Fixtures.alice).submitDeployment(
                documentJSON: ClientFixtures.document())
            // Well before the abandoned poll's 30 s would have freed the slot.
            #expect(try await received.wait(for: 1, timeout: .seconds(15)).count == 1)
            #expect(try await ClientFixtures.metric("zmesh_registry_superseded_long_polls_total", url) >= 1)
            loop.cancel()
            _ = await loop.value
        }
    }
}
