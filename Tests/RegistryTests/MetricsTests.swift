import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// `GET /metrics`: Prometheus text that moves with the traffic.
@Suite struct MetricsTests {
    /// The sum of the samples of `name` whose labels contain every fragment (0 when none).
    static func value(_ text: String, _ name: String, _ fragments: [String] = []) -> Double {
        text.split(separator: "\n").filter { line in
            !line.hasPrefix("#") && (line.hasPrefix(name + "{") || line.hasPrefix(name + " "))
                && fragments.allSatisfy { line.contains($0) }
        }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    @Test func scrapeReflectsRequestsPollsDeliveriesAndStatus() async throws {
        try await TestRegistry.with { registry in
            let before = try await registry.send(.GET, "/metrics")
            #expect(before.status == 200)
            #expect(before.headers["Content-Type"].first?.hasPrefix("text/plain") == true)
            let initial = String(decoding: before.bytes, as: UTF8.self)
            #expect(Self.value(initial, "zmesh_registry_mailbox_long_polls_open") == 0)

            try await DeploymentSubmissionTests.enrol(registry)
            let poll = Task { try await registry.poll(Fixtures.node1, wait: 10) }
            try await registry.waitForOpenPolls(1)
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)
            #expect(try await poll.value.items.count == 1)
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.carol.id)").status == 404)
            let report: [String: any Sendable] = [
                "owner": Fixtures.alice.id.rawValue, "network": "office", "version": 0, "state": "applied",
            ]
            #expect(try await registry.send(
                .POST, "/v1/nodes/\(Fixtures.node1.id)/status", body: TestRegistry.object(["networks": [report]]),
                signer: Fixtures.node1).status == 200)

            // A path no route matches is refused as JSON too, and counted.
            let nowhere = try await registry.send(.GET, "/v1/nowhere")
            #expect(nowhere.status == 404)
            #expect(nowhere.errorCode == "unknown_route")
            // Made-up methods never become label values (NIO's parser refuses most; the rest count as `other`).
            for method in ["BREW", "WHEN"] {
                #expect(try await registry.send(.RAW(value: method), "/v1/twins").status >= 400)
            }

            let after = String(decoding: try await registry.send(.GET, "/metrics").bytes, as: UTF8.self)
            let requests = "zmesh_registry_http_requests_total"
            #expect(Self.value(after, requests, [#"method="POST""#, #"route="/v1/nodes""#, #"status="201""#]) == 3)
            #expect(Self.value(after, requests, [#"method="POST""#, #"route="/v1/deployments""#, #"status="201""#]) == 1)
            #expect(Self.value(after, requests, [#"method="GET""#, #"status="404""#]) == 2)
            #expect(Self.value(after, requests, [#"method="GET""#, #"route="NotFound""#, #"status="404""#]) == 1)
            #expect(Self.value(after, requests, [#"method="GET""#, #"route="/v1/nodes/{id}/mailbox""#, #"status="200""#]) == 1)
            #expect(!after.contains("BREW") && !after.contains("WHEN"))
            #expect(Self.value(after, "zmesh_registry_mailbox_long_polls_open") == 0)
            #expect(Self.value(after, "zmesh_registry_mailbox_items_delivered_total") == 1)
            #expect(Self.value(after, "zmesh_registry_status_posts_total") == 1)
            #expect(Self.value(after, "zmesh_registry_status_network_reports_total") == 1)
            // The latency histogram counted every answered request, the long poll among them.
            let count = Self.value(after, "zmesh_registry_http_request_duration_seconds_count")
            #expect(count >= Self.value(after, requests) - 1)
            #expect(Self.value(after, "zmesh_registry_http_request_duration_seconds_sum", ["mailbox"]) > 0)
            #expect(Self.value(after, "zmesh_registry_http_request_duration_seconds_bucket", ["mailbox", #"le="+Inf""#]) == 1)
        }
    }
}
