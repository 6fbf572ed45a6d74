public import ZmeshModel

/// Which interfaces a rule matches: exact names, or every name starting with a prefix (nft's
/// trailing `*` wildcard, matched at packet time, so interfaces created later are covered).
public enum InterfaceSelector: Sendable, Hashable {
    case names([InterfaceName])
    case prefix(String)
}

/// Building blocks of nft rule text, with every value checked before it is spliced in.
enum NFTSyntax {
    /// Letters, digits, `-` and `_`: the bytes allowed in table and chain names here.
    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    /// `"NAME"`; refuses names nft could not quote or would read as a wildcard.
    static func quoted(_ name: InterfaceName) throws(FirewallError) -> String {
        try quoted(name.rawValue, wildcard: false)
    }

    static func quoted(_ text: String, wildcard: Bool) throws(FirewallError) -> String {
        guard !text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "*") })
        else { throw .invalid("interface '\(text)'", "interface names with '\"', '\\' or '*' cannot be matched safely") }
        return "\"\(text)\(wildcard ? "*" : "")\""
    }

    /// The match expression of a selector: `"eth0"`, `{ "a", "b" }` or `"nr-*"`.
    static func interfaces(_ selector: InterfaceSelector) throws(FirewallError) -> String {
        switch selector {
        case .names(let names):
            guard !names.isEmpty else { throw .invalid("interface selector", "no interface names given") }
            if names.count == 1 { return try quoted(names[0]) }
            var quotedNames: [String] = []
            for name in names.sorted() { quotedNames.append(try quoted(name)) }
            return "{ \(quotedNames.joined(separator: ", ")) }"
        case .prefix(let prefix):
            guard !prefix.isEmpty, prefix.utf8.count < InterfaceName.maximumLength else {
                throw .invalid("interface prefix '\(prefix)'", "a prefix is 1–14 bytes")
            }
            return try quoted(prefix, wildcard: true)
        }
    }

    /// `10.0.0.0/8` or `{ 10.0.0.0/8, 192.168.1.5 }`; host prefixes are written as addresses.
    static func set(_ prefixes: [IPPrefix]) -> String {
        let items = Array(Set(prefixes)).sorted().map { prefix in
            prefix.length == UInt8(prefix.address.bitWidth) ? prefix.address.description : prefix.description
        }
        return items.count == 1 ? items[0] : "{ \(items.joined(separator: ", ")) }"
    }

    static func set(_ addresses: [IPAddress]) -> String {
        set(addresses.compactMap { try? IPPrefix($0, length: $0.bitWidth) })
    }

    /// `ip` or `ip6`.
    static func family(_ address: IPAddress) -> String { address.isIPv4 ? "ip" : "ip6" }

    static func rule(_ text: String) throws(FirewallError) -> FirewallRule { try FirewallRule(text) }

    /// Masquerade of `sources` (one rule per family present) leaving through `interface` (quoted), or
    /// through any interface but it (`except`).
    static func masquerade(_ sources: [IPPrefix], leaving interface: String, except: Bool = false)
        throws(FirewallError) -> [FirewallRule]
    {
        let match = except ? "oifname != \(interface)" : "oifname \(interface)"
        let v4 = sources.filter(\.isIPv4)
        let v6 = sources.filter { !$0.isIPv4 }
        var rules: [FirewallRule] = []
        if !v4.isEmpty { rules.append(try rule("\(match) ip saddr \(set(v4)) masquerade")) }
        if !v6.isEmpty { rules.append(try rule("\(match) ip6 saddr \(set(v6)) masquerade")) }
        return rules
    }
}
