import Firewall
import NodeState
import Synchronization

/// The reconciler's ``RecognisedTables`` behind a lock, with the names it holds per namespace so
/// that deleting a namespace forgets its tables.
final class TableMemory: Sendable {
    private struct State {
        var tables = RecognisedTables()
        var names: [NamespaceRef: Set<TableName>] = [:]
    }

    private let state = Mutex(State())

    var recognised: RecognisedTables { state.withLock { $0.tables } }

    func remember(_ table: FirewallTable, listing: String, in namespace: NamespaceRef) {
        state.withLock {
            $0.tables.remember(table, listing: listing, in: namespace)
            $0.names[namespace, default: []].insert(table.name)
        }
    }

    func forget(_ name: TableName, in namespace: NamespaceRef) {
        state.withLock {
            $0.tables.forget(name, in: namespace)
            $0.names[namespace]?.remove(name)
        }
    }

    func forgetNamespace(_ namespace: NamespaceRef) {
        state.withLock {
            for name in $0.names[namespace] ?? [] { $0.tables.forget(name, in: namespace) }
            $0.names[namespace] = nil
        }
    }
}
