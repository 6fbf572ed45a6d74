import Deployments
import Foundation
import NIOHTTP1
import Registry
import RegistryProtocol
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// Signed requests over real HTTP: every refusal is a 4xx naming the problem, and stores nothing.
@Suite struct AuthenticationTests {
    @Test func twinRegistersItselfOnceAndIsReadable() async throws {
        try await TestRegistry.with { registry in
            #expect(try await registry.registerTwin(Fixtures.alice) == 201)
            #expect(try await registry.registerTwin(Fixtures.alice) == 200)
            let reply = try await registry.send(.GET, "/v1/twins/\(Fixtures.alice.id)")
            #expect(reply.status == 200)
            #expect(reply.json?["public_key"] as? String == Fixtures.alice.publicKey.base64)
        }
    }

    @Test func badSignatureIsRefusedAndStoresNothing() async throws {
        try await TestRegistry.with { registry in
            let body = TestRegistry.object(["id": Fixtures.bob.id.rawValue, "public_key": Fixtures.bob.publicKey.base64])
            // Signed by mallory, claiming to be bob.
            let forged = RequestSigning.headers(
                identity: Fixtures.mallory, method: "POST", target: "/v1/twins", body: body,
                timestamp: Int64(Date().timeIntervalSince1970))
            let reply = try await registry.send(
                .POST, "/v1/twins", body: body, signer: Fixtures.bob,
                headers: forged.filter { $0.name == RequestSigning.signatureHeader })
            #expect(reply.status == 401)
            #expect(reply.errorCode == "bad_signature")
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.bob.id)").status == 404)

            // A body changed after signing.
            let farm = try await registry.farm()
            let tampered = TestRegistry.nodeBody(Fixtures.node1, farm: farm, publicIPs: [])
            let signed = RequestSigning.headers(
                identity: Fixtures.node1, method: "POST", target: "/v1/nodes",
                body: TestRegistry.nodeBody(Fixtures.node1, farm: farm, publicIPs: ["203.0.113.1"]),
                timestamp: Int64(Date().timeIntervalSince1970))
            let changed = try await registry.send(.POST, "/v1/nodes", body: tampered, headers: signed)
            #expect(changed.status == 401)
            #expect(changed.errorCode == "bad_signature")
            #expect(try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)").status == 404)
        }
    }

    @Test func unsignedRequestIsRefused() async throws {
        try await TestRegistry.with { registry in
            let body = TestRegistry.object(["id": Fixtures.bob.id.rawValue, "public_key": Fixtures.bob.publicKey.base64])
            let reply = try await registry.send(.POST, "/v1/twins", body: body)
            #expect(reply.status == 401)
            #expect(reply.errorCode == "missing_signature")
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.bob.id)").status == 404)
        }
    }

    @Test func idMustBeDerivedFromTheKey() async throws {
        try await TestRegistry.with { registry in
            let body = TestRegistry.object(["id": Fixtures.bob.id.rawValue, "public_key": Fixtures.mallory.publicKey.base64])
            let reply = try await registry.send(.POST, "/v1/twins", body: body, signer: Fixtures.bob)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "id_mismatch")
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.bob.id)").status == 404)
        }
    }

    @Test func skewedClockIsRefusedAndStoresNothing() async throws {
        try await TestRegistry.with { registry in
            let body = TestRegistry.object(["id": Fixtures.bob.id.rawValue, "public_key": Fixtures.bob.publicKey.base64])
            for offset: Int64 in [-3600, 3600] {
                let reply = try await registry.send(
                    .POST, "/v1/twins", body: body, signer: Fixtures.bob,
                    timestamp: Int64(Date().timeIntervalSince1970) + offset)
                #expect(reply.status == 401)
                #expect(reply.errorCode == "clock_skew")
            }
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.bob.id)").status == 404)
        }
    }

    @Test func replayedNonceIsRefusedAndStoresNothing() async throws {
        try await TestRegistry.with { registry in
            let nonce = RequestSigning.randomNonce()
            let farm = try await registry.farm()
            let otherFarm = try await registry.farm("other-farm")
            let first = TestRegistry.nodeBody(Fixtures.node1, farm: farm, publicIPs: ["203.0.113.1"])
            #expect(try await registry.send(.POST, "/v1/nodes", body: first, signer: Fixtures.node1, nonce: nonce).status == 201)
            // The same request again, byte for byte.
            let replay = try await registry.send(.POST, "/v1/nodes", body: first, signer: Fixtures.node1, nonce: nonce)
            #expect(replay.status == 401)
            #expect(replay.errorCode == "replayed_nonce")
            // A new, validly signed request that reuses the nonce changes nothing.
            let second = TestRegistry.nodeBody(Fixtures.node1, farm: otherFarm, publicIPs: ["198.51.100.1"])
            let reused = try await registry.send(.POST, "/v1/nodes", body: second, signer: Fixtures.node1, nonce: nonce)
            #expect(reused.status == 401)
            #expect(reused.errorCode == "replayed_nonce")
            let stored = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)")
            #expect(stored.json?["public_ips"] as? [String] == ["203.0.113.1"])
            #expect((stored.json?["farm"] as? NSNumber)?.intValue == farm)
        }
    }

    @Test func unknownTwinCannotSubmitAndUnknownNodeCannotPoll() async throws {
        try await TestRegistry.with { registry in
            let document = Array(Fixtures.signedDeployment().json(pretty: false).utf8)
            let reply = try await registry.send(.POST, "/v1/deployments", body: document, signer: Fixtures.alice)
            #expect(reply.status == 401)
            #expect(reply.errorCode == "unknown_identity")
            #expect(try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office").status == 404)

            let poll = try await registry.poll(Fixtures.node1)
            #expect(poll.status == 401)
            #expect(poll.errorCode == "unknown_identity")
            // A registered node cannot read another node's mailbox.
            try await registry.registerNode(Fixtures.node2)
            let other = try await registry.send(.GET, "/v1/nodes/\(Fixtures.node1.id)/mailbox", signer: Fixtures.node2)
            #expect(other.status == 403)
            #expect(other.errorCode == "wrong_identity")
        }
    }

    @Test func malformedAndOversizedBodiesAreRefused() async throws {
        try await TestRegistry.with(maximumBodyBytes: 4096) { registry in
            let garbage = Array("{\"id\": ".utf8)
            let malformed = try await registry.send(.POST, "/v1/twins", body: garbage, signer: Fixtures.bob)
            #expect(malformed.status == 400)
            #expect(malformed.errorCode == "malformed_json")
            let missing = try await registry.send(
                .POST, "/v1/twins", body: TestRegistry.object(["id": Fixtures.bob.id.rawValue]), signer: Fixtures.bob)
            #expect(missing.status == 400)
            #expect(missing.errorCode == "malformed_json")
            let huge = [UInt8](repeating: 0x20, count: 5000)
            let oversized = try await registry.send(.POST, "/v1/twins", body: huge, signer: Fixtures.bob)
            #expect(oversized.status == 413)
            #expect(oversized.errorCode == "body_too_large")
            #expect(try await registry.send(.GET, "/v1/twins/\(Fixtures.bob.id)").status == 404)
        }
    }
}
