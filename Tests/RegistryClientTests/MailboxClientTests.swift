import DeploymentTestSupport
import Deployments
import Registry
import RegistryClient
import Testing
import ZmeshCrypto
import RegistryTestSupport

/// Long-polls through the client: delivery, prompt wake-up, cancellation, many polls on one client.
@Suite struct MailboxClientTests {
    @Test func aSubmittedDeploymentArrivesInTheMailbox() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let deployment = Fixtures.signedDeployment()
            _ = try await ClientFixtures.client(url, as: Fixtures.alice).submitDeployment(
                documentJSON: Array(deployment.json(pretty: false).utf8))
            let node = try ClientFixtures.client(url, as: Fixtures.node3)
            let page = try await node.mailbox(node: Fixtures.node3.id, after: 0, wait: 0)
            #expect(page.items.count == 1)
            let item = try #require(page.items.first)
            #expect(item.kind == "deployment")
            #expect(item.owner == Fixtures.alice.id)
            #expect(item.network == "office")
            #expect(item.version == 0)
            #expect(page.cursor == item.cursor)
            #expect(try Deployment(json: item.document).digest == deployment.digest)
            let empty = try await node.mailbox(node: Fixtures.node3.id, after: page.cursor, wait: 0)
            #expect(empty.items.isEmpty)
            #expect(empty.cursor == page.cursor)
        }
    }

    @Test func aWaitingPollIsWokenPromptlyBySubmission() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let node = try ClientFixtures.client(url, as: Fixtures.node1)
            let poll = Task { try await node.mailbox(node: Fixtures.node1.id, after: 0, wait: 30) }
            try await Task.sleep(for: .milliseconds(500))
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let (page, latency) = try await ClientFixtures.timed {
                _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document())
                return try await poll.value
            }
            #expect(page.items.count == 1)
            // Within half the 30 s wait: the submission woke the poll; it did not run out.
            #expect(latency < .seconds(15), "submission to delivery took \(latency)")
            print("measured: submission + wake-up of a waiting long-poll: \(latency)")
        }
    }

    @Test func cancellingTheTaskEndsAWaitingPollPromptly() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let node = try ClientFixtures.client(url, as: Fixtures.node1)
            let poll = Task { try await node.mailbox(node: Fixtures.node1.id, after: 0, wait: 30) }
            try await Task.sleep(for: .milliseconds(500))
            let (result, latency) = await ClientFixtures.timed {
                poll.cancel()
                return await poll.result
            }
            guard case .failure(let error) = result, (error as? RegistryClientError)?.isCancellation == true else {
                Issue.record("expected a cancellation, got \(result)")
                return
            }
            // Within half the 30 s wait: cancelled, not answered.
            #expect(latency < .seconds(15), "cancellation took \(latency)")
            print("measured: cancellation of a waiting long-poll: \(latency)")
            // The client goes on working.
            #expect(try await node.mailbox(node: Fixtures.node1.id, after: 0, wait: 0).items.isEmpty)
        }
    }

    @Test func manyConcurrentLongPollsOnOneClientAreAllAnswered() async throws {
        let polls = 200
        try await LocalRegistry.with(configure: { configuration in
            configuration.maximumPollsPerNode = polls
            configuration.rateBurst = polls * 2
        }) { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let node = try ClientFixtures.client(url, as: Fixtures.node2, retry: .noRetry)
            let (counts, latency) = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<polls {
                    group.addTask { try await node.mailbox(node: Fixtures.node2.id, after: 0, wait: 30).items.count }
                }
                // Every poll is parked in the registry before the submission.
                let deadline = ContinuousClock.now + .seconds(20)
                while try await ClientFixtures.metric("zmesh_registry_mailbox_long_polls_open", url) < polls {
                    guard ContinuousClock.now < deadline else { throw TestFailure("the polls did not all open") }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let start = ContinuousClock.now
                _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document())
                var counts: [Int] = []
                for try await count in group { counts.append(count) }
                return (counts, ContinuousClock.now - start)
            }
            #expect(counts.count == polls)
            #expect(counts.allSatisfy { $0 == 1 })
            #expect(latency < .seconds(15), "woken by the submission, not by the 30 s wait: \(latency)")
            print("measured: \(polls) long-polls parked from one client; submission to the last answer: \(latency)")
        }
    }
}
