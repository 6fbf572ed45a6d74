public import Logging
import SQLKit
import SQLiteKit
public import ZmeshCrypto

/// ``RegistryStore`` over SQLKit. Today it opens one SQLite connection (WAL journal, full sync) and
/// serialises every operation through it, so that a write transaction never interleaves with other
/// statements and mailbox sequence numbers become visible in order.
public final class SQLRegistryStore: RegistryStore {
    let database: any SQLDatabase
    private let closeConnection: @Sendable () async throws -> Void
    let lock = AsyncLock()

    private init(database: any SQLDatabase, close: @escaping @Sendable () async throws -> Void) {
        self.database = database
        self.closeConnection = close
    }

    /// Opens (creating if needed) the SQLite database at `path`, switches it to WAL and runs the migrations.
    public static func openSQLite(path: String, logger: Logger) async throws -> SQLRegistryStore {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = connection.sql(queryLogLevel: nil)
        do {
            try await database.raw("PRAGMA journal_mode = WAL").run()
            try await database.raw("PRAGMA synchronous = FULL").run()
            try await database.raw("PRAGMA busy_timeout = 5000").run()
            try await SQLMigrations.run(SQLMigrations.sqlite, on: database)
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLRegistryStore(database: database, close: { try await connection.close() })
    }

    public func close() async throws { try await closeConnection() }

    // MARK: Twins

    public func twin(_ id: IdentityID) async throws -> TwinRecord? {
        try await lock.withLock {
            guard
                let row = try await database.select().columns("public_key", "registered_at").from("twins")
                    .where("id", .equal, id.rawValue).first()
            else { return nil }
            let key = try Ed25519PublicKey(try row.decode(column: "public_key", as: String.self))
            return TwinRecord(id: id, publicKey: key, registeredAt: try row.decode(column: "registered_at", as: Int64.self))
        }
    }

    public func addTwin(_ twin: TwinRecord) async throws -> Bool {
        try await lock.withLock {
            let existing = try await database.select().column("id").from("twins").where("id", .equal, twin.id.rawValue)
                .first()
            guard existing == nil else { return false }
            try await database.insert(into: "twins").columns("id", "public_key", "registered_at")
                .values(twin.id.rawValue, twin.publicKey.base64, twin.registeredAt).run()
            return true
        }
    }

    // Nodes: SQLRegistryStore+Nodes.swift.

    // MARK: Deployments

    private static let deploymentColumns = ["version", "digest", "document", "submitted_by", "submitted_at"]

    private func deploymentRecord(_ row: any SQLRow, owner: String, network: String) throws -> DeploymentRecord {
        DeploymentRecord(
            owner: owner, network: network, version: try row.decode(column: "version", as: Int64.self),
            digest: try row.decode(column: "digest", as: String.self),
            document: try row.decode(column: "document", as: String.self),
            submittedBy: try row.decode(column: "submitted_by", as: String.self),
            submittedAt: try row.decode(column: "submitted_at", as: Int64.self))
    }

    public func latestDeployment(owner: String, network: String) async throws -> DeploymentRecord? {
        try await lock.withLock {
            guard
                let row = try await database.select().columns(Self.deploymentColumns).from("deployments")
                    .where("owner", .equal, owner).where("network", .equal, network)
                    .orderBy("version", .descending).limit(1).first()
            else { return nil }
            return try deploymentRecord(row, owner: owner, network: network)
        }
    }

    public func deployment(owner: String, network: String, version: Int64) async throws -> DeploymentRecord? {
        try await lock.withLock {
            guard
                let row = try await database.select().columns(Self.deploymentColumns).from("deployments")
                    .where("owner", .equal, owner).where("network", .equal, network).where("version", .equal, version)
                    .first()
            else { return nil }
            return try deploymentRecord(row, owner: owner, network: network)
        }
    }

    public func deploymentHistory(owner: String, network: String) async throws -> [DeploymentRecord] {
        try await lock.withLock {
            try await database.select().columns(Self.deploymentColumns).from("deployments")
                .where("owner", .equal, owner).where("network", .equal, network).orderBy("version", .ascending).all()
                .map { try deploymentRecord($0, owner: owner, network: network) }
        }
    }

    public func addDeployment(_ deployment: DeploymentRecord, recipients: [IdentityID]) async throws {
        try await lock.withLock {
            let existing = try await database.select().column("version").from("deployments")
                .where("owner", .equal, deployment.owner).where("network", .equal, deployment.network)
                .where("version", .equal, deployment.version).first()
            guard existing == nil else { throw StoreConflict() }
            try await database.raw("BEGIN").run()
            do {
                try await database.insert(into: "deployments")
                    .columns("owner", "network", "version", "digest", "document", "submitted_by", "submitted_at")
                    .values(
                        deployment.owner, deployment.network, deployment.version, deployment.digest, deployment.document,
                        deployment.submittedBy, deployment.submittedAt
                    ).run()
                for node in recipients {
                    // The new item supersedes the node's older items of this network (see docs/registry.md).
                    try await database.delete(from: "mailbox").where("node", .equal, node.rawValue)
                        .where("owner", .equal, deployment.owner).where("network", .equal, deployment.network).run()
                    try await database.insert(into: "mailbox").columns("node", "kind", "owner", "network", "version")
                        .values(node.rawValue, "deployment", deployment.owner, deployment.network, deployment.version)
                        .run()
                }
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    // MARK: Mailbox

    public func mailbox(node: IdentityID, after: Int64, limit: Int) async throws -> [MailboxItem] {
        try await lock.withLock {
            try await database.raw(
                """
                SELECT m.seq, m.kind, m.owner, m.network, m.version, d.document FROM mailbox m
                JOIN deployments d ON d.owner = m.owner AND d.network = m.network AND d.version = m.version
                WHERE m.node = \(bind: node.rawValue) AND m.seq > \(bind: after) ORDER BY m.seq LIMIT \(literal: limit)
                """
            ).all().map { row in
                MailboxItem(
                    cursor: try row.decode(column: "seq", as: Int64.self),
                    kind: try row.decode(column: "kind", as: String.self),
                    owner: try row.decode(column: "owner", as: String.self),
                    network: try row.decode(column: "network", as: String.self),
                    version: try row.decode(column: "version", as: Int64.self),
                    document: try row.decode(column: "document", as: String.self))
            }
        }
    }
}
