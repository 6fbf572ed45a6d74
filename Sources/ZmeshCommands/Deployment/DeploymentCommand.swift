public import ArgumentParser

/// `zmesh deployment …`: signed deployment documents.
public struct DeploymentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Verify and sign deployment documents (weighted multisig); approve proposals at a registry.",
        subcommands: [DeploymentVerify.self, DeploymentSign.self, DeploymentPending.self, DeploymentApprove.self])

    public init() {}
}
