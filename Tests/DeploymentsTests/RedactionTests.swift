import Deployments
import Testing
import ZmeshCrypto
import ZmeshModel
import DeploymentTestSupport

/// Private material never shows up in a description, an error or a document.
@Suite struct RedactionTests {
    static let privateKeys = [0x31, 0x32, 0x33].map { Fixtures.wireGuardKey(UInt8($0)) }

    static func leaks(_ text: String) -> Bool {
        privateKeys.contains { key in text.contains(key.revealedBase64) || text.contains(key.revealedHex) }
    }

    @Test func documentsCarryOnlySealedKeys() throws {
        let deployment = Fixtures.signedDeployment()
        #expect(!Self.leaks(deployment.json()))
        #expect(!Self.leaks(String(describing: deployment)))
        #expect(!Self.leaks(String(reflecting: deployment)))
        let validated = try deployment.validated()
        #expect(!Self.leaks(String(describing: validated)))
    }

    @Test func openedKeysDescribeThemselvesRedacted() throws {
        let validated = try Fixtures.signedDeployment().validated()
        let node = try #require(validated.node(Fixtures.node1.id))
        let key = try node.openPrivateKey(with: Fixtures.node1)
        #expect(key == Self.privateKeys[0])
        #expect("\(key)" == "(private key hidden)")
        #expect(!Self.leaks(String(describing: node.deviceConfiguration(privateKey: key))))
        #expect(!Self.leaks(String(reflecting: node.deviceConfiguration(privateKey: key))))
    }

    @Test func errorsNeverQuoteSecrets() throws {
        // A private key pasted where a public key or a sealed key belongs is not echoed back.
        var deployment = Fixtures.deployment()
        deployment.nodes[0].publicKey = Self.privateKeys[0].revealedBase64 + "x"
        deployment.nodes[0].sealedPrivateKey = Self.privateKeys[1].revealedBase64
        deployment.nodes[1].peers[0].publicKey = Self.privateKeys[2].revealedHex
        let problems = deployment.validationProblems()
        #expect(problems.count == 3)
        for problem in problems { #expect(!Self.leaks(problem.description)) }
        #expect(!Self.leaks(DeploymentError(problems).description))

        var parseErrors: [String] = []
        do { _ = try SealedPrivateKey(Self.privateKeys[0].revealedBase64) } catch {
            parseErrors.append(error.description)
        }
        do { _ = try PrivateKey(Self.privateKeys[0].revealedBase64 + "!") } catch {
            parseErrors.append(error.description)
        }
        #expect(parseErrors.count == 2)
        for text in parseErrors { #expect(!Self.leaks(text)) }
    }

    @Test func cryptoErrorsNameNoMaterial() throws {
        let sealed = try SealedPrivateKey(sealing: Self.privateKeys[0], to: Fixtures.node1.publicKey)
        do {
            _ = try sealed.open(with: Fixtures.node1, expectedPublicKey: Fixtures.publicKey(0x32))
            Issue.record("a mismatching key was accepted")
        } catch {
            #expect(error == .sealedKeyMismatch)
            #expect(!Self.leaks(error.description))
        }
    }

    @Test func identitiesHideTheirSecret() {
        let identity = Fixtures.node1
        var mirrorText = ""
        dump(identity, to: &mirrorText)
        let seed = [UInt8](repeating: 11, count: 32)  // Fixtures.node1's seed
        let seedBase64 = "CwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCws="
        #expect(Fixtures.identity(11).publicKey == (try? Identity(seed: seed))?.publicKey)
        #expect(!mirrorText.contains(seedBase64) && !mirrorText.contains("0b0b0b0b"))
        #expect(identity.description == "identity \(identity.id) (secret key hidden)")
    }
}
