import Deployments
import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// The deployer's side: a spec plus the registry's node facts become a signed-ready deployment; an
/// update keeps what the version in force fixed, read back from that version alone.
@Suite struct DeploymentDraftTests {
    static func identity(_ n: UInt8) -> Identity {
        guard let identity = try? Identity(seed: [UInt8](repeating: n, count: 32)) else {
            preconditionFailure("a 32-byte seed makes an identity")
        }
        return identity
    }

    static let owner = identity(1)
    static let coOwner = identity(2)
    /// Two public nodes (one dual-stack), two hidden nodes, and one that joins later.
    static let nodes = (11...15).map { identity(UInt8($0)) }

    static func facts(_ identity: Identity, _ ips: [String] = [], usedPorts: Set<UInt16> = []) -> NodeFacts {
        let addresses = ips.compactMap { try? IPAddress($0) }
        guard let facts = NodeFacts(id: identity.id, identityKey: identity.publicKey, publicIPs: addresses, usedPorts: usedPorts)
        else { preconditionFailure("a node's own key") }
        return facts
    }

    static let allFacts = [
        facts(nodes[0], ["203.0.113.10", "2001:db8::10"], usedPorts: [51820]),
        facts(nodes[1], ["198.51.100.7"]),
        facts(nodes[2]),
        facts(nodes[3]),
        facts(nodes[4], ["198.51.100.8"]),
    ]

    static let laptop = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())

    static func specJSON(nodes count: Int) -> String {
        let ids = nodes.prefix(count).map { "\"\($0.id)\"" }.joined(separator: ", ")
        return """
            {"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": [\(ids)],
             "accesses": [{"name": "alice-laptop", "public_key": "\(laptop.base64)"}],
             "owners": [{"twin": "\(owner.id)", "weight": 2, "required": true}, {"twin": "\(coOwner.id)", "weight": 1}],
             "weight_required": 3}
            """
    }

    static func spec(nodes count: Int) throws -> DeploymentSpec {
        try DeploymentSpec(json: Array(specJSON(nodes: count).utf8))
    }

    static func draft(nodes count: Int, previous: Deployment? = nil) throws -> DeploymentDraft {
        try DeploymentDraft.make(
            spec: try spec(nodes: count), deployer: owner.id, facts: allFacts, previous: previous,
            generateKey: WireGuardKeys.generatePrivateKey)
    }

    @Test func specIsReadWithItsOwnersAndDefaults() throws {
        let spec = try Self.spec(nodes: 4)
        #expect(spec.nodes == Self.nodes.prefix(4).map(\.id))
        #expect(spec.owner == nil)
        let requirement = spec.signatureRequirement(owner: Self.owner.id)
        #expect(requirement.weightRequired == 3)
        #expect(requirement.requests.map(\.twin) == [Self.owner.id.rawValue, Self.coOwner.id.rawValue])
        // Without owners: the owner alone.
        let alone = try DeploymentSpec(
            json: Array(#"{"name": "lab", "ipv4_range": "10.30.0.0/16", "nodes": []}"#.utf8))
        let single = alone.signatureRequirement(owner: Self.owner.id)
        #expect(single.weightRequired == 1)
        #expect(single.requests == [Deployment.SignatureRequest(twin: Self.owner.id, weight: 1, required: true)])
    }

    @Test(arguments: [
        (#"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": [], "colour": 1}"#, "colour: unknown member"),
        (#"{"name": "Office", "ipv4_range": "10.20.0.0/16", "nodes": []}"#, "name:"),
        (#"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": ["nope"]}"#, "nodes[0]:"),
        (#"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": [], "owners": []}"#, "owners: list at least one"),
        (#"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": [], "owners": [{"twin": "x", "weight": -1}]}"#,
         "owners[0].weight"),
        (#"{"name": "office", "nodes": []}"#, "ipv4_range: missing"),
    ])
    func badSpecsNameTheirProblem(json: String, expected: String) {
        #expect {
            try DeploymentSpec(json: Array(json.utf8))
        } throws: { error in
            (error as? DocumentError)?.problems.contains { $0.contains(expected) } == true
        }
    }

    @Test func duplicateNodesAreRefused() {
        let id = Self.nodes[0].id
        let json = #"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": ["\#(id)", "\#(id)"]}"#
        #expect(throws: DocumentError.self) { try DeploymentSpec(json: Array(json.utf8)) }
    }

    @Test func createdDeploymentIsValidAndEachNodeOpensItsOwnKey() throws {
        let draft = try Self.draft(nodes: 4)
        var document = draft.deployment
        #expect(document.version == 0)
        #expect(document.owner == Self.owner.id.rawValue)
        #expect(Set(draft.newKeys) == Set(Self.nodes.prefix(4).map(\.id)))
        #expect(document.validationProblems().isEmpty)
        try document.sign(with: Self.owner)
        #expect(document.checkSignatures().isAwaitingSignatures)
        try document.sign(with: Self.coOwner)
        let validated = try document.admitted(after: nil)
        for identity in Self.nodes.prefix(4) {
            let node = try #require(validated.node(identity.id))
            let key = try node.openPrivateKey(with: identity)
            #expect(WireGuardKeys.publicKey(for: key) == node.publicKey)
            // Another node's identity cannot open it.
            #expect(throws: CryptoError.self) { try node.sealedPrivateKey.open(with: Self.nodes[4], expectedPublicKey: node.publicKey) }
        }
        // The port 51820 the first node reports in use is avoided.
        #expect(validated.node(Self.nodes[0].id)?.listenPort != 51820)
    }

    @Test func theVersionInForceIsReadBackAsThePlanItCameFrom() throws {
        let draft = try Self.draft(nodes: 4)
        let spec = try Self.spec(nodes: 4)
        let readBack = try #require(PreviousPlan(deployment: draft.deployment, accesses: spec.accesses))
        let fromPlan = PreviousPlan(draft.plan)
        #expect(readBack.networkID == fromPlan.networkID)
        #expect(Set(readBack.nodes) == Set(fromPlan.nodes))
        #expect(Set(readBack.accesses) == Set(fromPlan.accesses))
        #expect(readBack.nodes.contains { $0.accessNode != nil })
        #expect(readBack.accesses.count == 1)
    }

    @Test func updateKeepsSubnetsPortsAndKeysAndAddsOnlyTheNewNode() throws {
        let first = try Self.draft(nodes: 4).deployment
        let second = try Self.draft(nodes: 5, previous: first)
        #expect(second.deployment.version == 1)
        #expect(second.newKeys == [Self.nodes[4].id])
        for old in first.nodes {
            let new = try #require(second.deployment.nodes.first { $0.id == old.id })
            #expect(new.subnet == old.subnet)
            #expect(new.ipv6Subnet == old.ipv6Subnet)
            #expect(new.listenPort == old.listenPort)
            #expect(new.publicKey == old.publicKey)
            #expect(new.sealedPrivateKey == old.sealedPrivateKey)
        }
        var signed = second.deployment
        try signed.sign(with: Self.owner)
        try signed.sign(with: Self.coOwner)
        var previous = first
        try previous.sign(with: Self.owner)
        try previous.sign(with: Self.coOwner)
        #expect(throws: Never.self) { try signed.admitted(after: previous) }
    }

    @Test func removalEmptiesTheNetworkAsTheNextVersion() throws {
        var previous = try Self.draft(nodes: 4).deployment
        try previous.sign(with: Self.owner)
        try previous.sign(with: Self.coOwner)
        var removal = DeploymentDraft.removal(of: previous)
        #expect(removal.nodes.isEmpty)
        #expect(removal.version == 1)
        try removal.sign(with: Self.owner)
        try removal.sign(with: Self.coOwner)
        #expect(throws: Never.self) { try removal.admitted(after: previous) }
    }

    @Test func draftsRefuseUnknownNodesOtherOwnersAndKeylessAccesses() throws {
        let stranger = Self.identity(99)
        var spec = try Self.spec(nodes: 2)
        spec.nodes.append(stranger.id)
        #expect(throws: DraftError("node \(stranger.id) is not registered")) {
            try DeploymentDraft.make(
                spec: spec, deployer: Self.owner.id, facts: Self.allFacts, previous: nil,
                generateKey: WireGuardKeys.generatePrivateKey)
        }
        let first = try Self.draft(nodes: 2).deployment
        #expect(throws: DraftError.self) {
            try DeploymentDraft.make(
                spec: try Self.spec(nodes: 2), deployer: Self.coOwner.id, facts: Self.allFacts, previous: first,
                generateKey: WireGuardKeys.generatePrivateKey)
        }
        var keyless = try Self.spec(nodes: 2)
        keyless.accessesWithoutKey = ["alice-laptop"]
        #expect(throws: DraftError.self) {
            try DeploymentDraft.make(
                spec: keyless, deployer: Self.owner.id, facts: Self.allFacts, previous: nil,
                generateKey: WireGuardKeys.generatePrivateKey)
        }
        // The registry cannot pass off another key as a node's.
        #expect(NodeFacts(id: Self.nodes[0].id, identityKey: Self.nodes[1].publicKey) == nil)
    }
}
