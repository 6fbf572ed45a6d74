public import Foundation
import Logging
public import Registry
import ServiceLifecycle

/// A registry served in-process on 127.0.0.1 over an SQLite file, on a free port or a given one (so a
/// test can stop it and start another on the same port and database, as a restart). Shared by the
/// registry's and the client's tests.
public final class InProcessRegistry: Sendable {
    public let port: Int
    public let databasePath: String
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

    /// A fresh database file in a new temporary folder.
    public static func temporaryDatabasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmesh-registry-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("registry.sqlite").path
    }

    /// Deletes the temporary folder of a database made by ``temporaryDatabasePath()`` (with its WAL files).
    public static func removeDatabase(at path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Starts a registry on `databasePath` (a new temporary file when nil) and `port` (0: a free one), and
    /// waits until it listens.
    public static func start(
        databasePath: String? = nil, port: Int = 0, maximumBodyBytes: Int = 1 << 20,
        configure: (inout RegistryConfiguration) -> Void = { _ in }
    ) async throws -> InProcessRegistry {
        let path = databasePath ?? temporaryDatabasePath()
        var logger = Logger(label: "registry-test")
        logger.logLevel = .error
        let store = try await SQLRegistryStore.openSQLite(path: path, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var configuration = RegistryConfiguration(host: "127.0.0.1", port: port, maximumBodyBytes: maximumBodyBytes)
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
        return InProcessRegistry(port: bound, databasePath: path, group: group, task: task, store: store)
    }

    /// Runs `body` with a registry on a new database, then stops it and deletes the database, also when
    /// `body` throws.
    public static func with(
        maximumBodyBytes: Int = 1 << 20, configure: (inout RegistryConfiguration) -> Void = { _ in },
        _ body: (InProcessRegistry) async throws -> Void
    ) async throws {
        let registry = try await start(maximumBodyBytes: maximumBodyBytes, configure: configure)
        defer { removeDatabase(at: registry.databasePath) }
        do {
            try await body(registry)
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }

    /// Shuts the server down gracefully (waiting polls are answered at once) and closes the database.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try await store.close()
    }
}

/// A test helper's failure, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
