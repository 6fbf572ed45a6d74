public import ArgumentParser

/// `zmesh node …`: the node agent (`zmesh node [run]`), its local status, and a node's side of the registry.
public struct NodeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run the node agent (the default), show this node's networks, register nodes and farms.",
        subcommands: [NodeRun.self, NodeStatus.self, NodeRegister.self, FarmCreate.self],
        defaultSubcommand: NodeRun.self)

    public init() {}
}
