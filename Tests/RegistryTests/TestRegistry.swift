import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Registry
import RegistryProtocol
import ServiceLifecycle
import ZmeshCrypto

/// A registry served in-process on 127.0.0.1 with a free port, over an SQLite file.
final class TestRegistry: Sendable {
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

    /// A fresh database file in a new temporary folder.
    static func temporaryDatabasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmesh-registry-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("registry.sqlite").path
    }

    /// Deletes the temporary folder of a database made by ``temporaryDatabasePath()`` (with its WAL files).
    static func removeDatabase(at path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Starts a registry on `databasePath` (a new temporary file when nil) and waits until it listens.
    static func start(databasePath: String? = nil, maximumBodyBytes: Int = 64 << 10) async throws -> TestRegistry {
        let path = databasePath ?? temporaryDatabasePath()
        var logger = Logger(label: "registry-test")
        logger.logLevel = .warning
        let store = try await SQLRegistryStore.openSQLite(path: path, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let configuration = RegistryConfiguration(host: "127.0.0.1", port: 0, maximumBodyBytes: maximumBodyBytes)
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
        return TestRegistry(port: bound, databasePath: path, group: group, task: task, store: store)
    }

    /// Runs `body` with a started registry and stops it afterwards, also when `body` throws.
    static func with(maximumBodyBytes: Int = 64 << 10, _ body: (TestRegistry) async throws -> Void) async throws {
        let registry = try await start(maximumBodyBytes: maximumBodyBytes)
        defer { removeDatabase(at: registry.databasePath) }
        do {
            try await body(registry)
        } catch {
            try? await registry.stop()
            throw error
        }
        try await registry.stop()
    }

    /// Shuts the server down gracefully and closes the database.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try await store.close()
    }

    /// The answer to one request: status and parsed JSON body (nil when the body is not a JSON object).
    struct Reply: Sendable {
        let status: Int
        let bytes: [UInt8]
        var json: [String: any Sendable]? {
            (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: any Sendable]
        }
        /// `error.code` of an error answer.
        var errorCode: String? { (json?["error"] as? [String: any Sendable])?["code"] as? String }
    }

    /// Sends a request; signs it as `signer` unless nil. `headers` override the signing headers (for tampering).
    func send(
        _ method: HTTPMethod, _ target: String, body: [UInt8] = [], signer: Identity? = nil,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970), nonce: String = RequestSigning.randomNonce(),
        headers override: [(name: String, value: String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = method
        if !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        if let signer {
            for header in RequestSigning.headers(
                identity: signer, method: method.rawValue, target: target, body: body, timestamp: timestamp, nonce: nonce)
            {
                request.headers.replaceOrAdd(name: header.name, value: header.value)
            }
        }
        for header in override { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), bytes: Array(buffer.readableBytesView))
    }

    /// JSON text of an object with string members.
    static func object(_ members: [String: any Sendable]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data())
    }

    /// Registers a twin (signed by itself); returns the status.
    @discardableResult
    func registerTwin(_ identity: Identity) async throws -> Int {
        let body = Self.object(["id": identity.id.rawValue, "public_key": identity.publicKey.base64])
        return try await send(.POST, "/v1/twins", body: body, signer: identity).status
    }

    /// Registers a node (signed by itself); returns the status.
    @discardableResult
    func registerNode(_ identity: Identity, farm: Int = 1, endpoints: [String] = ["203.0.113.9:51820"]) async throws
        -> Int
    {
        let body = Self.object([
            "id": identity.id.rawValue, "farm": farm, "public_key": identity.publicKey.base64, "endpoints": endpoints,
        ])
        return try await send(.POST, "/v1/nodes", body: body, signer: identity).status
    }

    /// Polls `node`'s mailbox (signed by the node).
    func poll(_ node: Identity, after: Int64 = 0, wait: Int = 0) async throws -> Reply {
        try await send(.GET, "/v1/nodes/\(node.id)/mailbox?after=\(after)&wait=\(wait)", signer: node)
    }
}

extension TestRegistry.Reply {
    /// The mailbox items of a poll answer.
    var items: [[String: any Sendable]] { (json?["items"] as? [[String: any Sendable]]) ?? [] }
    /// The cursor of a poll answer.
    var cursor: Int64 { (json?["cursor"] as? NSNumber)?.int64Value ?? -1 }
}
