import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// The per-identity rate limit and the per-node long-poll cap: 429s that change nothing.
@Suite struct LimitsTests {
    @Test func rateLimitRefusesBeyondTheBurstWithRetryAfter() async throws {
        try await TestRegistry.with(configure: { $0.rateLimitPerSecond = 0.1; $0.rateBurst = 3 }) { registry in
            let farm = try await registry.farm()  // the farmer's tokens, not the node's
            var statuses: [Int] = []
            var limited: TestRegistry.Reply?
            for i in 0..<5 {
                let reply = try await registry.send(
                    .POST, "/v1/nodes",
                    body: TestRegistry.nodeBody(Fixtures.node1, farm: farm, publicIPs: ["203.0.113.\(i + 1)"]),
                    signer: Fixtures.node1)
                statuses.append(reply.status)
                if reply.status == 429 { limited = reply }
            }
            #expect(statuses == [201, 200, 200, 429, 429])
            let reply = try #require(limited)
            #expect(reply.errorCode == "rate_limited")
            let retryAfter = try #require(reply.headers["Retry-After"].first.flatMap { Int($0) })
            #expect((1...10).contains(retryAfter))
            // The refused registrations changed nothing.
            let stored = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)")
            #expect(stored.json?["public_ips"] as? [String] == ["203.0.113.3"])
            // Another identity has its own bucket.
            #expect(try await registry.registerNode(Fixtures.node2, farm: farm) == 201)
        }
    }

    @Test func defaultsLetAThousandNodeGridPoll() {
        // A node polling with 30 s waits makes about 2 requests a minute (poll + status); the defaults allow 300
        // a minute with bursts of 100.
        let configuration = RegistryConfiguration()
        #expect(configuration.rateLimitPerSecond * 30 >= 2 * 10)
        #expect(configuration.rateBurst >= 50)
        #expect(configuration.maximumPollsPerNode == 2)
    }

    @Test func aThirdConcurrentPollSupersedesTheOldest() async throws {
        try await TestRegistry.with { registry in
            try await registry.registerNode(Fixtures.node1)
            // Two polls parked for 30 s, the first one first.
            let oldest = Task { try await registry.poll(Fixtures.node1, wait: 30) }
            try await registry.waitForOpenPolls(1)
            let newer = Task { try await registry.poll(Fixtures.node1, wait: 30) }
            try await registry.waitForOpenPolls(2)
            // A third is not refused: the oldest answers (empty, long before its wait) and the third waits.
            let third = Task { try await registry.poll(Fixtures.node1, wait: 30) }
            let answered = try await oldest.value
            #expect(answered.status == 200)
            #expect(answered.items.isEmpty)
            try await registry.waitForOpenPolls(2)
            let text = String(decoding: try await registry.send(.GET, "/metrics").bytes, as: UTF8.self)
            #expect(MetricsTests.value(text, "zmesh_registry_superseded_long_polls_total") == 1)
            // The two still waiting both get the next delivery.
            for twin in [Fixtures.alice, Fixtures.bob] { try await registry.registerTwin(twin) }
            for node in [Fixtures.node2, Fixtures.node3] { try await registry.registerNode(node) }
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)
            for poll in [newer, third] {
                let reply = try await poll.value
                #expect(reply.status == 200)
                #expect(reply.items.count == 1)
            }
        }
    }
}
