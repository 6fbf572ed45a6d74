import Deployments
import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import ZmeshModel
import DeploymentTestSupport
import RegistryTestSupport

/// Nodes post their networks' status; anyone reads a network's status.
@Suite struct StatusTests {
    static let peerKey = Fixtures.publicKey(0x32).base64

    static func report(
        version: Int = 0, state: String = "applied", error: String? = nil,
        peers: [[String: any Sendable]] = [
            ["public_key": peerKey, "last_handshake": 1_700_000_000, "rx_bytes": 10, "tx_bytes": 20, "endpoint": "203.0.113.2:51821"]
        ],
        owner: String = Fixtures.alice.id.rawValue, network: String = "office"
    ) -> [String: any Sendable] {
        var report: [String: any Sendable] = [
            "owner": owner, "network": network, "version": version, "state": state, "peers": peers,
        ]
        if let error { report["error"] = error }
        return report
    }

    static func post(_ registry: TestRegistry, _ node: Identity, _ networks: [[String: any Sendable]], signer: Identity? = nil)
        async throws -> TestRegistry.Reply
    {
        try await registry.send(
            .POST, "/v1/nodes/\(node.id)/status", body: TestRegistry.object(["networks": networks]),
            signer: signer ?? node)
    }

    static func nodes(_ reply: TestRegistry.Reply) -> [String: [String: any Sendable]] {
        let list = (reply.json?["nodes"] as? [[String: any Sendable]]) ?? []
        return Dictionary(list.map { (($0["id"] as? String) ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func postedStatusAppearsInTheNetworkStatus() async throws {
        try await TestRegistry.with { registry in
            try await DeploymentSubmissionTests.enrol(registry)
            let path = "/v1/networks/\(Fixtures.alice.id)/office/status"
            #expect(try await registry.send(.GET, path).errorCode == "unknown_deployment")
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)

            let accepted = try await Self.post(registry, Fixtures.node1, [Self.report()])
            #expect(accepted.status == 200)
            #expect((accepted.json?["accepted"] as? NSNumber)?.intValue == 1)
            #expect(try await Self.post(registry, Fixtures.node2, [Self.report(state: "failed", error: "no wireguard", peers: [])]).status == 200)

            let status = try await registry.send(.GET, path)
            #expect(status.status == 200)
            #expect((status.json?["version"] as? NSNumber)?.intValue == 0)
            let nodes = Self.nodes(status)
            #expect(nodes.count == 3)
            let one = try #require(nodes[Fixtures.node1.id.rawValue])
            #expect(one["state"] as? String == "applied")
            #expect((one["version"] as? NSNumber)?.intValue == 0)
            #expect(one["reported_at"] is NSNumber)
            #expect(one["last_seen"] is NSNumber)
            let peers = try #require(one["peers"] as? [[String: any Sendable]])
            #expect(peers.first?["public_key"] as? String == Self.peerKey)
            #expect((peers.first?["rx_bytes"] as? NSNumber)?.intValue == 10)
            #expect(peers.first?["endpoint"] as? String == "203.0.113.2:51821")
            #expect(nodes[Fixtures.node2.id.rawValue]?["state"] as? String == "failed")
            #expect(nodes[Fixtures.node2.id.rawValue]?["error"] as? String == "no wireguard")
            let three = try #require(nodes[Fixtures.node3.id.rawValue])
            #expect(three["state"] as? String == "unknown")
            #expect(three["version"] is NSNull)
            #expect(three["reported_at"] is NSNull)

            // A later report replaces the earlier one.
            #expect(try await Self.post(registry, Fixtures.node1, [Self.report(state: "removed", peers: [])]).status == 200)
            let replaced = Self.nodes(try await registry.send(.GET, path))[Fixtures.node1.id.rawValue]
            #expect(replaced?["state"] as? String == "removed")
            #expect((replaced?["peers"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func invalidReportsAreRefusedNamingTheMemberAndStoreNothing() async throws {
        try await TestRegistry.with { registry in
            try await DeploymentSubmissionTests.enrol(registry)
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)
            let badPeer: [[String: any Sendable]] = [["public_key": "not-a-key", "last_handshake": 0, "rx_bytes": 0, "tx_bytes": 0]]
            let badEndpoint: [[String: any Sendable]] = [
                ["public_key": Self.peerKey, "last_handshake": 0, "rx_bytes": 0, "tx_bytes": 0, "endpoint": "example.org:80"]
            ]
            let cases: [([[String: any Sendable]], Int, String, String)] = [
                ([Self.report(peers: badPeer)], 400, "invalid_status", "networks[0].peers[0].public_key"),
                ([Self.report(peers: badEndpoint)], 400, "invalid_status", "networks[0].peers[0].endpoint"),
                ([Self.report(state: "running")], 400, "invalid_status", "networks[0].state"),
                ([Self.report(error: String(repeating: "x", count: 2000))], 400, "invalid_status", "networks[0].error"),
                ([Self.report(owner: "nobody")], 400, "invalid_status", "networks[0].owner"),
                ([Self.report(), Self.report()], 400, "invalid_status", "networks[1]"),
                ([Self.report(version: 7)], 422, "unknown_deployment", "networks[0]"),
                ([["owner": Fixtures.alice.id.rawValue, "network": "office", "state": "applied"]], 400, "malformed_json", "networks[0].version"),
            ]
            for (networks, status, code, member) in cases {
                let reply = try await Self.post(registry, Fixtures.node1, networks)
                #expect(reply.status == status, "\(member)")
                #expect(reply.errorCode == code, "\(member)")
                #expect(reply.errorMessage?.contains(member) == true, "\(reply.errorMessage ?? "")")
            }
            // Signed by another node.
            let forged = try await Self.post(registry, Fixtures.node1, [Self.report()], signer: Fixtures.node2)
            #expect(forged.status == 403)
            #expect(forged.errorCode == "wrong_identity")
            let status = try await registry.send(.GET, "/v1/networks/\(Fixtures.alice.id)/office/status")
            #expect(Self.nodes(status)[Fixtures.node1.id.rawValue]?["state"] as? String == "unknown")
        }
    }
}
