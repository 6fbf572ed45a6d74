public import ArgumentParser
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh`: the network agent for Zero-OS style nodes.
public struct ZmeshCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zmesh",
        abstract: "WireGuard meshes, namespaces and isolation for Zero-OS style nodes.",
        subcommands: [WGCommand.self, DemoCommand.self, BenchCommand.self, IdentityCommand.self, DeploymentCommand.self, NetworkCommand.self, RegistryCommand.self, NodeCommand.self])

    public init() {}

    /// Parses the process arguments and runs the chosen command (sync or async), exiting with its status.
    /// Logging is bootstrapped here, once: to stderr, at the level in `ZMESH_LOG_LEVEL` (default warning).
    public static func runMain(_ arguments: [String]? = nil) async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Self.logLevel
            return handler
        }
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

    /// `ZMESH_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical); warning when unset.
    static var logLevel: Logger.Level {
        getenv("ZMESH_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .warning
    }

    /// The logger commands use for their libraries.
    static let logger = Logger(label: "zmesh")
}
