import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing
import ZmeshCrypto

/// Issue 8, scenario 7: bad input. A network `office` owned by alice (required, weight 1) and bob
/// (weight 1), weight 2 required, deployed over nodes 1 and 2 with the real commands (`zmesh network
/// create` by alice → a proposal, `zmesh deployment approve` by bob → stored). Then documents no
/// command would produce are crafted here from the stored version (Deployments' types, signed with
/// the twins' identity files) and POSTed to the registry with curl from the LAN, each request signed
/// as docs/registry.md says. Every one is refused (or, short of signatures, held as a proposal) with
/// an error naming the problem, and nothing changes on any node: the network's kernel view, each
/// node's root namespace (`hostState()`), the versions the registry stores and the nodes report, and a
/// continuous ping between the two workloads (zero loss).
@Suite("Bad input on a grid", .requiresGrid, .serialized)
struct BadInputGridTests {
    /// What must not change: per node its root namespace and the network's view; the stored versions;
    /// per node the version it reports.
    struct Snapshot: Equatable {
        var hosts: [NodeHostState]
        var views: [[String]]
        var stored: [String]
        var reported: [String]

        var lines: [String] {
            hosts.enumerated().flatMap { i, host in host.description.split(separator: "\n").map { "host \(i): \($0)" } }
                + views.enumerated().flatMap { i, view in view.map { "view \(i): \($0)" } }
                + stored.map { "stored: \($0)" } + reported.map { "reported: \($0)" }
        }

        /// Lines only in `self` (-) or only in `other` (+).
        func differences(to other: Snapshot) -> [String] {
            let (old, new) = (Set(lines), Set(other.lines))
            return old.subtracting(new).sorted().map { "- \($0)" } + new.subtracting(old).sorted().map { "+ \($0)" }
        }
    }

    /// `nodes`' root namespaces; the network's view on those that have it.
    static func snapshot(_ nodes: [SimulatedNode], _ network: GridNetwork) throws -> Snapshot {
        let members = nodes.filter { (try? $0.namespaces().contains(network.namespace)) == true }
        let status = try network.owner.status(network: network.name)
        return Snapshot(
            hosts: try nodes.map { try $0.hostState() },
            views: try members.map { try $0.networkView(network: network.id) },
            stored: try network.owner.storedVersions(network: network.name),
            reported: status.nodes.map { "\($0.id) \($0.state) v\($0.version.map(String.init) ?? "-")" })
    }

    /// One refusal expected: status, code, and a text the message or a problem must contain.
    static func expectRefused(
        _ what: String, _ answer: RegistryAnswer, status: Int, code: String, naming: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        print("grid: bad input, \(what): \(answer.status) \(answer.body)")
        #expect(answer.status == status, "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.code == code, "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.body.contains(naming), "\(what) should name '\(naming)': \(answer)", sourceLocation: sourceLocation)
    }

    @Test func badDeploymentsAreRefusedAndChangeNothing() throws {
        try Grid.with { grid in
            let alice = try grid.deployer("alice")
            let bob = try grid.deployer("bob")
            let mallory = try grid.deployer("mallory")  // a registered twin outside the network's requests
            let farm = try alice.createFarm()
            let nodes = try grid.addNodes(3)
            for node in nodes { try node.startAgent(farm: farm) }
            try alice.waitForRegistration(nodes)
            let (one, two, three) = (nodes[0], nodes[1], nodes[2])

            // Version 0, two owners: alice proposes, bob approves.
            let network = try GridNetwork(owner: alice, name: "office")
            let spec = "\(grid.directory)/office-multisig.yaml"
            try FileIO.writeFile(
                """
                name: office
                ipv4_range: 10.20.0.0/16
                nodes:
                  - \(one.id)
                  - \(two.id)
                owners:
                  - {twin: \(alice.id), weight: 1, required: true}
                  - {twin: \(bob.id), weight: 1}
                weight_required: 2

                """, to: spec)
            let proposed = try alice.create(spec: spec)
            #expect(proposed.contains("proposed"), "\(proposed)")
            let pending = try bob.pendingProposals()
            try #require(pending.count == 1, "\(pending)")
            try bob.zmesh(["deployment", "approve", pending[0].digest, "--identity", bob.identityPath]).output()
            try alice.waitUntilApplied(network: "office", version: 0)
            for node in [one, two] { try network.attachWorkload(on: node) }
            let (a, b) = (try network.workload(one), try network.workload(two))
            #expect(a.firstPing(b.ipv4) != nil)

            let v0 = try alice.storedDocument(network: "office", version: 0)
            #expect(v0.checkSignatures().isValid)
            var next = v0
            next.version = 1
            next.signatures = []
            let (aliceKey, bobKey, malloryKey) = (try alice.identity(), try bob.identity(), try mallory.identity())
            let fullySigned = try next.signed(by: aliceKey).signed(by: bobKey)

            let before = try Self.snapshot([one, two, three], network)
            let forward = try a.startContinuousPing(to: b.ipv4)
            let backward = try b.startContinuousPing(to: a.ipv4)
            let start = ContinuousClock.now

            // Unsigned: the request, then the document.
            let unsignedRequest = RegistryRequest(target: "/v1/deployments", body: Array(fullySigned.json().utf8), signedBy: nil)
            Self.expectRefused(
                "an unsigned request", try grid.send(unsignedRequest), status: 401, code: "missing_signature",
                naming: "X-Zmesh")
            Self.expectRefused(
                "an unsigned document", try alice.submit(document: next.json()), status: 422, code: "unsigned_proposal",
                naming: alice.id)

            // Under-signed: alice alone (weight 1 of 2) is held as a proposal awaiting bob; nothing
            // reaches a node. With an outsider's signature to make up the weight: refused.
            let aliceOnly = try next.signed(by: aliceKey)
            let held = try alice.submit(document: aliceOnly.json())
            print("grid: bad input, under-signed (alice only, weight 1 of 2): \(held)")
            #expect(held.status == 202 && held.code == "proposed", "\(held)")
            #expect(held.body.contains("awaiting") && held.body.contains(bob.id), "\(held)")
            let awaiting = try bob.pendingProposals()
            #expect(awaiting.map(\.version) == [1] && awaiting.first?.signedWeight == 1, "\(awaiting)")
            // (Deployment.sign refuses a twin that is not requested: the outsider's signature is made by hand.)
            var withOutsider = aliceOnly
            withOutsider.signatures.append(
                Deployment.Signature(
                    twin: mallory.id, publicKey: malloryKey.publicKey.base64,
                    signature: malloryKey.signature(for: aliceOnly.digest.bytes).base64))
            Self.expectRefused(
                "alice and an outsider", try alice.submit(document: withOutsider.json()),
                status: 422, code: "invalid_deployment", naming: mallory.id)
            Self.expectRefused(
                "an outsider submitting", try mallory.submit(document: fullySigned.json()), status: 403,
                code: "not_an_owner", naming: mallory.id)

            // Tampered after signing: a field of a fully signed document, then the request's body.
            var tampered = fullySigned
            tampered.nodes[0].listenPort += 1
            Self.expectRefused(
                "a signed document with a changed listen port", try alice.submit(document: tampered.json()), status: 422,
                code: "invalid_deployment", naming: "does not verify")
            var rerouted = fullySigned
            rerouted.nodes[1].peers[0].endpoint = "198.51.100.66:\(rerouted.nodes[0].listenPort)"
            Self.expectRefused(
                "a signed document with a changed peer endpoint", try alice.submit(document: rerouted.json()),
                status: 422, code: "invalid_deployment", naming: "does not verify")
            let request = try alice.request(document: fullySigned.json())
            Self.expectRefused(
                "a signed request whose body changed", try grid.send(request.withBody(Array(tampered.json().utf8))),
                status: 401, code: "bad_signature", naming: alice.id)

            // Invalid, validly signed by both owners.
            var overlapping = next
            overlapping.nodes[1].subnet = overlapping.nodes[0].subnet
            Self.expectRefused(
                "overlapping subnets", try alice.submit(document: try overlapping.signed(by: aliceKey).signed(by: bobKey).json()),
                status: 422, code: "invalid_deployment", naming: "nodes[1].subnet")
            var reserved = next
            reserved.network.ipv4Range = "100.64.0.0/16"
            Self.expectRefused(
                "a range in zmesh's reserved 100.64.0.0/10", try alice.submit(document: try reserved.signed(by: aliceKey).signed(by: bobKey).json()),
                status: 422, code: "invalid_deployment", naming: "network.ipv4_range")
            var badKey = next
            badKey.nodes[0].publicKey = "not-a-wireguard-key"
            Self.expectRefused(
                "a bad WireGuard key", try alice.submit(document: try badKey.signed(by: aliceKey).signed(by: bobKey).json()),
                status: 422, code: "invalid_deployment", naming: "nodes[0].public_key")
            var ghost = next
            ghost.nodes[1].id = mallory.id  // an identity that is no registered node
            Self.expectRefused(
                "a node that does not exist", try alice.submit(document: try ghost.signed(by: aliceKey).signed(by: bobKey).json()),
                status: 422, code: "unknown_node", naming: mallory.id)
            var skipping = next
            skipping.version = 5
            Self.expectRefused(
                "a version skipping ahead", try alice.submit(document: try skipping.signed(by: aliceKey).signed(by: bobKey).json()),
                status: 422, code: "invalid_deployment", naming: "skips ahead")
            Self.expectRefused(
                "a body that is not a document", try alice.submit(document: "{\"schema\": 1, \"version\": 1}"), status: 400,
                code: "malformed_json", naming: "not a deployment document")

            // Nothing changed anywhere (the agents had time to act on anything delivered).
            SpawnedProcess.sleep(.seconds(3))
            let after = try Self.snapshot([one, two, three], network)
            #expect(after == before, "state changed after refused input: \(before.differences(to: after))")
            #expect(try alice.storedVersions(network: "office").count == 1)
            #expect(try three.namespaces().allSatisfy { $0 != network.namespace }, "node 3 got the network")

            // A newer valid version (v1, both signatures) is stored and applied; the same request sent
            // again is a replayed nonce, and version 0 resubmitted is refused as older.
            let v1Request = try alice.request(document: fullySigned.json())
            let stored = try grid.send(v1Request)
            #expect(stored.status == 201 && stored.code == "stored", "\(stored)")
            try alice.waitUntilApplied(network: "office", version: 1)
            Self.expectRefused(
                "the v1 request sent again", try grid.send(v1Request), status: 401, code: "replayed_nonce", naming: "replay")
            let beforeReplay = try Self.snapshot([one, two, three], network)
            Self.expectRefused(
                "version 0 replayed after version 1", try alice.submit(document: v0.json()), status: 422,
                code: "invalid_deployment", naming: "version 0 is older than version 1")
            Self.expectRefused(
                "version 0 replayed by bob", try bob.submit(document: v0.json()), status: 422,
                code: "invalid_deployment", naming: "older")
            SpawnedProcess.sleep(.seconds(3))
            let afterReplay = try Self.snapshot([one, two, three], network)
            #expect(afterReplay == beforeReplay, "state changed after the replay: \(beforeReplay.differences(to: afterReplay))")
            #expect(afterReplay.reported.allSatisfy { $0.hasSuffix("applied v1") }, "\(afterReplay.reported)")
            #expect(try bob.pendingProposals().isEmpty, "the proposal was overtaken by version 1")

            let results = [try forward.stop(), try backward.stop()]
            print("grid: bad input, 13 refused submissions and 1 held proposal over \((ContinuousClock.now - start).readable), continuous pings: \(results[0]) / \(results[1])")
            for result in results { #expect(result.sent > 0 && result.lostCount == 0, "\(result)") }
            // Only version 1 itself changed a node: the network's view is the same before and after it
            // (same plan, new version number) but for the reported version.
            #expect(afterReplay.views == before.views, "version 1 (same plan) changed the kernel state: \(before.differences(to: afterReplay))")
        }
    }
}
