import Foundation
import Logging
import Registry
import RegistryClient
import ServiceLifecycle

/// A registry served in-process on 127.0.0.1 over an SQLite file, on a free port or a given one (so a
/// test can stop it and start another on the same port and database, as a restart).
final class LocalRegistry: Sendable {
    let port: Int
    let databasePath: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let store: SQLRegistryStore

    private init(port: Int, databasePath: String, group: ServiceGroup, task: Task<Void, any Error>, store: SQLRegistryStore) {
        self.port = port
        self.databasePath = databasePath
        self.group = group
        self.task = task
        self.store = store
    }

    /// `http://127.0.0.1:<port>`.
    var url: RegistryURL {
        get throws { try RegistryURL("http://127.0.0.1:\(port)") }
    }

    /// A fresh database file in a new temporary folder.
    static func temporaryDatabasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmesh-client-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("registry.sqlite").path
    }

    /// Deletes the temporary folder of a database made by ``temporaryDatabasePath()`` (with its WAL files).
    static func removeDatabase(at path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Starts a registry on `databasePath` and `port` (0: a free one) and waits until it listens.
    static func start(
        databasePath: String, port: Int = 0, configure: (inout RegistryConfiguration) -> Void = { _ in }
    ) async throws -> LocalRegistry {
        var logger = Logger(label: "client-test-registry")
        logger.logLevel = .error
        let store = try await SQLRegistryStore.openSQLite(path: databasePath, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var configuration = RegistryConfiguration(host: "127.0.0.1", port: port, maximumBodyBytes: 1 << 20)
        configure(&configuration)
        let service = RegistryServer.service(
            store: store, configuration: configuration, logger: logger,
            onRunning: { port in
                continuation.yield(port)
                continuation.finish()
            })
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: logger))
        let task = Task { try await group.run() }
        var bound = 0
        for await port in ports { bound = port }
        guard bound > 0 else {
            try? await task.value
            try? await store.close()
            throw TestFailure("the registry did not start on port \(port)")
        }
        return LocalRegistry(port: bound, databasePath: databasePath, group: group, task: task, store: store)
    }

    /// Runs `body` with a registry on a new database, then stops it and deletes the database.
    static func with(
        configure: (inout RegistryConfiguration) -> Void = { _ in }, _ body: (LocalRegistry) async throws -> Void
    ) async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let registry = try await start(databasePath: path, configure: configure)
        do {
            try await body(registry)
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }

    /// Shuts the server down gracefully (waiting polls are answered at once) and closes the database.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try await store.close()
    }
}

/// A test's own failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
