public import ArgumentParser

/// `zmesh`: the network agent for Zero-OS style nodes.
public struct ZmeshCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zmesh",
        abstract: "WireGuard meshes, namespaces and isolation for Zero-OS style nodes.",
        subcommands: [WGCommand.self, DemoCommand.self, BenchCommand.self, IdentityCommand.self, DeploymentCommand.self, NetworkCommand.self])

    public init() {}

    /// Parses the process arguments and runs the chosen command (sync or async), exiting with its status.
    public static func runMain(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
