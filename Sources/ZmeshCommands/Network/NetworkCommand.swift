public import ArgumentParser

/// `zmesh network …`: plan a network over a set of nodes and give users access to it.
public struct NetworkCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Plan private networks over nodes (public and hidden), deploy them through a registry, make wg-quick files.",
        subcommands: [
            NetworkPlan.self, NetworkAccess.self, NetworkCreate.self, NetworkUpdate.self, NetworkStatusCommand.self,
            NetworkDelete.self,
        ])

    public init() {}
}
