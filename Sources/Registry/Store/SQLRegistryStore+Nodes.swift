import SQLKit
public import ZmeshCrypto

/// Nodes and their liveness. Lists are kept as comma-separated text (`public_ips`, `used_ports`, `outbound`).
extension SQLRegistryStore {
    private static let nodeColumns = ["farm", "public_key", "public_ips", "used_ports", "outbound", "updated_at", "last_seen"]

    public func node(_ id: IdentityID) async throws -> NodeRecord? {
        try await lock.withLock { try await unlockedNode(id) }
    }

    func unlockedNode(_ id: IdentityID) async throws -> NodeRecord? {
        guard
            let row = try await database.select().columns(Self.nodeColumns).from("nodes")
                .where("id", .equal, id.rawValue).first()
        else { return nil }
        func list(_ column: String) throws -> [String] {
            let text = try row.decode(column: column, as: String.self)
            return text.isEmpty ? [] : text.split(separator: ",").map(String.init)
        }
        return NodeRecord(
            id: id, farm: UInt32(clamping: try row.decode(column: "farm", as: Int64.self)),
            publicKey: try Ed25519PublicKey(try row.decode(column: "public_key", as: String.self)),
            publicIPs: try list("public_ips"), usedPorts: try list("used_ports").compactMap { UInt16($0) },
            outbound: try list("outbound"), updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            lastSeen: try row.decode(column: "last_seen", as: Int64?.self))
    }

    /// Stores or replaces `node` (its `lastSeen` is stored too); returns whether it was new.
    public func putNode(_ node: NodeRecord) async throws -> Bool {
        try await lock.withLock {
            let isNew = try await unlockedNode(node.id) == nil
            let ips = node.publicIPs.joined(separator: ",")
            let ports = node.usedPorts.map(String.init).joined(separator: ",")
            let outbound = node.outbound.joined(separator: ",")
            if isNew {
                try await database.insert(into: "nodes")
                    .columns("id", "farm", "public_key", "public_ips", "used_ports", "outbound", "updated_at", "last_seen")
                    .values(
                        node.id.rawValue, Int64(node.farm), node.publicKey.base64, ips, ports, outbound, node.updatedAt,
                        node.lastSeen
                    ).run()
            } else {
                try await database.update("nodes").set("farm", to: Int64(node.farm)).set("public_ips", to: ips)
                    .set("used_ports", to: ports).set("outbound", to: outbound).set("updated_at", to: node.updatedAt)
                    .set("last_seen", to: node.lastSeen).where("id", .equal, node.id.rawValue).run()
            }
            return isNew
        }
    }

    public func touchNode(_ node: IdentityID, at time: Int64) async throws {
        try await lock.withLock {
            try await database.update("nodes").set("last_seen", to: time).where("id", .equal, node.rawValue)
                .where(group: { $0.where("last_seen", .is, SQLLiteral.null).orWhere("last_seen", .lessThan, time) })
                .run()
        }
    }

    public func lastSeen(of nodes: [IdentityID]) async throws -> [IdentityID: Int64] {
        guard !nodes.isEmpty else { return [:] }
        return try await lock.withLock {
            var seen: [IdentityID: Int64] = [:]
            // Bounded IN lists (SQLite allows 32,766 bound parameters; PostgreSQL 65,535).
            for chunk in stride(from: 0, to: nodes.count, by: 500).map({ nodes[$0..<min($0 + 500, nodes.count)] }) {
                let rows = try await database.select().columns("id", "last_seen").from("nodes")
                    .where("id", .in, chunk.map(\.rawValue)).where("last_seen", .isNot, SQLLiteral.null).all()
                for row in rows {
                    let id = try IdentityID(try row.decode(column: "id", as: String.self))
                    seen[id] = try row.decode(column: "last_seen", as: Int64.self)
                }
            }
            return seen
        }
    }
}
