import SQLKit
public import ZmeshCrypto

/// Per-node network status: one row per (node, owner, network), replaced by each report.
extension SQLRegistryStore {
    public func hasDeployment(owner: String, network: String, version: Int64) async throws -> Bool {
        try await lock.withLock {
            try await database.select().column("version").from("deployments").where("owner", .equal, owner)
                .where("network", .equal, network).where("version", .equal, version).first() != nil
        }
    }

    public func putStatuses(_ reports: [NetworkStatusRecord]) async throws {
        guard !reports.isEmpty else { return }
        try await lock.withLock {
            try await database.raw("BEGIN").run()
            do {
                for report in reports {
                    try await database.delete(from: "node_status").where("node", .equal, report.node.rawValue)
                        .where("owner", .equal, report.owner).where("network", .equal, report.network).run()
                    try await database.insert(into: "node_status")
                        .columns("node", "owner", "network", "version", "state", "error", "peers", "reported_at")
                        .values(
                            report.node.rawValue, report.owner, report.network, report.version, report.state,
                            report.error, report.peers, report.reportedAt
                        ).run()
                }
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func statuses(owner: String, network: String) async throws -> [NetworkStatusRecord] {
        try await lock.withLock {
            try await database.select()
                .columns("node", "version", "state", "error", "peers", "reported_at").from("node_status")
                .where("owner", .equal, owner).where("network", .equal, network).all()
                .map { row in
                    NetworkStatusRecord(
                        node: try IdentityID(try row.decode(column: "node", as: String.self)), owner: owner,
                        network: network, version: try row.decode(column: "version", as: Int64.self),
                        state: try row.decode(column: "state", as: String.self),
                        error: try row.decode(column: "error", as: String?.self),
                        peers: try row.decode(column: "peers", as: String.self),
                        reportedAt: try row.decode(column: "reported_at", as: Int64.self))
                }
        }
    }
}
