import Deployments
import Testing
import ZmeshCrypto
import ZmeshModel
import DeploymentTestSupport

@Suite struct SealedBoxTests {
    @Test func roundTrip() throws {
        let privateKey = WireGuardKeys.generatePrivateKey()
        let publicKey = WireGuardKeys.publicKey(for: privateKey)
        let sealed = try SealedPrivateKey(sealing: privateKey, to: Fixtures.node1.publicKey)
        #expect(sealed.bytes.count == 80)
        #expect(sealed.base64.count == 108)
        #expect(try SealedPrivateKey(sealed.base64) == sealed)
        #expect(try sealed.open(with: Fixtures.node1, expectedPublicKey: publicKey) == privateKey)
    }

    @Test func sealingIsRandomised() throws {
        let privateKey = Fixtures.wireGuardKey(7)
        let first = try SealedPrivateKey(sealing: privateKey, to: Fixtures.node1.publicKey)
        let second = try SealedPrivateKey(sealing: privateKey, to: Fixtures.node1.publicKey)
        #expect(first != second)
    }

    @Test func anotherNodeCannotOpenIt() throws {
        let privateKey = WireGuardKeys.generatePrivateKey()
        let publicKey = WireGuardKeys.publicKey(for: privateKey)
        let sealed = try SealedPrivateKey(sealing: privateKey, to: Fixtures.node1.publicKey)
        for other in [Fixtures.node2, Fixtures.node3, Fixtures.alice] {
            #expect(throws: CryptoError.cannotOpenSealedBox) {
                try sealed.open(with: other, expectedPublicKey: publicKey)
            }
        }
    }

    @Test func everyDamagedByteIsDetected() throws {
        let privateKey = Fixtures.wireGuardKey(9)
        let publicKey = WireGuardKeys.publicKey(for: privateKey)
        let sealed = try SealedPrivateKey(sealing: privateKey, to: Fixtures.node1.publicKey)
        for index in sealed.bytes.indices {
            var bytes = sealed.bytes
            bytes[index] ^= 0x01
            guard let damaged = SealedPrivateKey(bytes: bytes) else { continue }
            #expect(throws: CryptoError.cannotOpenSealedBox) {
                try damaged.open(with: Fixtures.node1, expectedPublicKey: publicKey)
            }
        }
    }

    @Test func aKeyThatDoesNotMatchItsPublicKeyIsRefused() throws {
        let sealed = try SealedPrivateKey(sealing: Fixtures.wireGuardKey(1), to: Fixtures.node1.publicKey)
        #expect(throws: CryptoError.sealedKeyMismatch) {
            try sealed.open(with: Fixtures.node1, expectedPublicKey: Fixtures.publicKey(2))
        }
    }

    @Test func genericBoxesWipeAfterUse() throws {
        let box = try SealedBox.seal(Array("tenant secret".utf8), to: Fixtures.node2.publicKey)
        #expect(box.count == 13 + SealedBox.overhead)
        let opened = try SealedBox.open(box, with: Fixtures.node2) { raw in String(decoding: raw, as: UTF8.self) }
        #expect(opened == .success("tenant secret"))
        #expect(throws: CryptoError.cannotOpenSealedBox) {
            try SealedBox.open(box.prefix(47), with: Fixtures.node2) { _ in () }
        }
    }

    @Test func validatedNodesOpenOnlyTheirOwnKey() throws {
        let deployment = try Fixtures.signedDeployment().validated()
        let node = try #require(deployment.node(Fixtures.node1.id))
        let key = try node.openPrivateKey(with: Fixtures.node1)
        #expect(WireGuardKeys.publicKey(for: key) == node.publicKey)
        #expect(node.deviceConfiguration(privateKey: key).listenPort == 51820)
        #expect(node.wireGuardAddress == IPv4Address(100, 64, 20, 1))
        #expect(throws: CryptoError.cannotOpenSealedBox) { try node.openPrivateKey(with: Fixtures.node2) }
    }
}
