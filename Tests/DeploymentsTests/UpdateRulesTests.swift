import Deployments
import Testing
import ZmeshCrypto
import DeploymentTestSupport

@Suite struct UpdateRulesTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let version: Int64
        var owner: String? = nil
        var networkName: String? = nil
        let problems: [String]
        var description: String { name }
    }

    static let current = Fixtures.deployment(version: 5)

    @Test(arguments: [
        Case(name: "next version", version: 6, problems: []),
        Case(
            name: "same version, other document", version: 5,
            problems: ["version: a different document with version 5 was already applied"]),
        Case(
            name: "older version (replay)", version: 4,
            problems: ["version: version 4 is older than version 5, which is in force"]),
        Case(
            name: "version 0 again", version: 0,
            problems: ["version: version 0 is older than version 5, which is in force"]),
        Case(
            name: "skipped version", version: 7,
            problems: ["version: version 7 skips ahead: the next version after 5 is 6"]),
        Case(
            name: "owner change", version: 6, owner: Fixtures.bob.id.rawValue,
            problems: ["owner: the owner cannot change (from \(Fixtures.alice.id) to \(Fixtures.bob.id))"]),
        Case(
            name: "network renamed", version: 6, networkName: "lab",
            problems: ["network.name: the network name cannot change (from office to lab): that is another network"]),
    ])
    func updateRules(_ c: Case) {
        var update = Self.current
        update.version = c.version
        update.nodes[0].listenPort += 1  // another document
        if let owner = c.owner { update.owner = owner }
        if let name = c.networkName { update.network.name = name }
        #expect(Self.current.accepts(update: update) == c.problems.isEmpty)
        switch Self.current.verdict(onUpdate: update) {
        case .accepted: #expect(c.problems.isEmpty)
        case .alreadyApplied: Issue.record("not the same document")
        case .refused(let error): #expect(error.problems.map(\.description) == c.problems)
        }
    }

    @Test func redeliveryIsRecognised() {
        let again = Self.current
        #expect(Self.current.verdict(onUpdate: again) == .alreadyApplied)
        #expect(!Self.current.accepts(update: again))
        #expect(throws: Never.self) { try Self.current.checkUpdate(again) }
    }

    @Test func theLastVersionHasNoSuccessor() {
        var last = Self.current
        last.version = .max
        var next = last
        next.version = .min
        next.nodes[0].listenPort += 1
        #expect(!last.accepts(update: next))
    }

    @Test func admittedCombinesValidationSignaturesAndUpdateRules() throws {
        let previous = Fixtures.signedDeployment(version: 3)
        let next = Fixtures.signedDeployment(version: 4)
        let validated = try next.admitted(after: previous)
        #expect(validated.version == 4)
        #expect(throws: DeploymentError.self) { try previous.admitted(after: next) }
        var unsigned = Fixtures.deployment(version: 4)
        unsigned.nodes[0].listenPort = 80
        #expect {
            try unsigned.admitted(after: Fixtures.signedDeployment(version: 2))
        } throws: { error in
            (error as? DeploymentError)?.problems.map(\.description) == [
                "nodes[0].listen_port: port 80 is outside 1024–65535",
                "signature_requirement.requests[0]: required twin \(Fixtures.alice.id) has not signed",
                "signature_requirement.weight_required: signed weight 0 is below the required 3",
                "version: version 4 skips ahead: the next version after 2 is 3",
            ]
        }
    }
}
