public import ArgumentParser
import Logging
import Registry

/// `zmesh registry --listen ADDR --db PATH`: the grid's control plane (HTTP API under /v1).
public struct RegistryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Run the registry: twins, nodes, signed deployments and node mailboxes over HTTP.",
        discussion: """
            The database is an SQLite file (WAL journal), created and migrated on start. SIGTERM or SIGINT \
            shuts the server down gracefully. API: docs/registry.md.
            """)

    @Option(help: "Address to listen on: HOST:PORT, [IPv6]:PORT.")
    public var listen: String = "127.0.0.1:8080"

    @Option(help: "The SQLite database file.")
    public var db: String

    @Option(help: "Largest accepted request body, in bytes.")
    public var maxBodyBytes: Int = 16 << 20

    @Option(help: "Largest accepted clock difference of a signed request, in seconds.")
    public var clockSkew: Int64 = 300

    public init() {}

    public func validate() throws {
        _ = try Self.hostAndPort(listen)
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard clockSkew > 0 else { throw ValidationError("--clock-skew must be positive") }
    }

    public func run() async throws {
        let (host, port) = try Self.hostAndPort(listen)
        var logger = ZmeshCommand.logger
        // The listening address is worth a line even at the default level.
        if logger.logLevel > .notice { logger.logLevel = .notice }
        let configuration = RegistryConfiguration(
            host: host, port: port, maximumBodyBytes: maxBodyBytes, clockSkewSeconds: clockSkew)
        try await RegistryRunner.run(databasePath: db, configuration: configuration, logger: logger)
    }

    /// Splits `HOST:PORT` or `[IPv6]:PORT`.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen '\(text)': expected HOST:PORT or [IPv6]:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen '\(text)': the host is missing") }
        return (host, port)
    }
}
