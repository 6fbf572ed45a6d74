public import ArgumentParser
import ZmeshCrypto

/// `zmesh identity …`: Ed25519 identities of twins (deployers) and nodes.
public struct IdentityCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Create, inspect and register Ed25519 identities (twins and nodes).",
        subcommands: [IdentityNew.self, IdentityShow.self, IdentityRegister.self])

    public init() {}

    /// What `new` and `show` print: the id and the public key, never the secret.
    static func summary(_ identity: Identity) -> String {
        "id: \(identity.id)\npublic-key: \(identity.publicKey.base64)\n"
    }
}
