import Testing
@testable import ZmeshCommands
import ZmeshModel

@Suite("Key input: wg pubkey's stdin and key files")
struct WGKeyCommandTests {
    /// A pair made by wireguard-tools 1.0.20210914: `wg genkey | tee /dev/stderr | wg pubkey`.
    static let privateKey = "6Lfw750mjsC0DfrCrA6pcX20uzsT77q1wqW+dJU9/H4="
    static let publicKey = "M9f3sef3EWVFGu4nTemvwJ74DVEvBoiBKK3pw46Yu3M="

    @Test(arguments: ["\(privateKey)\n", privateKey, "\(privateKey) \t\n\n", "\(privateKey)\0\n"])
    func pubkeyAcceptsWhatWgAccepts(input: String) throws {
        #expect(try WGPubkey.publicKey(forInput: Array(input.utf8)).base64 == Self.publicKey)
    }

    @Test(arguments: ["", " \(privateKey)", "\(privateKey)x", String(privateKey.dropLast()), "\(privateKey)\n\(privateKey)"])
    func pubkeyRefusesWhatWgRefuses(input: String) {
        #expect {
            try WGPubkey.publicKey(forInput: Array(input.utf8))
        } throws: { error in
            !"\(error)".contains("6Lfw750mjsC0")
        }
    }

    @Test(arguments: ["\(publicKey)", "\(publicKey)\n", "  \n\(publicKey) \n\n"])
    func keyFilesIgnoreSurroundingWhitespace(text: String) throws {
        #expect(try WGKeyFile.parse(Array(text.utf8), path: "/k", what: "key file").base64 == Self.publicKey)
    }

    @Test(arguments: ["", "\n", "   \n\t"])
    func anEmptyKeyFileIsTheZeroKey(text: String) throws {
        #expect(try WGKeyFile.parse(Array(text.utf8), path: "/dev/null", what: "key file") == .zero)
    }

    @Test(arguments: ["\(publicKey) x", "nope", "\(publicKey)\(publicKey)"])
    func aBadKeyFileIsNamedButNotShown(text: String) {
        #expect {
            try WGKeyFile.parse(Array(text.utf8), path: "/etc/wg/key", what: "private key file")
        } throws: { error in
            let message = "\(error)"
            return message.contains("private key file '/etc/wg/key'") && !message.contains("M9f3sef3")
        }
    }
}
