public import ArgumentParser
import Deployments
import RegistryClient
import ZmeshCrypto

/// `zmesh deployment approve DIGEST --identity PATH --registry URL`: verify a proposal and sign it.
public struct DeploymentApprove: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Verify a proposed deployment and add your signature; the registry publishes it at the required weight.",
        discussion: """
            DIGEST is the proposal's digest or a unique prefix of it (at least 8 hex digits), as \
            'zmesh deployment pending' prints. The document is checked here before signing — it must \
            parse, be valid, have that digest, carry only valid signatures, and follow the update rules \
            against the version in force (itself verified) — since the registry is not trusted.
            """)

    @Argument(help: "The proposal's digest, or a unique prefix of it.")
    public var digest: String

    @Option(help: "Your identity file (mode 0600).")
    public var identity: String

    @OptionGroup public var registry: RegistryOptions

    public init() {}

    public func validate() throws {
        guard digest.utf8.count >= 8, digest.utf8.count <= 64, digest.allSatisfy(\.isHexDigit) else {
            throw ValidationError("digest '\(digest)': give at least 8 hex digits of the proposal's digest")
        }
    }

    public func run() async throws {
        let signer = try IdentityFile.load(from: identity)
        let deployer = RegistryDeployer(client: try registry.client(signingAs: signer), identity: signer)
        let pending: [PendingProposal]
        do { pending = try await deployer.client.proposals(signer: signer.id) } catch { throw CommandError(error) }
        let prefix = digest.lowercased()
        let matches = pending.filter { $0.status.digest.hasPrefix(prefix) }
        guard let proposal = matches.first else {
            throw CommandError("no proposal with digest \(prefix)… awaits the signature of \(signer.id)")
        }
        guard matches.count == 1 else {
            throw CommandError("digest \(prefix)… matches \(matches.count) proposals: give more digits")
        }
        let document = try Self.verified(proposal, deployer: deployer)
        let previous = try await deployer.latest(
            owner: proposal.status.owner, network: try NetworkStatusCommand.networkName(proposal.status.network))
        if let previous, case .refused(let error) = previous.verdict(onUpdate: document) {
            throw CommandError("not signing: the proposal breaks the update rules against the version in force:\n\(error)")
        }
        CommandOutput.write(DeploymentReport.summary(document, document.checkSignatures()))
        CommandOutput.write(try await deployer.signAndSubmit(document))
    }

    /// The proposal's document after the checks a signer owes: it parses, has the digest the registry
    /// gave, is valid, and every signature it carries verifies (only weight may be missing).
    static func verified(_ proposal: PendingProposal, deployer: RegistryDeployer) throws -> Deployment {
        let document: Deployment
        do { document = try Deployment(json: proposal.document) } catch {
            throw CommandError("the proposal is not a deployment document: \(error)")
        }
        guard document.digest.hex == proposal.status.digest else {
            throw CommandError("the proposal's document does not have digest \(proposal.status.digest); not signing")
        }
        let problems = document.validationProblems()
        guard problems.isEmpty else {
            CommandOutput.error(DeploymentReport.problems(problems))
            throw CommandError("not signing: the proposed deployment is invalid")
        }
        let report = document.checkSignatures()
        guard report.isValid || report.isAwaitingSignatures else {
            CommandOutput.error(DeploymentReport.problems(report.problems))
            throw CommandError("not signing: the proposal carries signatures that do not verify")
        }
        return document
    }
}
