internal import CNFTables
public import SystemSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// libnftables, in process, for one network namespace: applies, replaces and deletes zmesh's
/// tables, each change one atomic transaction (all of it or nothing).
///
/// The context is created — and every command runs — on a dedicated thread inside the namespace: a
/// libnftables context opens its netlink socket when created, and that socket acts on the
/// namespace it was opened in. Only `inet zmesh…` tables (``TableName``) are ever named; the
/// ruleset is never flushed, other tables are never touched. Changing anything needs
/// `CAP_NET_ADMIN` over the namespace (root).
///
/// ```swift
/// let nft = try NFTablesContext(namespace: .named("ndmz"))
/// try nft.apply(try NDMZPolicy(publicInterface: pub, resourceInterfaces: .prefix("n-")).table())
/// ```
public final class NFTablesContext: Sendable {
    public let namespace: NetworkNamespace?
    /// The namespace, as errors name it.
    public let namespaceDescription: String
    private let context: Mutex<ContextPointer>

    /// Creates a libnftables context on a thread inside `namespace` (`nil`: the calling thread's).
    ///
    /// - Throws: ``FirewallError`` with `.unknownNamespace` when the namespace does not exist.
    public init(namespace: NetworkNamespace? = nil) throws(FirewallError) {
        self.namespace = namespace
        let label = NetworkNamespace.label(namespace)
        namespaceDescription = label
        let made = try NFTablesContext.inside(namespace, label, "create", "nftables context") { () -> ContextPointer? in
            guard let raw = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else { return nil }
            _ = nft_ctx_buffer_output(raw)
            _ = nft_ctx_buffer_error(raw)
            return ContextPointer(raw: raw)
        }
        guard let made else {
            throw FirewallError(
                .system(errno: ENOMEM), operation: "create", object: "nftables context", namespace: label,
                reason: "nft_ctx_new failed")
        }
        context = Mutex(made)
    }

    deinit {
        context.withLock { nft_ctx_free($0.raw) }
    }

    /// Creates `table`, or replaces it whole if it exists, in one transaction: declare, delete,
    /// define. Idempotent; when nftables refuses any part, the previous table stays as it was.
    public func apply(_ table: FirewallTable) throws(FirewallError) {
        _ = try run(table.replaceScript, "apply", "\(table.name)")
    }

    /// Deletes the table if it exists (idempotent).
    public func deleteTable(_ name: TableName) throws(FirewallError) {
        _ = try run(TableName.deleteScript(name), "delete", "\(name)")
    }

    /// zmesh's tables present in the namespace (`inet zmesh…`), sorted. Other tables are not
    /// reported.
    public func tableNames() throws(FirewallError) -> [TableName] {
        let output = try run("list tables inet\n", "list", "tables")
        return output.split(separator: "\n").compactMap { line -> TableName? in
            let words = line.split(separator: " ")
            guard words.count == 3, words[0] == "table", words[1] == "inet" else { return nil }
            return try? TableName(String(words[2]))
        }.sorted()
    }

    /// The table as nft prints it (`nft list table inet NAME`), or `nil` when it does not exist.
    public func listTable(_ name: TableName) throws(FirewallError) -> String? {
        guard try tableNames().contains(name) else { return nil }
        return try run("list table \(name.qualified)\n", "list", "\(name)")
    }

    /// Runs one nft script as one transaction, on a thread inside the namespace; returns the
    /// output buffer.
    private func run(_ script: String, _ operation: String, _ object: String) throws(FirewallError) -> String {
        let label = namespaceDescription
        let outcome = try context.withLock { (pointer: inout ContextPointer) throws(FirewallError) -> Outcome in
            let raw = pointer
            return try NFTablesContext.inside(namespace, label, operation, object) { () -> Outcome in
                let rc = nft_run_cmd_from_buffer(raw.raw, script)
                let output = nft_ctx_get_output_buffer(raw.raw).map { String(cString: $0) } ?? ""
                let error = nft_ctx_get_error_buffer(raw.raw).map { String(cString: $0) } ?? ""
                return Outcome(status: rc, output: output, error: error)
            }
        }
        guard outcome.status == 0 else {
            let reason = outcome.error.isEmpty ? "nftables refused the transaction" : outcome.error
            let code: FirewallError.Code =
                reason.contains("Operation not permitted") ? .permissionDenied : .rejected
            throw FirewallError(code, operation: operation, object: object, namespace: label, reason: reason)
        }
        return outcome.output
    }

    /// Runs `body` on a thread inside `namespace` (or right here for `nil`), mapping failures to enter
    /// the namespace to ``FirewallError``.
    private static func inside<T: Sendable>(
        _ namespace: NetworkNamespace?, _ label: String, _ operation: String, _ object: String,
        _ body: @escaping @Sendable () -> T
    ) throws(FirewallError) -> T {
        guard let namespace else { return body() }
        do {
            return try namespace.runReportingSystemErrors { () throws(SystemError) -> T in body() }
        } catch {
            let missing = namespace.isMissing(error)
            let code: FirewallError.Code =
                missing ? .unknownNamespace : (error.errno == EPERM ? .permissionDenied : .system(errno: error.errno))
            throw FirewallError(
                code, operation: operation, object: object, namespace: label,
                reason: missing ? "no such network namespace" : error.description)
        }
    }
}

/// An `nft_ctx *`, used only under the context's lock (and on one thread at a time).
private struct ContextPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

private struct Outcome: Sendable {
    let status: Int32
    let output: String
    let error: String
}
