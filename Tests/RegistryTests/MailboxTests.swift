import Deployments
import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// The per-node mailbox: long-poll wake-up, cursors across restarts, many pollers.
@Suite struct MailboxTests {
    @Test func deliveryWakesAWaitingPoll() async throws {
        try await TestRegistry.with { registry in
            try await DeploymentSubmissionTests.enrol(registry)
            let deployment = Fixtures.signedDeployment()
            let poll = Task { try await registry.poll(Fixtures.node1, after: 0, wait: 30) }
            // Give the poll time to park (if it has not, it still gets the item at once: the assertion holds).
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await DeploymentSubmissionTests.submit(registry, deployment).status == 201)
            let reply = try await poll.value
            #expect(reply.status == 200)
            #expect(reply.items.count == 1)
            #expect(reply.items.first?["kind"] as? String == "deployment")
            #expect((reply.items.first?["version"] as? NSNumber)?.intValue == 0)
            let text = try #require(reply.items.first?["document"] as? String)
            #expect(try Deployment(json: text).digest == deployment.digest)
            #expect(reply.cursor == (reply.items.first?["cursor"] as? NSNumber)?.int64Value)

            // Something newer than the cursor exists: answered at once; nothing newer: an empty answer.
            #expect(try await registry.poll(Fixtures.node2, after: 0, wait: 30).items.count == 1)
            let empty = try await registry.poll(Fixtures.node1, after: reply.cursor, wait: 1)
            #expect(empty.status == 200)
            #expect(empty.items.isEmpty)
            #expect(empty.cursor == reply.cursor)
        }
    }

    @Test func cursorResumesAfterRestartOnTheSameDatabase() async throws {
        let path = TestRegistry.temporaryDatabasePath()
        defer { TestRegistry.removeDatabase(at: path) }
        var registry = try await TestRegistry.start(databasePath: path)
        try await DeploymentSubmissionTests.enrol(registry)
        // Sealed keys are random: one document, submitted twice.
        let version0 = Fixtures.signedDeployment(version: 0)
        #expect(try await DeploymentSubmissionTests.submit(registry, version0).status == 201)
        let first = try await registry.poll(Fixtures.node1)
        #expect(first.items.count == 1)
        try await registry.stop()

        registry = try await TestRegistry.start(databasePath: path)
        do {
            // The stored version is the previous one: the update rules still apply after the restart.
            #expect(try await DeploymentSubmissionTests.submit(registry, version0).status == 200)
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment(version: 1)).status == 201)
            let resumed = try await registry.poll(Fixtures.node1, after: first.cursor, wait: 5)
            #expect(resumed.items.compactMap { ($0["version"] as? NSNumber)?.intValue } == [1])
            #expect(resumed.cursor > first.cursor)
            // Version 1 superseded version 0's item: from the start, only the newest version is there.
            let everything = try await registry.poll(Fixtures.node1, after: 0)
            #expect(everything.items.compactMap { ($0["version"] as? NSNumber)?.intValue } == [1])
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }

    @Test func concurrentPollersAllReceiveTheDelivery() async throws {
        try await TestRegistry.with { registry in
            try await DeploymentSubmissionTests.enrol(registry)
            // Two pollers per node, three nodes, all waiting at once.
            let nodes = [Fixtures.node1, Fixtures.node2, Fixtures.node3]
            let polls = nodes.flatMap { node in
                (0..<2).map { _ in Task { (node.id, try await registry.poll(node, after: 0, wait: 30)) } }
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)
            for poll in polls {
                let (id, reply) = try await poll.value
                #expect(reply.status == 200, "poll of \(id)")
                #expect(reply.items.count == 1, "poll of \(id)")
            }
        }
    }
}

/// A new item for (node, owner, network) supersedes the older ones: a node needs only the newest version.
@Suite struct MailboxSupersessionTests {
    @Test func newerVersionReplacesOlderItemsAndCursorsStayMonotonic() async throws {
        try await TestRegistry.with { registry in
            try await DeploymentSubmissionTests.enrol(registry)
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment(version: 0)).status == 201)
            let seen = try await registry.poll(Fixtures.node1)
            #expect(seen.items.count == 1)
            // The node is away while versions 1 and 2 are stored.
            for version: UInt64 in [1, 2] {
                #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment(version: version)).status == 201)
            }
            let resumed = try await registry.poll(Fixtures.node1, after: seen.cursor)
            #expect(resumed.items.compactMap { ($0["version"] as? NSNumber)?.intValue } == [2])
            #expect(resumed.cursor > seen.cursor)
            // A node that starts from nothing gets the newest version only, with a cursor above every earlier one.
            let fresh = try await registry.poll(Fixtures.node2, after: 0)
            #expect(fresh.items.compactMap { ($0["version"] as? NSNumber)?.intValue } == [2])
            #expect(fresh.cursor > seen.cursor)
            // Nothing is left behind the cursor.
            #expect(try await registry.poll(Fixtures.node1, after: resumed.cursor).items.isEmpty)
        }
    }
}

/// Graceful shutdown does not wait for long-polls to run out.
@Suite struct MailboxShutdownTests {
    @Test func gracefulShutdownAnswersWaitingPolls() async throws {
        let registry = try await TestRegistry.start()
        defer { TestRegistry.removeDatabase(at: registry.databasePath) }
        try await DeploymentSubmissionTests.enrol(registry)
        let poll = Task { try await registry.poll(Fixtures.node1, after: 0, wait: 60) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        try await registry.stop()
        let reply = try await poll.value
        #expect(reply.status == 200)
        #expect(reply.items.isEmpty)
        // Well under the poll's 60 s wait.
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
