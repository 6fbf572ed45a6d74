import Testing
import ZmeshModel

@Suite("WireGuard keys")
struct WireGuardKeyTests {
    // A key from wireguard-tools' documentation style: base64 of 32 bytes 0…31.
    let bytes = (0..<32).map { UInt8($0) }
    let base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

    @Test func base64AndHexRoundTrip() throws {
        let key = try #require(WireGuardKey(bytes: bytes))
        #expect(key.base64 == base64)
        #expect(key.hex == hex)
        #expect(try WireGuardKey(base64) == key)
        #expect(try WireGuardKey(hex) == key)
        #expect(try WireGuardKey(hex.uppercased()) == key)
        #expect(key.bytes == bytes)
    }

    @Test(arguments: [
        "", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",  // non-canonical trailing bits
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh!=", String(repeating: "g", count: 64),
    ])
    func malformedKeysAreRefusedWithoutEchoingThem(text: String) {
        do {
            _ = try WireGuardKey(text)
            Issue.record("accepted")
        } catch {
            #expect(text.isEmpty || !error.description.contains(text))
        }
    }

    @Test func privateKeysNeverPrintThemselves() throws {
        let key = try PrivateKey(base64)
        #expect("\(key)" == "(private key hidden)")
        #expect(String(reflecting: key) == "(private key hidden)")
        #expect(key.revealedBase64 == base64)
        do {
            _ = try PrivateKey(String(base64.dropLast(2)))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("private key"))
            #expect(!error.description.contains(String(base64.dropLast(2))))
        }
    }

    @Test func clampingMatchesCurve25519() throws {
        let key = PrivateKey(WireGuardKey(bytes: [UInt8](repeating: 0xff, count: 32))!)
        let clamped = key.clamped.key.bytes
        #expect(clamped[0] == 0xf8)
        #expect(clamped[31] == 0x7f)
        #expect(clamped[1..<31].allSatisfy { $0 == 0xff })
        #expect(key.clamped.clamped == key.clamped)
    }
}
