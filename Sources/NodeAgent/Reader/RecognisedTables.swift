public import Firewall
public import NodeState

/// The applier's memory of the tables it applied: per namespace (agent's name) and table, the
/// listing nft printed right after the apply and the table that produced it. The reader reports
/// `.content(table)` when the current listing is that listing, `.unrecognised` otherwise (see
/// `ObservedTable`). Empty after an agent restart: every table is then applied once again.
public struct RecognisedTables: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var listing: String
        public var table: FirewallTable
        public init(listing: String, table: FirewallTable) {
            self.listing = listing
            self.table = table
        }
    }

    private var entries: [NamespaceRef: [TableName: Entry]] = [:]

    public init() {}

    /// Remembers that `table`, applied in `namespace`, listed as `listing`.
    public mutating func remember(_ table: FirewallTable, listing: String, in namespace: NamespaceRef) {
        entries[namespace, default: [:]][table.name] = Entry(listing: listing, table: table)
    }

    public mutating func forget(_ name: TableName, in namespace: NamespaceRef) {
        entries[namespace]?[name] = nil
    }

    /// What a table listed as `listing` is known to contain.
    public func observed(_ name: TableName, listing: String, in namespace: NamespaceRef) -> ObservedTable {
        guard let entry = entries[namespace]?[name], entry.listing == listing else { return .unrecognised }
        return .content(entry.table)
    }
}
