import Firewall
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

@Suite("nftables tables through libnftables, checked against nft -j", .requiresNetworkPrivileges)
struct FirewallTableTests {
    private func sample(_ name: TableName, extra: String? = nil) throws -> FirewallTable {
        var forward = [try FirewallRule("ct state established,related accept"), try FirewallRule("iifname \"pub0\" drop")]
        if let extra { forward.append(try FirewallRule(extra)) }
        return FirewallTable(
            name: name,
            chains: [
                try FirewallChain(
                    "postrouting", hook: ChainHook(type: .nat, hook: .postrouting, priority: ChainHook.srcnat),
                    rules: [try FirewallRule("oifname \"pub0\" ip saddr 10.1.0.0/16 masquerade")]),
                try FirewallChain(
                    "forward", hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.filter, policy: .drop),
                    rules: forward),
            ])
    }

    @Test func applyCreatesTheTableAsDefined() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let name = try f.tableName("x")
            try NFTablesContext(namespace: ns).apply(try sample(name))
            let nsName = f.namespaceName("a")
            #expect(try IPRouteOracle.tables(in: nsName).map { "\($0.family) \($0.name)" } == ["inet \(name.rawValue)"])
            let chains = try IPRouteOracle.chains(of: name.rawValue, in: nsName)
            #expect(chains["postrouting"]?["type"] as? String == "nat")
            #expect(chains["postrouting"]?["hook"] as? String == "postrouting")
            #expect(chains["postrouting"]?["prio"] as? Int == 100)
            #expect(chains["forward"]?["policy"] as? String == "drop")
            #expect(chains["forward"]?["prio"] as? Int == 0)
            let nat = try IPRouteOracle.rules(of: name.rawValue, chain: "postrouting", in: nsName)
            #expect(nat.count == 1)
            #expect(nat.first?.contains("\"masquerade\"") == true)
            #expect(nat.first?.contains("\"10.1.0.0\"") == true)
            #expect(try IPRouteOracle.rules(of: name.rawValue, chain: "forward", in: nsName).count == 2)
        }
    }

    @Test func applyIsIdempotentAndReplacesWholeTables() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let nsName = f.namespaceName("a")
            let name = try f.tableName("x")
            let nft = try NFTablesContext(namespace: ns)
            try nft.apply(try sample(name))
            try nft.apply(try sample(name))
            #expect(try IPRouteOracle.tables(in: nsName).count == 1)
            #expect(try IPRouteOracle.rules(of: name.rawValue, chain: "forward", in: nsName).count == 2)

            try nft.apply(try sample(name, extra: "iifname \"pub0\" tcp dport 22 accept"))
            let rules = try IPRouteOracle.rules(of: name.rawValue, chain: "forward", in: nsName)
            #expect(rules.count == 3)
            #expect(rules.last?.contains("22") == true)
            let listed = try #require(try nft.listTable(name))
            #expect(listed.contains("tcp dport 22 accept"))
        }
    }

    @Test func aRefusedTransactionChangesNothing() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let nsName = f.namespaceName("a")
            let name = try f.tableName("x")
            let nft = try NFTablesContext(namespace: ns)
            try nft.apply(try sample(name))
            let before = try IPRouteOracle.rules(of: name.rawValue, chain: "forward", in: nsName)
            // `iif` resolves the interface when loading: a missing one fails the whole transaction.
            let error = #expect(throws: FirewallError.self) {
                try nft.apply(try sample(name, extra: "iif \"missing-\(f.tag)\" accept"))
            }
            #expect(error?.code == .rejected)
            #expect(error?.object == "table inet \(name.rawValue)")
            #expect(error?.namespace == "namespace \(nsName)")
            #expect(error?.reason.isEmpty == false)
            #expect(try IPRouteOracle.rules(of: name.rawValue, chain: "forward", in: nsName) == before)
            // A refused first creation leaves no table behind either.
            let fresh = try f.tableName("y")
            #expect(throws: FirewallError.self) { try nft.apply(try sample(fresh, extra: "iif \"missing-\(f.tag)\" accept")) }
            #expect(try IPRouteOracle.tables(in: nsName).map(\.name) == [name.rawValue])
        }
    }

    @Test func otherTablesAreNeverTouched() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let nsName = f.namespaceName("a")
            // Someone else's rules (as Docker or firewalld would have them).
            try ShellCommand.run([
                "ip", "netns", "exec", nsName, "nft",
                "add table ip filter; add chain ip filter forward { type filter hook forward priority 0; policy accept; }; "
                    + "add rule ip filter forward counter accept; add table inet other; "
                    + "add chain inet other input { type filter hook input priority 10; }; add rule inet other input tcp dport 22 accept",
            ])
            let name = try f.tableName("x")
            let nft = try NFTablesContext(namespace: ns)
            try nft.apply(try sample(name))
            try nft.apply(try sample(name, extra: "iifname \"pub0\" udp dport 53 accept"))
            #expect(try nft.tableNames() == [name])
            try nft.deleteTable(name)
            let tables = try IPRouteOracle.tables(in: nsName).map { "\($0.family) \($0.name)" }.sorted()
            #expect(tables == ["inet other", "ip filter"])
            #expect(try IPRouteOracle.rules(of: "filter", chain: "forward", in: nsName).count == 1)
            #expect(try IPRouteOracle.rules(of: "other", chain: "input", in: nsName).count == 1)
        }
    }

    @Test func deleteIsIdempotent() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let name = try f.tableName("x")
            let nft = try NFTablesContext(namespace: ns)
            try nft.deleteTable(name)
            try nft.apply(try sample(name))
            try nft.deleteTable(name)
            try nft.deleteTable(name)
            #expect(try IPRouteOracle.tables(in: f.namespaceName("a")).isEmpty)
            #expect(try nft.listTable(name) == nil)
        }
    }

    @Test func eachContextActsOnItsOwnNamespace() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            try f.namespace("b")
            let name = try f.tableName("x")
            try NFTablesContext(namespace: a).apply(try sample(name))
            #expect(try IPRouteOracle.tables(in: f.namespaceName("a")).count == 1)
            #expect(try IPRouteOracle.tables(in: f.namespaceName("b")).isEmpty)
            #expect(try NFTablesContext(namespace: .named(f.namespaceName("b"))).tableNames().isEmpty)
            // The fixture's leak check also looks for the table in the test process's namespace.
        }
    }

    @Test func unknownNamespace() throws {
        let name = "zt-\(ScratchNamespace.randomSuffix())-none"
        let error = #expect(throws: FirewallError.self) { try NFTablesContext(namespace: .named(name)) }
        #expect(error?.code == .unknownNamespace)
        #expect(error?.namespace == "namespace \(name)")
    }

    @Test func withoutCapabilitiesApplyIsPermissionDenied() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let table = try sample(try f.tableName("x"))
            let outcome = try UnprivilegedThread.run(in: ns) { () throws -> Result<Void, FirewallError> in
                let nft = try NFTablesContext()
                return Result { () throws(FirewallError) in try nft.apply(table) }
            }
            guard case .failure(let error) = outcome else {
                Issue.record("an unprivileged thread applied a table")
                return
            }
            #expect(error.code == .permissionDenied, "\(error)")
            #expect(try IPRouteOracle.tables(in: f.namespaceName("a")).isEmpty)
        }
    }
}

@Suite("Firewall names and rules are confined to zmesh's own tables")
struct FirewallInputTests {
    @Test(arguments: ["filter", "nat", "Zmesh", "zmesh x", "zmesh;flush", "zmesh\"", "zmesh.x", String(repeating: "zmesh", count: 13)])
    func tableNamesOutsideTheZmeshNamespaceAreRefused(_ name: String) {
        let error = #expect(throws: FirewallError.self) { try TableName(name) }
        #expect(error?.code == .invalidInput)
    }

    @Test(arguments: ["zmesh", "zmesh-ndmz", "zmesh_n-abc123", "zmesh-t12345-x"])
    func zmeshTableNames(_ name: String) throws {
        #expect(try TableName(name).qualified == "inet \(name)")
    }

    @Test(arguments: [
        "accept; flush ruleset", "accept\nflush ruleset", "} table ip x { chain y {", "accept # comment",
        "iifname \"a\" accept }", "{ accept", "iifname \"unterminated accept", "", "meta mark set 1 \\",
    ])
    func rulesThatCouldEscapeTheirChainAreRefused(_ text: String) {
        let error = #expect(throws: FirewallError.self) { try FirewallRule(text) }
        #expect(error?.code == .invalidInput)
    }

    @Test(arguments: [
        "iifname { \"a\", \"b\" } oifname \"c\" drop", "meta l4proto { icmp, ipv6-icmp } accept",
        "iifname \"x;y\" accept",
    ])
    func ordinaryRules(_ text: String) throws {
        #expect(try FirewallRule(text).text == text)
    }

    @Test(arguments: ["wrong-name", "a b", "x;y"])
    func chainNamesAreIdentifiers(_ name: String) {
        #expect(throws: FirewallError.self) { try FirewallChain(name, hook: nil, rules: []) }
    }
}
