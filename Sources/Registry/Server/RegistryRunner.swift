public import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a registry until SIGTERM or SIGINT, then shuts down gracefully (the server stops accepting,
/// in-flight requests finish) and closes the database.
public enum RegistryRunner {
    /// Opens the SQLite database at `databasePath` (migrating it), serves it, and returns after shutdown.
    public static func run(databasePath: String, configuration: RegistryConfiguration, logger: Logger) async throws {
        let store = try await SQLRegistryStore.openSQLite(path: databasePath, logger: logger)
        let service = RegistryServer.service(
            store: store, configuration: configuration, logger: logger,
            onRunning: { port in
                logger.notice("registry listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}
