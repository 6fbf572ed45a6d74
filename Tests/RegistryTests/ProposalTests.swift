import Deployments
import Foundation
import NIOHTTP1
import Registry
import Testing
import ZmeshCrypto
import DeploymentTestSupport
import RegistryTestSupport

/// A deployment short of co-owners' signatures is held as a proposal and published once they sign.
@Suite struct ProposalTests {
    static func enrol(_ registry: TestRegistry) async throws {
        try await DeploymentSubmissionTests.enrol(registry)
        #expect(try await registry.registerTwin(Fixtures.carol) == 201)
    }

    static func pending(_ registry: TestRegistry, for twin: Identity) async throws -> [[String: any Sendable]] {
        let reply = try await registry.send(.GET, "/v1/proposals?signer=\(twin.id)")
        #expect(reply.status == 200)
        return (reply.json?["proposals"] as? [[String: any Sendable]]) ?? []
    }

    @Test func shortDeploymentWaitsForCoOwnersThenIsPublished() async throws {
        try await TestRegistry.with { registry in
            try await Self.enrol(registry)
            // Alice (weight 2 of 3) proposes.
            let proposed = try Fixtures.deployment().signed(by: Fixtures.alice)
            let reply = try await DeploymentSubmissionTests.submit(registry, proposed)
            #expect(reply.status == 202)
            #expect(reply.json?["status"] as? String == "proposed")
            #expect(reply.json?["signed_weight"] as? Int == 2)
            #expect(reply.json?["weight_required"] as? Int == 3)
            let awaited = [Fixtures.bob.id.rawValue, Fixtures.carol.id.rawValue]  // in request order
            #expect(reply.json?["awaiting"] as? [String] == awaited)
            // Nothing is published yet.
            #expect(try await registry.send(.GET, "/v1/deployments/\(Fixtures.alice.id)/office").status == 404)
            #expect(try await registry.poll(Fixtures.node1).items.isEmpty)
            // Bob and carol see it; alice (signed) does not.
            #expect(try await Self.pending(registry, for: Fixtures.alice).isEmpty)
            let forBob = try await Self.pending(registry, for: Fixtures.bob)
            #expect(forBob.count == 1)
            #expect(try await Self.pending(registry, for: Fixtures.carol).count == 1)
            #expect(forBob.first?["awaiting"] as? [String] == awaited)
            let digest = try #require(forBob.first?["digest"] as? String)
            #expect(digest == proposed.digest.hex)

            // Bob approves what the registry holds: fetch, check the digest, sign, submit.
            let one = try await registry.send(.GET, "/v1/proposals/\(digest)")
            #expect(one.status == 200)
            let text = try #require(one.json?["document"] as? String)
            var document = try Deployment(json: Array(text.utf8))
            #expect(document.digest.hex == digest)
            #expect(document.signatures.map(\.twin) == [Fixtures.alice.id.rawValue])
            // Bob submits only his own signature: the registry merges alice's.
            document.signatures = []
            try document.sign(with: Fixtures.bob)
            let approved = try await DeploymentSubmissionTests.submit(registry, document, as: Fixtures.bob)
            #expect(approved.status == 201)
            #expect(approved.json?["status"] as? String == "stored")

            let items = try await registry.poll(Fixtures.node1).items
            #expect(items.count == 1)
            let delivered = try Deployment(json: Array(try #require(items.first?["document"] as? String).utf8))
            #expect(delivered.checkSignatures().isValid)
            #expect(Set(delivered.signatures.map(\.twin)) == [Fixtures.alice.id.rawValue, Fixtures.bob.id.rawValue])
            // Published: no longer pending for anyone.
            #expect(try await Self.pending(registry, for: Fixtures.carol).isEmpty)
            #expect(try await registry.send(.GET, "/v1/proposals/\(digest)").status == 404)
        }
    }

    @Test func concurrentApprovalsAllCount() async throws {
        try await TestRegistry.with { registry in
            try await Self.enrol(registry)
            // Weight 4 needs alice (2), bob (1) and carol (1): both approvals must survive.
            var heavier = Fixtures.deployment()
            heavier.signatureRequirement.weightRequired = 4
            let base = heavier
            #expect(try await DeploymentSubmissionTests.submit(registry, try base.signed(by: Fixtures.alice)).status == 202)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for twin in [Fixtures.bob, Fixtures.carol] {
                    group.addTask {
                        try await DeploymentSubmissionTests.submit(registry, try base.signed(by: twin), as: twin).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == [201, 202])
            let items = try await registry.poll(Fixtures.node2).items
            #expect(items.count == 1)
        }
    }

    @Test func proposalsAreRefusedWhenTheyCannotBecomeValid() async throws {
        try await TestRegistry.with { registry in
            try await Self.enrol(registry)
            // Bob submits carol's signature but not his own.
            let carolOnly = try Fixtures.deployment().signed(by: Fixtures.carol)
            let unsigned = try await DeploymentSubmissionTests.submit(registry, carolOnly, as: Fixtures.bob)
            #expect(unsigned.status == 422)
            #expect(unsigned.errorCode == "unsigned_proposal")
            // An invalid document is not held whatever its signatures.
            var invalid = Fixtures.deployment()
            invalid.nodes[0].listenPort = 80
            let refused = try await DeploymentSubmissionTests.submit(registry, try invalid.signed(by: Fixtures.alice))
            #expect(refused.status == 422)
            #expect(refused.errorCode == "invalid_deployment")
            // Once version 0 is stored, proposals must follow the update rules: another version 0 and a
            // version that skips one are refused, not held.
            #expect(try await DeploymentSubmissionTests.submit(registry, Fixtures.signedDeployment()).status == 201)
            var other = Fixtures.deployment()
            other.nodes[0].listenPort = 40001
            for document in [other, Fixtures.deployment(version: 2)] {
                let reply = try await DeploymentSubmissionTests.submit(registry, try document.signed(by: Fixtures.alice))
                #expect(reply.status == 422)
                #expect(reply.errorCode == "invalid_deployment")
            }
            #expect(try await Self.pending(registry, for: Fixtures.bob).isEmpty)
            #expect(try await registry.send(.GET, "/v1/proposals?signer=nobody").status == 400)
            #expect(try await registry.send(.GET, "/v1/proposals/abc").status == 400)
        }
    }
}
