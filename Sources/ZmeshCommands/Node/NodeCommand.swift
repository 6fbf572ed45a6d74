public import ArgumentParser

/// `zmesh node …`: a node's side of the registry.
public struct NodeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Register nodes and farms with a registry.",
        subcommands: [NodeRegister.self, FarmCreate.self])

    public init() {}
}
