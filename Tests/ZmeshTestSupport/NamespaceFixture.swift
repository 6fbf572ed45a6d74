import Firewall
import Foundation
import SystemSupport
import ZmeshModel

/// A scope for one privileged test: named namespaces and names carrying a random tag, cleanups run
/// last-in first-out on the way out (whether the test passed, failed or threw), then a check that
/// nothing the test made survived it — no namespace named with the tag (and no leftover mount), no
/// link with the tag in the test process's own namespace, no table with the tag there either.
///
/// Names are unique on the machine (other engineers' tests run concurrently): namespaces are
/// `zt-<tag>-<role>`, links `<role>-<tag>`, tables `zmesh-t<tag>-<role>`.
///
/// ```swift
/// try NamespaceFixture.with { f in
///     let a = try f.namespace("a")
///     …
/// }
/// ```
public final class NamespaceFixture {
    /// Five random hex digits shared by every name of this fixture.
    public let tag: String
    private var cleanups: [(description: String, body: () throws -> Void)] = []

    /// What survived a test, or why cleaning up failed.
    public struct Leak: Error, CustomStringConvertible {
        public let problems: [String]
        public let testError: (any Error)?
        public var description: String {
            let leaks = "resources leaked or cleanup failed: " + problems.joined(separator: "; ")
            return testError.map { "\($0) — and \(leaks)" } ?? leaks
        }
    }

    init() {
        tag = String(ScratchNamespace.randomSuffix().suffix(5))
    }

    /// Runs `body` with a fresh fixture, cleans up, and throws ``Leak`` when anything remains.
    public static func with<T>(_ body: (NamespaceFixture) throws -> T) throws -> T {
        let fixture = NamespaceFixture()
        let result = Result { try body(fixture) }
        var problems = fixture.runCleanups()
        problems += fixture.leaks()
        if !problems.isEmpty {
            if case .failure(let error) = result { throw Leak(problems: problems, testError: error) }
            throw Leak(problems: problems, testError: nil)
        }
        return try result.get()
    }

    /// A fixture whose scope the caller manages (async tests): call ``finish()`` exactly once, from
    /// a `defer`, and report what it returns.
    public static func unscoped() -> NamespaceFixture { NamespaceFixture() }

    /// Runs the cleanups and returns what leaked or failed (empty when all is well).
    public func finish() -> [String] { runCleanups() + leaks() }

    /// Registers a cleanup; cleanups run in reverse order of registration.
    public func addCleanup(_ description: String, _ body: @escaping () throws -> Void) {
        cleanups.append((description, body))
    }

    /// The name of this fixture's namespace for `role` (not created).
    public func namespaceName(_ role: String) -> String { "zt-\(tag)-\(role)" }

    /// Creates `zt-<tag>-<role>` with our ``NetworkNamespace/create(named:)``, brings its loopback
    /// up with iproute2, and registers its deletion.
    @discardableResult
    public func namespace(_ role: String) throws -> NetworkNamespace {
        let name = namespaceName(role)
        let namespace = try NetworkNamespace.create(named: name)
        addCleanup("delete namespace \(name)") { try NetworkNamespace.delete(named: name) }
        try ShellCommand.run(["ip", "-n", name, "link", "set", "lo", "up"])
        return namespace
    }

    /// `<role>-<tag>` (role at most 9 bytes, so the name fits 15).
    public func linkName(_ role: String) throws -> InterfaceName {
        try InterfaceName("\(role)-\(tag)")
    }

    /// `zmesh-t<tag>-<role>`.
    public func tableName(_ role: String) throws -> TableName {
        try TableName("zmesh-t\(tag)-\(role)")
    }

    private func runCleanups() -> [String] {
        var problems: [String] = []
        while let cleanup = cleanups.popLast() {
            do { try cleanup.body() } catch { problems.append("\(cleanup.description) failed: \(error)") }
        }
        return problems
    }

    /// Everything carrying the tag that still exists.
    func leaks() -> [String] {
        var problems: [String] = []
        let prefix = "zt-\(tag)"
        let namespaces = (try? NetworkNamespace.namedNamespaces()) ?? []
        for name in namespaces where name.hasPrefix(prefix) { problems.append("namespace \(name) still exists") }
        if let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
            mounts.contains("/run/netns/\(prefix)")
        {
            problems.append("a /run/netns/\(prefix)… mount is still there")
        }
        if let links = try? ShellCommand.run(["ip", "-o", "link", "show"]) {
            for line in links.split(separator: "\n") where line.contains("-\(tag)") {
                problems.append("link left in the test process's namespace: \(line.prefix(60))")
            }
        }
        if let tables = try? ShellCommand.run(["nft", "list", "tables"]) {
            for line in tables.split(separator: "\n") where line.contains("zmesh-t\(tag)") {
                problems.append("table left in the test process's namespace: \(line)")
            }
        }
        return problems
    }
}
