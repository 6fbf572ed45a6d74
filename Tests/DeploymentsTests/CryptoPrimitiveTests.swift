import Testing
import ZmeshCrypto
import ZmeshModel
import DeploymentTestSupport

@Suite struct CryptoPrimitiveTests {
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    struct Base32Vector: Sendable, CustomStringConvertible {
        let input: String
        let output: String
        var description: String { "\"\(input)\"" }
    }

    /// RFC 4648 §10, in lower case and without padding.
    @Test(arguments: [
        Base32Vector(input: "", output: ""), Base32Vector(input: "f", output: "my"),
        Base32Vector(input: "fo", output: "mzxq"), Base32Vector(input: "foo", output: "mzxw6"),
        Base32Vector(input: "foob", output: "mzxw6yq"), Base32Vector(input: "fooba", output: "mzxw6ytb"),
        Base32Vector(input: "foobar", output: "mzxw6ytboi"),
    ])
    func base32MatchesRFC4648(_ vector: Base32Vector) {
        #expect(Base32.encode(Array(vector.input.utf8)) == vector.output)
        #expect(Base32.decode(vector.output) == Array(vector.input.utf8))
    }

    @Test(arguments: ["MY", "m", "my=", "m1", "mz", "mzxq7"])
    func base32RefusesOtherSpellings(_ text: String) {
        // Upper case, impossible lengths, padding, digits outside 2–7, non-zero unused bits.
        #expect(Base32.decode(text) == nil)
    }

    @Test func blake2b256KnownAnswers() {
        #expect(BLAKE2b.hash256([]).hex == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        #expect(
            BLAKE2b.hash256(Array("abc".utf8)).hex == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        )
    }

    /// RFC 8032 §7.1, test 1 (empty message) and test 2 (one byte).
    @Test func ed25519MatchesRFC8032() throws {
        let identity = try Identity(seed: Self.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(
            identity.publicKey.bytes == Self.hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let signature = identity.signature(for: [UInt8]())
        #expect(
            signature.bytes
                == Self.hex(
                    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
                ))
        #expect(identity.publicKey.isValidSignature(signature, for: [UInt8]()))
        #expect(!identity.publicKey.isValidSignature(signature, for: [0x72]))

        let second = try Identity(seed: Self.hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"))
        let signature2 = second.signature(for: [0x72])
        #expect(
            signature2.bytes
                == Self.hex(
                    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
                ))
        #expect(!identity.publicKey.isValidSignature(signature2, for: [0x72]))
    }

    @Test func publicKeysMustBeValidPoints() {
        // The identity point (small order) and a non-canonical encoding are refused.
        var identityPoint = [UInt8](repeating: 0, count: 32)
        identityPoint[0] = 1
        #expect(Ed25519PublicKey(bytes: identityPoint) == nil)
        #expect(Ed25519PublicKey(bytes: [UInt8](repeating: 0xff, count: 32)) == nil)
        #expect(Ed25519PublicKey(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(throws: ParseError.self) { try Ed25519PublicKey("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") }
    }

    @Test func base64MustBeCanonical() throws {
        let key = Fixtures.alice.publicKey
        #expect(try Ed25519PublicKey(key.base64) == key)
        // The last symbol carries 4 bits of the key and 2 bits that must be zero.
        var text = Array(key.base64.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        guard let last = alphabet.firstIndex(of: text[42]) else { return }
        text[42] = alphabet[last | 1 == last ? last - 1 : last | 1]
        #expect(throws: ParseError.self) { try Ed25519PublicKey(String(decoding: text, as: UTF8.self)) }
        #expect(throws: ParseError.self) { try Ed25519PublicKey(key.base64.dropLast()) }
        #expect(throws: ParseError.self) { try Ed25519PublicKey(" " + key.base64) }
    }

    @Test func identityIDsAreSelfCertifying() throws {
        let id = Fixtures.alice.id
        #expect(id.rawValue.count == 26)
        #expect(id == Fixtures.alice.publicKey.id)
        #expect(try IdentityID(id.rawValue) == id)
        #expect(Fixtures.alice.id != Fixtures.bob.id)
        // Same seed, same id: ids are a pure function of the key.
        #expect(Fixtures.identity(1).id == id)
    }

    @Test(arguments: [
        "", "abc", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaaaaaaaaaab",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ])
    func identityIDsRefuseOtherText(_ text: String) {
        #expect(throws: ParseError.self) { try IdentityID(text) }
    }

    @Test func identityDescriptionHidesTheSecret() {
        let identity = Fixtures.alice
        #expect(identity.description == "identity \(identity.id) (secret key hidden)")
        #expect("\(identity)" == identity.description)
        #expect(String(reflecting: identity) == identity.description)
    }
}
