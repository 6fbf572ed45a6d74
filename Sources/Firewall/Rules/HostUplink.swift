public import ZmeshModel

/// The host's side of the ndmz's uplink (a veth from the host to the node's `ndmz` namespace): what
/// the ndmz sends out leaves the host masqueraded to the host's own address, and nothing enters the
/// ndmz or the host from that link unless it answers their own traffic.
///
/// - `postrouting` (nat): traffic from `sources` (the ndmz range) leaving through any interface but
///   the uplink is masqueraded;
/// - `forward` (policy accept: the host's other forwarding is not this table's business): towards
///   the uplink only replies (`established,related`), everything else dropped; from the uplink
///   everything but `invalid` (what the ndmz lets out is already filtered there by ``NDMZPolicy``);
/// - `input` (policy accept): from the uplink only replies; a second wall, after the ndmz's own, between
///   network resources and the host's services.
///
/// The table only adds rules: a `drop` in another table (Docker's `FORWARD` policy, say) still wins.
public struct HostUplink: Sendable, Hashable {
    public var tableName: TableName
    /// The host's end of the veth to the ndmz.
    public var uplink: InterfaceName
    /// The source prefixes to masquerade (the ndmz range).
    public var sources: [IPPrefix]

    public init(tableName: TableName = .host, uplink: InterfaceName, sources: [IPPrefix]) {
        self.tableName = tableName
        self.uplink = uplink
        self.sources = sources
    }

    /// The table: `postrouting`, `forward`, `input`.
    public func table() throws(FirewallError) -> FirewallTable {
        guard !sources.isEmpty else { throw .invalid("\(tableName)", "no source prefixes to masquerade") }
        let up = try NFTSyntax.quoted(uplink)
        let nat = try NFTSyntax.masquerade(sources, leaving: up, except: true)
        let forward = [
            try NFTSyntax.rule("oifname \(up) ct state established,related accept"),
            try NFTSyntax.rule("oifname \(up) drop"),
            try NFTSyntax.rule("iifname \(up) ct state invalid drop"),
            try NFTSyntax.rule("iifname \(up) accept"),
        ]
        let input = [
            try NFTSyntax.rule("iifname \(up) ct state established,related accept"),
            try NFTSyntax.rule("iifname \(up) drop"),
        ]
        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "postrouting", hook: ChainHook(type: .nat, hook: .postrouting, priority: ChainHook.srcnat), rules: nat),
                try FirewallChain(
                    "forward", hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.filter), rules: forward),
                try FirewallChain(
                    "input", hook: ChainHook(type: .filter, hook: .input, priority: ChainHook.filter), rules: input),
            ])
    }
}

extension TableName {
    /// `zmesh-host`: the host's side of the ndmz uplink (``HostUplink``).
    public static let host = TableName(unchecked: "zmesh-host")
}
