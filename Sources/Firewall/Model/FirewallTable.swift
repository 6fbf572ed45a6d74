/// The name of one of zmesh's nftables tables. Always in the `inet` family and always starting
/// with `zmesh`: zmesh never creates, changes or deletes any other table, and never flushes the
/// ruleset (other software — Docker, firewalld — keeps its rules).
public struct TableName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let requiredPrefix = "zmesh"
    public static let maximumLength = 64
    public let rawValue: String

    /// - Throws: ``FirewallError`` `.invalidInput` unless the name is `zmesh` followed by letters,
    ///   digits, `-` or `_`, at most 64 bytes in all.
    public init(_ rawValue: String) throws(FirewallError) {
        guard rawValue.hasPrefix(TableName.requiredPrefix), rawValue.utf8.count <= TableName.maximumLength,
            rawValue.utf8.allSatisfy({ NFTSyntax.isIdentifierByte($0) })
        else {
            throw .invalid(
                "table '\(rawValue)'",
                "zmesh tables are named 'zmesh' followed by letters, digits, '-' or '_' "
                    + "(at most \(TableName.maximumLength) bytes)")
        }
        self.rawValue = rawValue
    }

    /// `inet NAME`, as nft commands name the table.
    public var qualified: String { "inet \(rawValue)" }
    public var description: String { "table \(qualified)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A whole nftables table in the `inet` family: the unit zmesh applies, replaces and deletes
/// atomically.
public struct FirewallTable: Sendable, Hashable {
    public var name: TableName
    public var chains: [FirewallChain]

    public init(name: TableName, chains: [FirewallChain]) {
        self.name = name
        self.chains = chains
    }

    /// The table in nft syntax (`table inet NAME { chain … }`).
    public var definition: String {
        var lines = ["table \(name.qualified) {"]
        for (position, chain) in chains.enumerated() {
            if position > 0 { lines.append("") }
            lines += chain.definitionLines.map { "\t" + $0 }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One transaction that creates the table or replaces it whole: declare it (a no-op when it
    /// exists), delete it, define it. Applying it twice leaves the same state (idempotent), and
    /// if any part is refused nothing changes.
    public var replaceScript: String {
        TableName.deleteScript(name) + definition
    }
}

extension TableName {
    /// One transaction that deletes the table if it exists and does nothing otherwise.
    static func deleteScript(_ name: TableName) -> String {
        "table \(name.qualified) {}\ndelete table \(name.qualified)\n"
    }
}

/// A chain: a base chain attached to a hook, or a regular chain jumped to from one.
public struct FirewallChain: Sendable, Hashable {
    public let name: String
    public var hook: ChainHook?
    public var rules: [FirewallRule]

    /// - Throws: ``FirewallError`` `.invalidInput` unless `name` is 1–32 letters, digits or `_`.
    public init(_ name: String, hook: ChainHook?, rules: [FirewallRule]) throws(FirewallError) {
        guard !name.isEmpty, name.utf8.count <= 32,
            name.utf8.allSatisfy({ NFTSyntax.isIdentifierByte($0) && $0 != UInt8(ascii: "-") })
        else { throw .invalid("chain '\(name)'", "chain names are 1–32 letters, digits or '_'") }
        self.name = name
        self.hook = hook
        self.rules = rules
    }

    var definitionLines: [String] {
        var lines = ["chain \(name) {"]
        if let hook { lines.append("\t\(hook.definition)") }
        lines += rules.map { "\t\($0.text)" }
        lines.append("}")
        return lines
    }
}

/// Where a base chain hooks into the packet path, and what it does by default.
public struct ChainHook: Sendable, Hashable {
    public enum ChainType: String, Sendable, Hashable { case filter, nat, route }
    public enum Hook: String, Sendable, Hashable { case prerouting, input, forward, output, postrouting }
    public enum Policy: String, Sendable, Hashable { case accept, drop }

    public var type: ChainType
    public var hook: Hook
    /// Lower runs first: `dstnat` −100, `mangle` −150, `filter` 0, `srcnat` 100.
    public var priority: Int
    public var policy: Policy

    public init(type: ChainType, hook: Hook, priority: Int, policy: Policy = .accept) {
        self.type = type
        self.hook = hook
        self.priority = priority
        self.policy = policy
    }

    public static let dstnat = -100
    public static let mangle = -150
    public static let filter = 0
    public static let srcnat = 100

    var definition: String {
        "type \(type.rawValue) hook \(hook.rawValue) priority \(priority); policy \(policy.rawValue);"
    }
}

/// One rule statement in nft syntax (`oifname "eth0" masquerade`), confined to its chain: it
/// cannot contain `;`, `#`, braces other than balanced set braces, or line breaks, so it cannot
/// end the chain or the table and run a command of its own.
public struct FirewallRule: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// - Throws: ``FirewallError`` `.invalidInput` for text that could escape the rule.
    public init(_ text: String) throws(FirewallError) {
        var depth = 0
        var inQuotes = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw .invalid("rule '\(text)'", "a rule cannot contain a line break")
            }
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            switch byte {
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth < 0 { throw .invalid("rule '\(text)'", "unbalanced '}'") }
            case UInt8(ascii: ";"), UInt8(ascii: "#"), UInt8(ascii: "\\"):
                throw .invalid("rule '\(text)'", "a rule cannot contain ';', '#' or '\\' outside quotes")
            default: break
            }
        }
        guard depth == 0, !inQuotes, !text.isEmpty else {
            throw .invalid("rule '\(text)'", "empty, or unbalanced braces or quotes")
        }
        self.text = text
    }

    public var description: String { text }
}

extension TableName {
    /// A name known to be valid (the defaults below).
    init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// `zmesh-nr`: a network resource's egress rules (``NetworkResourceEgress``).
    public static let networkResource = TableName(unchecked: "zmesh-nr")
    /// `zmesh-ndmz`: the node's ndmz policy (``NDMZPolicy``).
    public static let ndmz = TableName(unchecked: "zmesh-ndmz")
    /// `zmesh-pf`: port forwards (``PortForwarding``).
    public static let portForwarding = TableName(unchecked: "zmesh-pf")
    /// `zmesh-mss`: TCP MSS clamping (``MSSClamping``).
    public static let mssClamping = TableName(unchecked: "zmesh-mss")
}
