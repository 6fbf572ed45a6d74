public import ArgumentParser

/// `zmesh deployment …`: signed deployment documents.
public struct DeploymentCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Verify and sign deployment documents (weighted multisig).",
        subcommands: [DeploymentVerify.self, DeploymentSign.self])

    public init() {}
}
