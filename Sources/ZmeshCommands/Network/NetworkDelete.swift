public import ArgumentParser
import Deployments
import MeshPlanner
import ZmeshCrypto

/// `zmesh network delete NAME --registry URL --identity PATH [--owner ID]`.
public struct NetworkDelete: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove a network from every node: its next version, with no nodes, signed like any update.",
        discussion: """
            The signature requirement of the version in force applies: with co-owners, the removal waits \
            as a proposal until they approve it.
            """)

    @Argument(help: "The network's name.")
    public var name: String

    @Option(help: "Your identity file (mode 0600).")
    public var identity: String

    @Option(help: "The network's owner twin id (default: your identity).")
    public var owner: String?

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func run() async throws {
        let network = try NetworkStatusCommand.networkName(name)
        let signer = try IdentityFile.load(from: identity)
        let ownerID = try NetworkStatusCommand.owner(owner, default: signer.id)
        let deployer = RegistryDeployer(client: try registry.client(signingAs: signer), identity: signer)
        guard let previous = try await deployer.latest(owner: ownerID, network: network) else {
            throw CommandError("network \(network) of \(ownerID) is not deployed")
        }
        guard !previous.nodes.isEmpty else {
            CommandOutput.write("network \(network) was already removed at version \(previous.version)\n")
            return
        }
        let removal = DeploymentDraft.removal(of: previous)
        CommandOutput.write(try await deployer.signAndSubmit(removal))
    }
}
