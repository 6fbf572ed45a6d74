import SQLKit
public import ZmeshCrypto

/// Farms. Ids come from the table's autoincrementing key (1, 2, 3, …, never reused).
extension SQLRegistryStore {
    public func addFarm(name: String, owner: IdentityID, createdAt: Int64) async throws -> (farm: FarmRecord, isNew: Bool) {
        try await lock.withLock {
            if let existing = try await farmRow(name: name, owner: owner) { return (existing, false) }
            try await database.insert(into: "farms").columns("name", "owner", "created_at")
                .values(name, owner.rawValue, createdAt).run()
            guard let stored = try await farmRow(name: name, owner: owner) else { throw FarmIDsExhausted() }
            guard stored.id != 0 else {
                // The id does not fit a UInt32: undo the insert.
                try await database.delete(from: "farms").where("name", .equal, name)
                    .where("owner", .equal, owner.rawValue).run()
                throw FarmIDsExhausted()
            }
            return (stored, true)
        }
    }

    public func farm(_ id: UInt32) async throws -> FarmRecord? {
        try await lock.withLock {
            guard
                let row = try await database.select().columns("id", "name", "owner", "created_at").from("farms")
                    .where("id", .equal, Int64(id)).first()
            else { return nil }
            return try farmRecord(row)
        }
    }

    private func farmRow(name: String, owner: IdentityID) async throws -> FarmRecord? {
        guard
            let row = try await database.select().columns("id", "name", "owner", "created_at").from("farms")
                .where("name", .equal, name).where("owner", .equal, owner.rawValue).first()
        else { return nil }
        return try farmRecord(row)
    }

    /// The record of a row; id 0 when the stored id does not fit a `UInt32`.
    private func farmRecord(_ row: any SQLRow) throws -> FarmRecord {
        let id = try row.decode(column: "id", as: Int64.self)
        return FarmRecord(
            id: UInt32(exactly: id) ?? 0, name: try row.decode(column: "name", as: String.self),
            owner: try IdentityID(try row.decode(column: "owner", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
