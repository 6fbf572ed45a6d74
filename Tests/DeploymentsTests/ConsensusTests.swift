import Deployments
import Testing
import ZmeshCrypto
import DeploymentTestSupport

@Suite struct ConsensusTests {
    /// Who is requested (alice required, weight 2; bob and carol weight 1; 3 needed) and who signs.
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let signers: [Identity]
        var weightRequired: Int64 = 3
        let valid: Bool
        let weight: Int64
        var problems: [String] = []
        var description: String { name }
    }

    static let alice = Fixtures.alice.id
    static let cases: [Case] = [
        Case(name: "owner and one co-owner", signers: [Fixtures.alice, Fixtures.bob], valid: true, weight: 3),
        Case(name: "everyone", signers: [Fixtures.alice, Fixtures.bob, Fixtures.carol], valid: true, weight: 4),
        Case(
            name: "a missing non-required twin adds no weight and is no error",
            signers: [Fixtures.alice, Fixtures.carol], valid: true, weight: 3),
        Case(
            name: "the required owner missing", signers: [Fixtures.bob, Fixtures.carol], weightRequired: 2,
            valid: false,
            weight: 2, problems: ["signature_requirement.requests[0]: required twin \(alice) has not signed"]),
        Case(
            name: "weight too low", signers: [Fixtures.alice], valid: false, weight: 2,
            problems: ["signature_requirement.weight_required: signed weight 2 is below the required 3"]),
        Case(
            name: "nobody", signers: [], valid: false, weight: 0,
            problems: [
                "signature_requirement.requests[0]: required twin \(alice) has not signed",
                "signature_requirement.weight_required: signed weight 0 is below the required 3",
            ]),
        Case(
            name: "a duplicate signature counts once", signers: [Fixtures.alice, Fixtures.alice], valid: false,
            weight: 2,
            problems: ["signature_requirement.weight_required: signed weight 2 is below the required 3"]),
        Case(
            name: "a twin outside the requests", signers: [Fixtures.alice, Fixtures.bob, Fixtures.mallory],
            valid: false,
            weight: 3, problems: ["signatures[2].twin: twin \(Fixtures.mallory.id) is not among the signature requests"]
        ),
    ]

    /// Signatures appended by hand (``Deployment/sign(with:)`` refuses outsiders and replaces duplicates).
    static func signed(_ deployment: Deployment, by signers: [Identity]) -> Deployment {
        var d = deployment
        d.signatures = signers.map { signer in
            Deployment.Signature(
                twin: signer.id.rawValue, publicKey: signer.publicKey.base64,
                signature: signer.signature(for: d.digest.bytes).base64)
        }
        return d
    }

    @Test(arguments: cases)
    func weightedMultisig(_ c: Case) {
        var deployment = Fixtures.deployment()
        deployment.signatureRequirement.weightRequired = c.weightRequired
        let report = Self.signed(deployment, by: c.signers).checkSignatures()
        #expect(report.isValid == c.valid)
        #expect(report.signedWeight == c.weight)
        #expect(report.problems.map(\.description) == c.problems)
        #expect(report.digest == deployment.digest)
    }

    @Test func aSignatureOfAnotherDocumentDoesNotVerify() {
        var deployment = Self.signed(Fixtures.deployment(), by: [Fixtures.alice, Fixtures.bob])
        deployment.nodes[0].listenPort = 51830
        let report = deployment.checkSignatures()
        #expect(!report.isValid)
        #expect(
            report.problems.map(\.description) == [
                "signatures[0].signature: does not verify: it signs another version of the document, or it is damaged",
                "signatures[1].signature: does not verify: it signs another version of the document, or it is damaged",
                "signature_requirement.requests[0]: required twin \(Self.alice) has not signed",
                "signature_requirement.weight_required: signed weight 0 is below the required 3",
            ])
    }

    @Test func anInvalidExtraSignatureSpoilsAValidDeployment() {
        var deployment = Self.signed(Fixtures.deployment(), by: [Fixtures.alice, Fixtures.bob])
        // carol "signs" with bob's signature bytes: weight would suffice without it, but every present
        // signature must verify.
        deployment.signatures.append(
            Deployment.Signature(
                twin: Fixtures.carol.id.rawValue, publicKey: Fixtures.carol.publicKey.base64,
                signature: deployment.signatures[1].signature))
        let report = deployment.checkSignatures()
        #expect(!report.isValid)
        #expect(report.signedWeight == 3)
        #expect(
            report.problems.map(\.description) == [
                "signatures[2].signature: does not verify: it signs another version of the document, or it is damaged"
            ])
    }

    @Test func aKeyMustBelongToTheTwinItSignsFor() {
        var deployment = Self.signed(Fixtures.deployment(), by: [Fixtures.alice, Fixtures.mallory])
        // mallory claims to be bob, with her own key and a valid signature by that key.
        deployment.signatures[1].twin = Fixtures.bob.id.rawValue
        let report = deployment.checkSignatures()
        #expect(
            report.problems.map(\.description) == [
                "signatures[1].public_key: is not the key of twin \(Fixtures.bob.id): it is the key of \(Fixtures.mallory.id)",
                "signature_requirement.weight_required: signed weight 2 is below the required 3",
            ])
    }

    @Test func aBrokenRequirementIsNeverSatisfied() {
        var deployment = Fixtures.deployment()
        deployment.signatureRequirement.weightRequired = 0
        deployment.signatureRequirement.requests[0].required = false
        let report = Self.signed(deployment, by: []).checkSignatures()
        #expect(!report.isValid)
        #expect(
            report.problems.map(\.description) == [
                "signature_requirement.requests[0].required: the owner \(Self.alice) must be a required signer",
                "signature_requirement.weight_required: must be at least 1, so that no deployment is valid unsigned",
            ])
    }

    @Test func signingReplacesTheSignersEarlierSignature() throws {
        var deployment = Fixtures.deployment()
        try deployment.sign(with: Fixtures.alice)
        deployment.version = 1
        try deployment.sign(with: Fixtures.alice)
        try deployment.sign(with: Fixtures.bob)
        #expect(deployment.signatures.map(\.twin) == [Fixtures.alice.id.rawValue, Fixtures.bob.id.rawValue])
        let report = try deployment.verifySignatures()
        #expect(report.signers == [Fixtures.alice.id, Fixtures.bob.id])
        #expect(report.missingRequired.isEmpty)
    }

    @Test func signingRefusesTwinsOutsideTheRequests() {
        var deployment = Fixtures.deployment()
        #expect(
            throws: DeploymentError(
                path: "signature_requirement.requests",
                "twin \(Fixtures.mallory.id) is not among the signature requests")
        ) { try deployment.sign(with: Fixtures.mallory) }
        #expect(deployment.signatures.isEmpty)
    }

    @Test func missingRequiredTwinsAreListed() {
        var deployment = Fixtures.deployment()
        deployment.signatureRequirement.requests[2].required = true
        let report = Self.signed(deployment, by: [Fixtures.bob]).checkSignatures()
        #expect(report.missingRequired == [Fixtures.alice.id, Fixtures.carol.id])
        #expect(report.signers == [Fixtures.bob.id])
    }
}
