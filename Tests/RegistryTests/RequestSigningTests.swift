import Registry
import RegistryProtocol
import Testing
import ZmeshCrypto
import DeploymentTestSupport

/// The signed message is exactly what docs/registry.md describes.
@Suite struct RequestSigningTests {
    @Test func messageIsSixLinesWithoutTrailingNewline() {
        let body = Array("{}".utf8)
        let message = RequestSigning.message(
            method: "POST", target: "/v1/twins?x=1", timestamp: 1_700_000_000, nonce: "0123456789abcdef", body: body)
        let expected =
            "zmesh-request-v1\nPOST\n/v1/twins?x=1\n1700000000\n0123456789abcdef\n" + BLAKE2b.hash256(body).hex
        #expect(String(decoding: message, as: UTF8.self) == expected)
    }

    @Test func emptyBodyHashIsBLAKE2bOfNothing() {
        let message = RequestSigning.message(method: "GET", target: "/", timestamp: 0, nonce: "aaaaaaaaaaaaaaaa", body: [])
        // BLAKE2b-256 of the empty string (RFC 7693 test vectors, 32-byte output).
        let emptyHash = "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        #expect(String(decoding: message, as: UTF8.self).hasSuffix("\n" + emptyHash))
    }

    @Test(arguments: [
        ("0123456789abcdef", true), ("short", false), (String(repeating: "a", count: 65), false),
        ("abc-DEF_0123456789", true), ("has space 0123456", false), ("ünïcode0123456789", false),
    ])
    func nonceRules(nonce: String, valid: Bool) {
        #expect(RequestSigning.isWellFormedNonce(nonce) == valid)
    }

    @Test func headersVerifyWithTheSignersKey() throws {
        let identity = Fixtures.alice
        let headers = RequestSigning.headers(
            identity: identity, method: "GET", target: "/v1/x", body: [], timestamp: 5, nonce: "nonce-nonce-nonce")
        let signature = try Ed25519Signature(try #require(headers.first { $0.name == RequestSigning.signatureHeader }).value)
        let message = RequestSigning.message(method: "GET", target: "/v1/x", timestamp: 5, nonce: "nonce-nonce-nonce", body: [])
        #expect(identity.publicKey.isValidSignature(signature, for: message))
        #expect(headers.first { $0.name == RequestSigning.identityHeader }?.value == identity.id.rawValue)
    }
}
