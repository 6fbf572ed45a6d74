import PropertyBased
import Testing
import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

@testable import Deployments
import DeploymentTestSupport

/// Properties over random valid, signed deployments (built from one seed, so a failure reproduces).
@Suite struct PropertyTests {
    static let owners = [Fixtures.alice, Fixtures.bob, Fixtures.carol]
    static let nodeIdentities = (0..<8).map { Fixtures.identity(UInt8(40 + $0)) }

    /// A random valid deployment: 1–6 nodes, random peers, keepalives and endpoints; 1–3 owners with
    /// random weights; signed by a random sufficient set of owners, in random order.
    static func randomDeployment(_ seed: UInt64) -> Deployment {
        var rng = SplitMix64(seed: seed)
        let nodeCount = Int.random(in: 1...6, using: &rng)
        let second = UInt8.random(in: 0...255, using: &rng)
        let range = Fixtures.prefix("10.\(second).0.0/16")
        let ula = Fixtures.prefix(
            "fd\(String(UInt8.random(in: 16...255, using: &rng), radix: 16)):\(String(UInt16.random(in: 1...0xffff, using: &rng), radix: 16))::/48"
        )
        let keys = (0..<nodeCount).map { i in
            Fixtures.wireGuardKey(UInt8(truncatingIfNeeded: Int(second) &+ i &* 7 &+ 1))
        }
        let publics = keys.map(WireGuardKeys.publicKey(for:))
        var nodes: [Deployment.Node] = []
        for i in 0..<nodeCount {
            var peers: [Deployment.Peer] = []
            for j in 0..<nodeCount where j != i && Bool.random(using: &rng) {
                let endpoint: Endpoint? =
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: nil
                    case 1: Fixtures.endpoint("198.51.100.\(j + 1):\(UInt16.random(in: 1...65535, using: &rng))")
                    default: Fixtures.endpoint("[2001:db8::\(j + 1)]:\(UInt16.random(in: 1...65535, using: &rng))")
                    }
                peers.append(
                    Deployment.Peer(
                        publicKey: publics[j],
                        allowedIPs: [
                            Fixtures.prefix("10.\(second).\(j + 1).0/24"),
                            Fixtures.prefix("100.64.\(second).\(j + 1)/32"),
                        ],
                        endpoint: endpoint,
                        persistentKeepalive: Bool.random(using: &rng) ? UInt16.random(in: 0...65535, using: &rng) : nil)
                )
            }
            let ipv6: IPPrefix
            if case .v6(let base) = ula.address {
                let subnet = IPPrefix.init
                ipv6 = (try? subnet(.v6(IPv6Address(high: base.high | UInt64(i + 1), low: 0)), 64)) ?? ula
            } else {
                ipv6 = ula
            }
            do {
                nodes.append(
                    try Deployment.Node(
                        node: nodeIdentities[i].publicKey, subnet: Fixtures.prefix("10.\(second).\(i + 1).0/24"),
                        ipv6Subnet: ipv6, listenPort: UInt16.random(in: 1024...65535, using: &rng), privateKey: keys[i],
                        peers: peers))
            } catch {
                Issue.record("sealing failed: \(error)")
            }
        }
        let ownerCount = Int.random(in: 1...3, using: &rng)
        let weights = (0..<ownerCount).map { _ in UInt32.random(in: 1...5, using: &rng) }
        let requests = (0..<ownerCount).map { i in
            Deployment.SignatureRequest(
                twin: owners[i].id, weight: weights[i], required: i == 0 || Bool.random(using: &rng))
        }
        let total = Int64(weights.reduce(0, +))
        var deployment = Deployment(
            version: UInt64.random(in: 0...1000, using: &rng), owner: owners[0].id,
            network: Deployment.Network(name: "net-\(seed % 1000)", ipv4Range: range, ipv6Range: ula), nodes: nodes,
            signatureRequirement: Deployment.SignatureRequirement(requests: requests, weightRequired: 1))
        // Everyone signs, in random order; then the requirement is set to what they reach.
        for owner in owners.prefix(ownerCount).shuffled(using: &rng) {
            do { try deployment.sign(with: owner) } catch { Issue.record("\(error)") }
        }
        deployment.signatureRequirement.weightRequired = Int64.random(in: 1...total, using: &rng)
        // The requirement is signed too: sign again (replacing) after fixing it.
        for owner in owners.prefix(ownerCount).shuffled(using: &rng) {
            do { try deployment.sign(with: owner) } catch { Issue.record("\(error)") }
        }
        return deployment
    }

    @Test func randomDeploymentsAreValid() async {
        await propertyCheck(count: 50, input: Gen.uint64()) { seed in
            let deployment = Self.randomDeployment(seed)
            #expect(deployment.validationProblems() == [])
            #expect(deployment.checkSignatures().isValid)
        }
    }

    /// Any single-byte change to the compact JSON of a signed deployment — in any field, signed
    /// values, member names, punctuation or the signatures — is refused: the JSON or the schema
    /// breaks, or the digest changes and no signature verifies, or a signature no longer verifies.
    @Test func anySingleByteChangeToTheDocumentFailsVerification() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.uint64()) { seed, mutation in
            let deployment = Self.randomDeployment(seed)
            var bytes = Array(deployment.json(pretty: false).utf8)
            var rng = SplitMix64(seed: mutation)
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            let original = bytes[index]
            bytes[index] = UInt8.random(in: 1...255, using: &rng) &+ original  // never the same byte
            let accepted = Self.accepted(bytes)
            #expect(!accepted, "byte \(index) '\(Character(Unicode.Scalar(original)))' changed, seed \(seed)")
        }
    }

    /// The same, exhaustively over every byte position of one document (with a random replacement).
    @Test func everyBytePositionIsCovered() {
        let deployment = Self.randomDeployment(42)
        let json = Array(deployment.json(pretty: false).utf8)
        var rng = SplitMix64(seed: 7)
        #expect(Self.accepted(json))
        for index in json.indices {
            var bytes = json
            bytes[index] &+= UInt8.random(in: 1...255, using: &rng)
            let accepted = Self.accepted(bytes)
            #expect(!accepted, "byte \(index) changed")
        }
    }

    /// Any single-byte change to the canonical encoding changes the digest, so no signature of the
    /// original verifies over it.
    @Test func anySingleByteChangeToTheCanonicalEncodingFailsVerification() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.uint64()) { seed, mutation in
            let deployment = Self.randomDeployment(seed)
            var canonical = deployment.canonicalBytes
            var rng = SplitMix64(seed: mutation)
            let index = Int.random(in: 0..<canonical.count, using: &rng)
            canonical[index] &+= UInt8.random(in: 1...255, using: &rng)
            let digest = BLAKE2b.hash256(canonical)
            #expect(digest != deployment.digest)
            for entry in deployment.signatures {
                guard let key = try? Ed25519PublicKey(entry.publicKey),
                    let signature = try? Ed25519Signature(entry.signature)
                else {
                    Issue.record("signature entry does not parse")
                    continue
                }
                #expect(key.isValidSignature(signature, for: deployment.digest.bytes))
                #expect(!key.isValidSignature(signature, for: digest.bytes))
            }
        }
    }

    /// Every signed field, changed to another value of its type, invalidates the signatures.
    @Test func changingAnySignedFieldFailsVerification() {
        let deployment = Self.randomDeployment(99)
        var edits: [(String, (inout Deployment) -> Void)] = [
            ("schema", { $0.schema += 1 }), ("version", { $0.version += 1 }),
            ("owner", { $0.owner = Fixtures.bob.id.rawValue }),
            ("network.name", { $0.network.name += "x" }),
            ("network.ipv4_range", { $0.network.ipv4Range = "10.1.0.0/16" }),
            ("network.ipv6_range", { $0.network.ipv6Range = "fd00:1::/48" }),
            ("signature_requirement.weight_required", { $0.signatureRequirement.weightRequired += 1 }),
            ("requests[0].weight", { $0.signatureRequirement.requests[0].weight += 1 }),
            ("requests[0].required", { $0.signatureRequirement.requests[0].required.toggle() }),
            ("requests[0].twin", { $0.signatureRequirement.requests[0].twin = Fixtures.mallory.id.rawValue }),
            (
                "requests appended",
                {
                    $0.signatureRequirement.requests.append(
                        .init(twin: Fixtures.mallory.id, weight: 0, required: false))
                }
            ),
            ("nodes appended", { $0.nodes.append($0.nodes[0]) }),
            ("nodes[0].id", { $0.nodes[0].id = Fixtures.mallory.id.rawValue }),
            ("nodes[0].subnet", { $0.nodes[0].subnet = "10.9.9.0/24" }),
            ("nodes[0].ipv6_subnet", { $0.nodes[0].ipv6Subnet = "fd00::/64" }),
            ("nodes[0].listen_port", { $0.nodes[0].listenPort += 1 }),
            ("nodes[0].public_key", { $0.nodes[0].publicKey = Fixtures.publicKey(99).base64 }),
            (
                "nodes[0].sealed_private_key",
                { $0.nodes[0].sealedPrivateKey = String($0.nodes[0].sealedPrivateKey.reversed()) }
            ),
            (
                "nodes[0].peers appended",
                { $0.nodes[0].peers.append(.init(publicKey: Fixtures.publicKey(98), allowedIPs: [])) }
            ),
        ]
        if !deployment.nodes[0].peers.isEmpty {
            edits += [
                ("peer public_key", { $0.nodes[0].peers[0].publicKey = Fixtures.publicKey(97).base64 }),
                ("peer allowed_ips", { $0.nodes[0].peers[0].allowedIPs.append("10.0.0.0/24") }),
                (
                    "peer endpoint",
                    { $0.nodes[0].peers[0].endpoint = $0.nodes[0].peers[0].endpoint == nil ? "192.0.2.1:1" : nil }
                ),
                (
                    "peer keepalive",
                    { $0.nodes[0].peers[0].persistentKeepalive = ($0.nodes[0].peers[0].persistentKeepalive ?? 0) + 1 }
                ),
            ]
        }
        for (name, edit) in edits {
            var changed = deployment
            edit(&changed)
            #expect(changed.digest != deployment.digest, "\(name)")
            #expect(!changed.checkSignatures().isValid, "\(name)")
        }
    }

    /// The verdict, the weight and the signers do not depend on the order of the signatures, valid or not.
    @Test func verificationDoesNotDependOnSignatureOrder() async {
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.uint64()) { seed, order in
            var deployment = Self.randomDeployment(seed)
            var rng = SplitMix64(seed: order)
            // Sometimes add a duplicate, an outsider or a damaged signature.
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: deployment.signatures.append(deployment.signatures[0])
            case 1:
                deployment.signatures.append(
                    Deployment.Signature(
                        twin: Fixtures.mallory.id.rawValue, publicKey: Fixtures.mallory.publicKey.base64,
                        signature: Fixtures.mallory.signature(for: deployment.digest.bytes).base64))
            case 2: deployment.signatures.removeLast()
            default: break
            }
            let reference = deployment.checkSignatures()
            var shuffled = deployment
            shuffled.signatures.shuffle(using: &rng)
            let report = shuffled.checkSignatures()
            #expect(report.isValid == reference.isValid)
            #expect(report.signedWeight == reference.signedWeight)
            #expect(report.signers == reference.signers)
            #expect(report.missingRequired == reference.missingRequired)
            #expect(report.problems.count == reference.problems.count)
        }
    }

    /// The canonical encoding (and the whole document) is the same whatever the member order,
    /// whitespace and string escaping of the JSON.
    @Test func canonicalEncodingIsStableUnderJSONReorderingAndWhitespace() async {
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.uint64()) { seed, layout in
            let deployment = Self.randomDeployment(seed)
            var rng = SplitMix64(seed: layout)
            let text = Self.scramble(deployment.jsonValue, using: &rng)
            do {
                let parsed = try Deployment(json: text)
                #expect(parsed.canonicalBytes == deployment.canonicalBytes)
                #expect(parsed == deployment)
                #expect(parsed.checkSignatures().isValid)
            } catch {
                Issue.record("scrambled JSON did not parse: \(error)\n\(text)")
            }
        }
    }

    static func accepted(_ bytes: [UInt8]) -> Bool {
        guard let deployment = try? Deployment(json: bytes) else { return false }
        return deployment.validationProblems().isEmpty && deployment.checkSignatures().isValid
    }

    /// JSON text for `value` with members shuffled, random whitespace between tokens, and some
    /// characters written as `\u` escapes (or `\/`).
    static func scramble(_ value: JSONValue, using rng: inout SplitMix64) -> String {
        func space(_ rng: inout SplitMix64) -> String {
            let choices = ["", " ", "\n", "\t", "\r\n", "  "]
            return choices[Int.random(in: 0..<choices.count, using: &rng)]
        }
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s):
            var out = "\""
            for scalar in s.unicodeScalars {
                if scalar == "\"" || scalar == "\\" || scalar.value < 0x20
                    || (scalar.value <= 0xffff && Int.random(in: 0..<8, using: &rng) == 0)
                {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else if scalar == "/" {
                    out += "\\/"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case .array(let elements):
            return "[" + space(&rng)
                + elements.map { scramble($0, using: &rng) + space(&rng) }.joined(separator: "," + space(&rng)) + "]"
        case .object(let members):
            let shuffled = members.shuffled(using: &rng)
            return "{" + space(&rng)
                + shuffled.map { member in
                    scramble(.string(member.key), using: &rng) + space(&rng) + ":" + space(&rng)
                        + scramble(member.value, using: &rng) + space(&rng)
                }.joined(separator: "," + space(&rng)) + "}"
        }
    }
}
