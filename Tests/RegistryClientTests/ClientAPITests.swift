import DeploymentTestSupport
import Deployments
import RegistryClient
import Testing
import ZmeshCrypto
import ZmeshModel
import RegistryTestSupport

/// The typed API against a real registry on 127.0.0.1.
@Suite struct ClientAPITests {
    @Test func twinsFarmsAndNodesRoundTrip() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let first = try await alice.registerTwin()
            #expect(first.isNew)
            #expect(first.record.id == Fixtures.alice.id)
            #expect(first.record.publicKey == Fixtures.alice.publicKey)
            #expect(try await alice.registerTwin().isNew == false)
            let read = try await ClientFixtures.client(url, as: nil).twin(Fixtures.alice.id)
            #expect(read == first.record)

            let farm = try await alice.createFarm(name: "alice-farm")
            #expect(farm.isNew)
            #expect(farm.record.owner == Fixtures.alice.id)
            let again = try await alice.createFarm(name: "alice-farm")
            #expect(again.record == farm.record)
            #expect(again.isNew == false)
            #expect(try await alice.farm(farm.record.id) == farm.record)

            // Another identity on the same transport.
            let node = alice.signing(as: Fixtures.node1)
            #expect(node.identity?.id == Fixtures.node1.id)
            let ips = [try IPAddress("203.0.113.1"), try IPAddress("2001:db8::1")]
            let registered = try await node.registerNode(
                farm: farm.record.id, publicIPs: ips, usedPorts: [22, 443], outbound: [.ipv4, .ipv6])
            #expect(registered.isNew)
            let stored = try await alice.node(Fixtures.node1.id)
            #expect(stored.id == Fixtures.node1.id)
            #expect(stored.farm == farm.record.id)
            #expect(stored.publicKey == Fixtures.node1.publicKey)
            #expect(stored.publicIPs == ips)
            #expect(stored.usedPorts == [22, 443])
            #expect(stored.outbound == [.ipv4, .ipv6])
            #expect(stored.updatedAt > 0)
            #expect(!stored.isHidden)

            // Re-registration as a hidden node replaces the addresses.
            let hidden = try await node.registerNode(farm: farm.record.id, publicIPs: [])
            #expect(hidden.isNew == false)
            #expect(try await alice.node(Fixtures.node1.id).isHidden)
        }
    }

    @Test func nodeRegistrationRefusesTwoAddressesOfOneFamilyBeforeSending() async throws {
        let client = try ClientFixtures.client(try RegistryURL("http://127.0.0.1:9"), as: Fixtures.node1)
        let error = await #expect(throws: RegistryClientError.self) {
            _ = try await client.registerNode(
                farm: 1, publicIPs: [try IPAddress("203.0.113.1"), try IPAddress("203.0.113.2")])
        }
        guard case .invalidArgument(let operation, let value, _) = error else {
            Issue.record("expected invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(operation == "register node")
        #expect(value.contains("203.0.113.2"))
    }

    @Test func deploymentsAreStoredListedAndReadBack() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let deployment = Fixtures.signedDeployment()
            let document = Array(deployment.json(pretty: false).utf8)

            guard case .stored(let summary) = try await alice.submitDeployment(documentJSON: document) else {
                Issue.record("a new version is stored")
                return
            }
            #expect(summary.owner == Fixtures.alice.id)
            #expect(summary.network == "office")
            #expect(summary.version == 0)
            #expect(summary.digest == deployment.digest.hex)
            #expect(summary.submittedBy == Fixtures.alice.id)
            #expect(try await alice.submitDeployment(documentJSON: document) == .alreadyStored(summary))

            #expect(try await alice.deploymentHistory(owner: Fixtures.alice.id, network: "office") == [summary])
            let stored = try await alice.deploymentDocument(owner: Fixtures.alice.id, network: "office", version: 0)
            #expect(try Deployment(json: stored).digest == deployment.digest)
        }
    }

    @Test func aDeploymentShortOfItsWeightIsProposed() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            var deployment = Fixtures.deployment()
            try deployment.sign(with: Fixtures.alice)  // weight 2 of 3
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let answer = try await alice.submitDeployment(documentJSON: Array(deployment.json(pretty: false).utf8))
            guard case .proposed(let proposal) = answer else {
                Issue.record("expected a proposal, got \(answer)")
                return
            }
            #expect(proposal.signedWeight == 2)
            #expect(proposal.weightRequired == 3)
            #expect(Set(proposal.awaiting) == [Fixtures.bob.id, Fixtures.carol.id])
            let pending = try await alice.proposals(signer: Fixtures.bob.id)
            // The same proposal (the order of `awaiting` is not specified).
            #expect(pending.count == 1)
            #expect(pending.first?.status.digest == proposal.digest)
            #expect(pending.first?.status.signedWeight == 2)
            #expect(pending.first.map { Set($0.status.awaiting) } == Set(proposal.awaiting))
            #expect(try Deployment(json: try #require(pending.first).document).digest == deployment.digest)
        }
    }

    @Test func statusReportsAreReadBackPerNetwork() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            _ = try await ClientFixtures.client(url, as: Fixtures.alice).submitDeployment(
                documentJSON: ClientFixtures.document())
            let peer = PeerHealth(
                publicKey: Fixtures.publicKey(0x32).base64, lastHandshake: 1_700_000_000, rxBytes: 10, txBytes: 20,
                endpoint: "[2001:db8::2]:51821")
            let node1 = try ClientFixtures.client(url, as: Fixtures.node1)
            let accepted = try await node1.reportStatus([
                NetworkReport(owner: Fixtures.alice.id, network: "office", version: 0, state: .applied, peers: [peer])
            ])
            #expect(accepted == 1)
            let node2 = try ClientFixtures.client(url, as: Fixtures.node2)
            _ = try await node2.reportStatus([
                NetworkReport(owner: Fixtures.alice.id, network: "office", version: 0, state: .failed, error: "no port")
            ])

            let status = try await ClientFixtures.client(url, as: nil).networkStatus(owner: Fixtures.alice.id, network: "office")
            #expect(status.version == 0)
            let byID = Dictionary(uniqueKeysWithValues: status.nodes.map { ($0.id, $0) })
            #expect(byID[Fixtures.node1.id]?.state == .applied)
            #expect(byID[Fixtures.node1.id]?.peers == [peer])
            #expect(byID[Fixtures.node1.id]?.lastSeen != nil)
            #expect(byID[Fixtures.node2.id]?.state == .failed)
            #expect(byID[Fixtures.node2.id]?.error == "no port")
            #expect(byID[Fixtures.node3.id]?.state == .unknown)
        }
    }

    @Test func refusalsDecodeIntoTypedErrors() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let anonymous = try ClientFixtures.client(url, as: nil)

            let missingTwin = await #expect(throws: RegistryClientError.self) { _ = try await anonymous.twin(Fixtures.mallory.id) }
            #expect(missingTwin?.code == "unknown_twin")
            let missingNode = await #expect(throws: RegistryClientError.self) { _ = try await anonymous.node(Fixtures.mallory.id) }
            guard case .refused(let status, "unknown_node", let message, _) = missingNode else {
                Issue.record("expected unknown_node, got \(String(describing: missingNode))")
                return
            }
            #expect(status == 404)
            #expect(message.contains(Fixtures.mallory.id.rawValue))

            // Reading node 1's mailbox as node 2; signing as an unregistered identity; a skewed clock.
            let node2 = try ClientFixtures.client(url, as: Fixtures.node2)
            let wrong = await #expect(throws: RegistryClientError.self) {
                _ = try await node2.mailbox(node: Fixtures.node1.id, after: 0, wait: 0)
            }
            #expect(wrong?.code == "wrong_identity")
            let mallory = try ClientFixtures.client(url, as: Fixtures.mallory)
            let unknown = await #expect(throws: RegistryClientError.self) {
                _ = try await mallory.submitDeployment(documentJSON: ClientFixtures.document())
            }
            #expect(unknown?.code == "unknown_identity")
            let skewed = try ClientFixtures.client(url, as: Fixtures.node1) {
                $0.clock = { WallClock.unixSeconds() - 3600 }
                $0.adoptsRegistryClock = false
            }
            let late = await #expect(throws: RegistryClientError.self) {
                _ = try await skewed.mailbox(node: Fixtures.node1.id, after: 0, wait: 0)
            }
            #expect(late?.code == "clock_skew")

            // Signed, then changed: 422 with the problems the registry found, printable as is.
            var tampered = Fixtures.signedDeployment()
            tampered.nodes[0].listenPort = 40000
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            let invalid = await #expect(throws: RegistryClientError.self) {
                _ = try await alice.submitDeployment(documentJSON: Array(tampered.json(pretty: false).utf8))
            }
            guard case .refused(422, "invalid_deployment", _, let problems) = invalid else {
                Issue.record("expected invalid_deployment, got \(String(describing: invalid))")
                return
            }
            #expect(!problems.isEmpty)
            let text = "\(try #require(invalid))"
            #expect(text.hasPrefix("the registry refused the request (422 invalid_deployment)"))
            #expect(text.contains("\n  - "), "each problem on its own line: \(text)")
        }
    }

    @Test func aClientWithAWrongClockAdoptsTheRegistrys() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            // An hour behind: refused with clock_skew, then signed again with the registry's clock.
            let late = try ClientFixtures.client(url, as: Fixtures.node1) { $0.clock = { WallClock.unixSeconds() - 3600 } }
            #expect(try await late.mailbox(node: Fixtures.node1.id, after: 0, wait: 0).items.isEmpty)

            // Without retries the first call is refused, but the offset is learnt: the next call and a client
            // on the same transport get through.
            let early = try ClientFixtures.client(url, as: Fixtures.node2, retry: .noRetry) {
                $0.clock = { WallClock.unixSeconds() + 7200 }
            }
            let refused = await #expect(throws: RegistryClientError.self) {
                _ = try await early.mailbox(node: Fixtures.node2.id, after: 0, wait: 0)
            }
            #expect(refused?.code == "clock_skew")
            #expect(try await early.mailbox(node: Fixtures.node2.id, after: 0, wait: 0).items.isEmpty)
            let sibling = early.signing(as: Fixtures.node3)
            #expect(try await sibling.mailbox(node: Fixtures.node3.id, after: 0, wait: 0).items.isEmpty)
        }
    }

    @Test func anAnswerOverTheSizeLimitIsRefused() async throws {
        try await LocalRegistry.with { registry in
            let url = try registry.url
            try await ClientFixtures.enrol(url)
            let alice = try ClientFixtures.client(url, as: Fixtures.alice)
            _ = try await alice.submitDeployment(documentJSON: ClientFixtures.document())
            let small = try ClientFixtures.client(url, as: nil) { $0.maximumResponseBytes = 512 }
            let error = await #expect(throws: RegistryClientError.self) {
                _ = try await small.deploymentDocument(owner: Fixtures.alice.id, network: "office", version: 0)
            }
            guard case .responseTooLarge(_, _, 512) = error else {
                Issue.record("expected responseTooLarge, got \(String(describing: error))")
                return
            }
        }
    }
}
