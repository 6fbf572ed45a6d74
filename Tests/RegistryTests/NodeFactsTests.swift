import Foundation
import NIOHTTP1
import Registry
import RegistryProtocol
import Synchronization
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// Farms, node facts (public IPs, used ports, outbound families) and last-seen times.
@Suite struct NodeFactsTests {
    @Test func farmIsCreatedByATwinAndReadable() async throws {
        try await TestRegistry.with { registry in
            // An unregistered twin cannot create a farm.
            let outsider = try await registry.send(
                .POST, "/v1/farms", body: TestRegistry.object(["name": "north"]), signer: Fixtures.mallory)
            #expect(outsider.status == 401)
            #expect(outsider.errorCode == "unknown_identity")

            try await registry.registerTwin(Fixtures.alice)
            let created = try await registry.send(
                .POST, "/v1/farms", body: TestRegistry.object(["name": "north"]), signer: Fixtures.alice)
            #expect(created.status == 201)
            let id = try #require((created.json?["id"] as? NSNumber)?.intValue)
            #expect(id >= 1)
            #expect(created.json?["name"] as? String == "north")
            #expect(created.json?["owner"] as? String == Fixtures.alice.id.rawValue)
            // The same name by the same owner is the same farm (a retried creation); another name is a new id.
            let again = try await registry.send(
                .POST, "/v1/farms", body: TestRegistry.object(["name": "north"]), signer: Fixtures.alice)
            #expect(again.status == 200)
            #expect((again.json?["id"] as? NSNumber)?.intValue == id)
            let south = try await registry.send(
                .POST, "/v1/farms", body: TestRegistry.object(["name": "south"]), signer: Fixtures.alice)
            #expect((south.json?["id"] as? NSNumber)?.intValue == id + 1)

            let read = try await registry.send(.GET, "/v1/farms/\(id)")
            #expect(read.status == 200)
            #expect(read.json?["name"] as? String == "north")
            #expect(try await registry.send(.GET, "/v1/farms/999").errorCode == "unknown_farm")
            #expect(try await registry.send(.GET, "/v1/farms/x").errorCode == "bad_path")

            for name in ["", "North", "a b", String(repeating: "a", count: 33), "-x"] {
                let bad = try await registry.send(
                    .POST, "/v1/farms", body: TestRegistry.object(["name": name]), signer: Fixtures.alice)
                #expect(bad.status == 400, "name '\(name)'")
                #expect(bad.errorCode == "bad_name", "name '\(name)'")
            }
        }
    }

    @Test func registrationStoresCanonicalFacts() async throws {
        try await TestRegistry.with { registry in
            let farm = try await registry.farm()
            let body = TestRegistry.nodeBody(
                Fixtures.node1, farm: farm, publicIPs: ["2001:DB8:0:0::1", "203.0.113.1"],
                extra: ["used_ports": [8080, 22, 8080], "outbound": ["ipv6", "ipv4"]])
            let reply = try await registry.send(.POST, "/v1/nodes", body: body, signer: Fixtures.node1)
            #expect(reply.status == 201)
            #expect(reply.json?["public_ips"] as? [String] == ["203.0.113.1", "2001:db8::1"])
            #expect((reply.json?["used_ports"] as? [NSNumber])?.map(\.intValue) == [22, 8080])
            #expect(reply.json?["outbound"] as? [String] == ["ipv4", "ipv6"])
            #expect(reply.json?["updated_at"] is NSNumber)
            #expect(reply.json?["last_seen"] is NSNumber)
            #expect(reply.json?["endpoints"] == nil)

            // A hidden node: no public address; used_ports and outbound may be left out.
            #expect(try await registry.registerNode(Fixtures.node2, publicIPs: []) == 201)
            let hidden = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node2.id)")
            #expect(hidden.json?["public_ips"] as? [String] == [])
            #expect(hidden.json?["used_ports"] as? [NSNumber] == [])
            #expect(hidden.json?["outbound"] as? [String] == [])
        }
    }

    @Test(arguments: [
        (["203.0.113.1:51820"], "bad_public_ip"), (["[2001:db8::1]:51820"], "bad_public_ip"),
        (["203.0.113.1", "198.51.100.1"], "bad_public_ip"), (["2001:db8::1", "2001:db8::2"], "bad_public_ip"),
        (["127.0.0.1"], "bad_public_ip"), (["0.0.0.0"], "bad_public_ip"), (["::"], "bad_public_ip"),
        (["fe80::1"], "bad_public_ip"), (["ff02::1"], "bad_public_ip"), (["::ffff:203.0.113.1"], "bad_public_ip"),
        (["example.org"], "bad_public_ip"),
    ])
    func badPublicIPsAreRefused(ips: [String], code: String) async throws {
        try await TestRegistry.with { registry in
            let farm = try await registry.farm()
            let reply = try await registry.send(
                .POST, "/v1/nodes", body: TestRegistry.nodeBody(Fixtures.node1, farm: farm, publicIPs: ips),
                signer: Fixtures.node1)
            #expect(reply.status == 400)
            #expect(reply.errorCode == code)
            #expect(try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)").status == 404)
        }
    }

    @Test func badPortsOutboundAndUnknownFarmAreRefused() async throws {
        try await TestRegistry.with { registry in
            let farm = try await registry.farm()
            let cases: [([String: any Sendable], Int, String)] = [
                (["used_ports": [0]], 400, "bad_used_ports"),
                (["used_ports": [70000]], 400, "malformed_json"),
                (["outbound": ["ipv5"]], 400, "bad_outbound"),
                (["outbound": ["ipv4", "ipv4"]], 400, "bad_outbound"),
                (["farm": 4242], 422, "unknown_farm"),
            ]
            for (extra, status, code) in cases {
                let reply = try await registry.send(
                    .POST, "/v1/nodes", body: TestRegistry.nodeBody(Fixtures.node1, farm: farm, extra: extra),
                    signer: Fixtures.node1)
                #expect(reply.status == status, "\(extra)")
                #expect(reply.errorCode == code, "\(extra)")
            }
            // The old body (endpoints, no public_ips) is refused, naming the member.
            let old = TestRegistry.object([
                "id": Fixtures.node1.id.rawValue, "farm": farm, "public_key": Fixtures.node1.publicKey.base64,
                "endpoints": ["203.0.113.1:51820"],
            ])
            let reply = try await registry.send(.POST, "/v1/nodes", body: old, signer: Fixtures.node1)
            #expect(reply.errorCode == "malformed_json")
            #expect(reply.errorMessage?.contains("public_ips") == true)
            #expect(try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)").status == 404)
        }
    }

    @Test func lastSeenFollowsTheNodesRequests() async throws {
        let clock = TestClock(Int64(Date().timeIntervalSince1970))
        try await TestRegistry.with(configure: { $0.clock = { clock.now } }) { registry in
            #expect(try await registry.registerNode(Fixtures.node1) == 201)
            let registered = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)")
            let first = try #require((registered.json?["last_seen"] as? NSNumber)?.int64Value)
            #expect(first == clock.now)
            clock.advance(by: 100)
            #expect(try await registry.poll(Fixtures.node1, timestamp: clock.now).status == 200)
            let polled = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)")
            #expect((polled.json?["last_seen"] as? NSNumber)?.int64Value == first + 100)
            // A read by someone else is not the node being seen.
            clock.advance(by: 5)
            let read = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)")
            #expect((read.json?["last_seen"] as? NSNumber)?.int64Value == first + 100)
        }
    }
}

/// A settable clock for the registry's configuration.
final class TestClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(by seconds: Int64) { value.withLock { $0 += seconds } }
}
