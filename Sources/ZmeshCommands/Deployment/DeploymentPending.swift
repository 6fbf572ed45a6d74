public import ArgumentParser
import RegistryClient
import ZmeshCrypto

/// `zmesh deployment pending --identity PATH --registry URL`: proposals awaiting your signature.
public struct DeploymentPending: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List the proposed deployments that await your signature at a registry.")

    @Option(help: "Your identity file (mode 0600).")
    public var identity: String

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        let signer = try IdentityFile.load(from: identity)
        let client = try registry.client(signingAs: nil)
        let pending: [PendingProposal]
        do { pending = try await client.proposals(signer: signer.id) } catch { throw CommandError(error) }
        guard !pending.isEmpty else {
            CommandOutput.write("nothing awaits the signature of \(signer.id)\n")
            return
        }
        var out = ""
        for proposal in pending {
            let s = proposal.status
            out += "\(s.digest.prefix(16))  network \(s.network) v\(s.version)  owner \(s.owner)  "
            out += "weight \(s.signedWeight)/\(s.weightRequired)  awaiting \(s.awaiting.count)\n"
        }
        out += "approve one with: zmesh deployment approve DIGEST --identity \(identity) --registry \(client.url)\n"
        CommandOutput.write(out)
    }
}
