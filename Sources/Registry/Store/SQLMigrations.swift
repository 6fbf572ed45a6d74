import SQLKit

/// The schema, as numbered migrations applied in order on start; `schema_migrations` records which ran.
///
/// The DDL is SQLite's (`INTEGER PRIMARY KEY AUTOINCREMENT` for the mailbox sequence); a PostgreSQL
/// store would carry its own list with the same tables (`BIGSERIAL` for the sequence). Every query
/// outside this file is dialect-neutral SQLKit.
enum SQLMigrations {
    /// Migration number → its statements.
    static let sqlite: [(version: Int64, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE twins (id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE nodes (id TEXT PRIMARY KEY, farm BIGINT NOT NULL, public_key TEXT NOT NULL,
                    endpoints TEXT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE deployments (owner TEXT NOT NULL, network TEXT NOT NULL, version BIGINT NOT NULL,
                    digest TEXT NOT NULL, document TEXT NOT NULL, submitted_by TEXT NOT NULL,
                    submitted_at BIGINT NOT NULL, PRIMARY KEY (owner, network, version))
                """,
                """
                CREATE TABLE mailbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, node TEXT NOT NULL, kind TEXT NOT NULL,
                    owner TEXT NOT NULL, network TEXT NOT NULL, version BIGINT NOT NULL)
                """,
                "CREATE INDEX mailbox_by_node ON mailbox (node, seq)",
            ]
        ),
        (
            // Farms; node facts (public IPs, used ports, outbound families) replace endpoints; last seen;
            // per-node network status; mailbox supersession; persisted replay protection.
            2,
            [
                """
                CREATE TABLE farms (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, owner TEXT NOT NULL,
                    created_at BIGINT NOT NULL, UNIQUE (owner, name))
                """,
                "ALTER TABLE nodes ADD COLUMN public_ips TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE nodes ADD COLUMN used_ports TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE nodes ADD COLUMN outbound TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE nodes ADD COLUMN last_seen BIGINT",
                "ALTER TABLE nodes DROP COLUMN endpoints",
                """
                CREATE TABLE node_status (node TEXT NOT NULL, owner TEXT NOT NULL, network TEXT NOT NULL,
                    version BIGINT NOT NULL, state TEXT NOT NULL, error TEXT, peers TEXT NOT NULL,
                    reported_at BIGINT NOT NULL, PRIMARY KEY (node, owner, network))
                """,
                "CREATE INDEX node_status_by_network ON node_status (owner, network)",
                "CREATE INDEX mailbox_by_network ON mailbox (node, owner, network)",
                """
                CREATE TABLE nonces (signer TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL,
                    PRIMARY KEY (signer, nonce))
                """,
                "CREATE TABLE registry_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            ]
        ),
        (
            3,
            [
                """
                CREATE TABLE proposals (digest TEXT PRIMARY KEY, owner TEXT NOT NULL, network TEXT NOT NULL,
                    version BIGINT NOT NULL, document TEXT NOT NULL, submitted_by TEXT NOT NULL,
                    updated_at BIGINT NOT NULL, signed_weight BIGINT NOT NULL, weight_required BIGINT NOT NULL)
                """,
                "CREATE INDEX proposals_by_network ON proposals (owner, network, version)",
                """
                CREATE TABLE proposal_awaiting (digest TEXT NOT NULL, twin TEXT NOT NULL, position BIGINT NOT NULL,
                    PRIMARY KEY (twin, digest))
                """,
            ]
        )
    ]

    /// Applies the migrations `database` has not run yet, each in its own transaction.
    static func run(_ migrations: [(version: Int64, statements: [String])], on database: any SQLDatabase) async throws {
        try await database.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)").run()
        let applied = Set(
            try await database.select().column("version").from("schema_migrations").all().map {
                try $0.decode(column: "version", as: Int64.self)
            })
        for migration in migrations where !applied.contains(migration.version) {
            try await database.raw("BEGIN").run()
            do {
                for statement in migration.statements {
                    try await database.raw("\(unsafeRaw: statement)").run()
                }
                try await database.insert(into: "schema_migrations").columns("version").values(migration.version).run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
