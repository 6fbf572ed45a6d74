public import ArgumentParser

/// `zmesh network …`: plan a network over a set of nodes and give users access to it.
public struct NetworkCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Plan private networks over nodes (public and hidden) and make wg-quick files for users.",
        subcommands: [NetworkPlan.self, NetworkAccess.self])

    public init() {}
}
