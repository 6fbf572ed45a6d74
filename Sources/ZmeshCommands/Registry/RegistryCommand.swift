public import ArgumentParser
import Foundation
import Logging
import Registry

/// `zmesh registry --listen ADDR --db PATH`: the grid's control plane (HTTP API under /v1).
public struct RegistryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Run the registry: twins, farms, nodes, signed deployments, node mailboxes and status over HTTP(S).",
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

    @Option(help: "Signed requests each identity may make per second, on average (token bucket rate).")
    public var rateLimit: Double = 5

    @Option(help: "Signed requests an identity may make in one burst (token bucket size).")
    public var rateBurst: Int = 100

    @Option(help: "Mailbox polls one node may hold open at once (a newer one makes the oldest answer).")
    public var maxPollsPerNode: Int = 2

    @Option(help: "PEM certificate chain: serve HTTPS (with --tls-key).")
    public var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    public var tlsKey: String?

    public init() {}

    public func validate() throws {
        _ = try Self.hostAndPort(listen)
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard clockSkew > 0 else { throw ValidationError("--clock-skew must be positive") }
        guard rateLimit > 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be positive") }
        guard rateBurst >= 1 else { throw ValidationError("--rate-burst must be at least 1") }
        guard maxPollsPerNode >= 1 else { throw ValidationError("--max-polls-per-node must be at least 1") }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        for (option, path) in [("--tls-cert", tlsCert), ("--tls-key", tlsKey)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(option) '\(path)': no readable file there")
            }
        }
    }

    public func run() async throws {
        let (host, port) = try Self.hostAndPort(listen)
        var logger = ZmeshCommand.logger
        // The listening address is worth a line even at the default level.
        if logger.logLevel > .notice { logger.logLevel = .notice }
        var configuration = RegistryConfiguration(
            host: host, port: port, maximumBodyBytes: maxBodyBytes, clockSkewSeconds: clockSkew)
        configuration.rateLimitPerSecond = rateLimit
        configuration.rateBurst = rateBurst
        configuration.maximumPollsPerNode = maxPollsPerNode
        configuration.tlsCertificatePath = tlsCert
        configuration.tlsKeyPath = tlsKey
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
