import Deployments
import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// Deployments are verified (signatures, validation, update rules) before anything is stored.
@Suite struct DeploymentSubmissionTests {
    /// Registers alice and bob (twins) and the three fixture nodes.
    static func enrol(_ registry: TestRegistry) async throws {
        for twin in [Fixtures.alice, Fixtures.bob] { #expect(try await registry.registerTwin(twin) == 201) }
        for node in [Fixtures.node1, Fixtures.node2, Fixtures.node3] {
            #expect(try await registry.registerNode(node) == 201)
        }
    }

    static func submit(_ registry: TestRegistry, _ deployment: Deployment, as signer: Identity = Fixtures.alice)
        async throws -> TestRegistry.Reply
    {
        try await registry.send(
            .POST, "/v1/deployments", body: Array(deployment.json(pretty: false).utf8), signer: signer)
    }

    @Test func deploymentWithBadSignaturesIsRefusedAndStoresNothing() async throws {
        try await TestRegistry.with { registry in
            try await Self.enrol(registry)
            // A signature from a twin that is not requested: refused, not held as a proposal.
            var foreign = Fixtures.deployment()
            try foreign.sign(with: Fixtures.bob)
            foreign.signatures.append(
                Deployment.Signature(
                    twin: Fixtures.mallory.id.rawValue, publicKey: Fixtures.mallory.publicKey.base64,
                    signature: Fixtures.mallory.signature(for: foreign.digest.bytes).base64))
            let short = try await Self.submit(registry, foreign, as: Fixtures.bob)
            #expect(short.status == 422)
            #expect(short.errorCode == "invalid_deployment")
            let problems = (short.json?["error"] as? [String: any Sendable])?["problems"] as? [[String: any Sendable]]
            #expect(problems?.contains { ($0["path"] as? String)?.hasPrefix("signatures[1]") == true } == true)

            // Signed, then changed: the signatures no longer cover the document.
            var tampered = Fixtures.signedDeployment()
            tampered.nodes[0].listenPort = 40000
            let changed = try await Self.submit(registry, tampered)
            #expect(changed.status == 422)
            #expect(changed.errorCode == "invalid_deployment")

            #expect(try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office").status == 404)
            #expect(try await registry.poll(Fixtures.node1).items.isEmpty)
        }
    }

    @Test func validDeploymentIsStoredWithHistoryAndUpdateRules() async throws {
        try await TestRegistry.with { registry in
            try await Self.enrol(registry)
            let first = Fixtures.signedDeployment(version: 0)
            let stored = try await Self.submit(registry, first)
            #expect(stored.status == 201)
            #expect(stored.json?["digest"] as? String == first.digest.hex)
            // The same document again is at-least-once, not an error.
            let again = try await Self.submit(registry, first)
            #expect(again.status == 200)
            #expect(again.json?["status"] as? String == "already_stored")
            // Skipping a version breaks the update rules.
            let skip = try await Self.submit(registry, Fixtures.signedDeployment(version: 2))
            #expect(skip.status == 422)
            #expect(skip.errorCode == "invalid_deployment")
            // Bob may submit as a requested signer; the next version is accepted.
            #expect(try await Self.submit(registry, Fixtures.signedDeployment(version: 1), as: Fixtures.bob).status == 201)

            let history = try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office")
            let versions = (history.json?["versions"] as? [[String: any Sendable]])?.compactMap {
                ($0["version"] as? NSNumber)?.intValue
            }
            #expect(versions == [0, 1])
            let document = try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office/0")
            #expect(document.status == 200)
            #expect(try Deployment(json: document.bytes).digest == first.digest)
        }
    }

    @Test func deploymentToAnUnregisteredNodeOrByAnOutsiderIsRefused() async throws {
        try await TestRegistry.with { registry in
            for twin in [Fixtures.alice, Fixtures.bob, Fixtures.mallory] { try await registry.registerTwin(twin) }
            try await registry.registerNode(Fixtures.node1)
            try await registry.registerNode(Fixtures.node2)
            let unknown = try await Self.submit(registry, Fixtures.signedDeployment())
            #expect(unknown.status == 422)
            #expect(unknown.errorCode == "unknown_node")
            try await registry.registerNode(Fixtures.node3)
            let outsider = try await Self.submit(registry, Fixtures.signedDeployment(), as: Fixtures.mallory)
            #expect(outsider.status == 403)
            #expect(outsider.errorCode == "not_an_owner")
            #expect(try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office").status == 404)
        }
    }
}
