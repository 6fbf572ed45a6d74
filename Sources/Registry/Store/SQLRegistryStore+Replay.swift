import SQLKit

/// The replay cache's nonces across a clean restart, and the mark that the last run ended cleanly.
extension SQLRegistryStore {
    private static let cleanShutdown = "clean_shutdown"

    public func saveNonces(_ nonces: [NonceRecord]) async throws {
        try await lock.withLock {
            try await database.raw("BEGIN").run()
            do {
                try await database.delete(from: "nonces").run()
                for chunk in stride(from: 0, to: nonces.count, by: 300).map({ nonces[$0..<min($0 + 300, nonces.count)] }) {
                    var insert = database.insert(into: "nonces").columns("signer", "nonce", "expires_at")
                    for nonce in chunk { insert = insert.values(nonce.signer, nonce.nonce, nonce.expiresAt) }
                    try await insert.run()
                }
                try await database.delete(from: "registry_state").where("name", .equal, Self.cleanShutdown).run()
                try await database.insert(into: "registry_state").columns("name", "value").values(Self.cleanShutdown, 1)
                    .run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func restoreNonces(now: Int64) async throws -> [NonceRecord]? {
        try await lock.withLock {
            try await database.raw("BEGIN").run()
            do {
                let clean =
                    try await database.select().column("value").from("registry_state")
                    .where("name", .equal, Self.cleanShutdown).first() != nil
                let nonces =
                    try await database.select().columns("signer", "nonce", "expires_at").from("nonces")
                    .where("expires_at", .greaterThanOrEqual, now).all()
                    .map {
                        NonceRecord(
                            signer: try $0.decode(column: "signer", as: String.self),
                            nonce: try $0.decode(column: "nonce", as: String.self),
                            expiresAt: try $0.decode(column: "expires_at", as: Int64.self))
                    }
                // From here on this run is not known to end cleanly until saveNonces marks it so.
                try await database.delete(from: "nonces").run()
                try await database.delete(from: "registry_state").where("name", .equal, Self.cleanShutdown).run()
                try await database.raw("COMMIT").run()
                return clean ? nonces : nil
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
