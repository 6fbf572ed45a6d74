public import ArgumentParser
import RegistryClient
import ZmeshCrypto

/// `zmesh identity register --identity PATH --registry URL`: makes a twin known to the registry.
public struct IdentityRegister: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register an identity with a registry as a twin (a deployer or co-owner).",
        discussion: """
            The request is signed by the identity itself; the registry learns only the public key. \
            Registering again is harmless.
            """)

    @Option(help: "The identity file (mode 0600).")
    public var identity: String

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        let signer = try IdentityFile.load(from: identity)
        let client = try registry.client(signingAs: signer)
        let answer: Registered<Twin>
        do { answer = try await client.registerTwin() } catch { throw CommandError(error) }
        let state = answer.isNew ? "registered" : "already registered"
        CommandOutput.write("twin \(answer.record.id) \(state) with \(client.url)\n")
    }
}
