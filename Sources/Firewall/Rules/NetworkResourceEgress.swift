public import ZmeshModel

/// The firewall of a network resource's namespace (`n-<id>`): tenant traffic leaving towards the
/// ndmz takes the NR's own address on that link (masquerade: the NR's unique address of the ndmz
/// range, so tenant ranges may overlap between owners), and nothing enters from the ndmz side
/// unless it answers the NR's own traffic or was port-forwarded (DNAT) to it.
public struct NetworkResourceEgress: Sendable, Hashable {
    public var tableName: TableName
    /// The NR's link to the ndmz (its veth end in the NR namespace).
    public var uplink: InterfaceName
    /// The tenant prefixes whose traffic is masqueraded (the NR's IPv4 /24, its IPv6 /64, the
    /// network's whole range for traffic arriving over WireGuard).
    public var sources: [IPPrefix]

    public init(tableName: TableName = .networkResource, uplink: InterfaceName, sources: [IPPrefix]) {
        self.tableName = tableName
        self.uplink = uplink
        self.sources = sources
    }

    /// The table: `postrouting` masquerades `sources` out of `uplink`; `forward` lets in from
    /// `uplink` only replies and DNAT'd connections.
    public func table() throws(FirewallError) -> FirewallTable {
        guard !sources.isEmpty else { throw .invalid("\(tableName)", "no source prefixes to masquerade") }
        let up = try NFTSyntax.quoted(uplink)
        let nat = try NFTSyntax.masquerade(sources, leaving: up)
        let forward = [
            try NFTSyntax.rule("iifname \(up) ct state established,related accept"),
            try NFTSyntax.rule("iifname \(up) ct status dnat accept"),
            try NFTSyntax.rule("iifname \(up) drop"),
        ]
        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "postrouting", hook: ChainHook(type: .nat, hook: .postrouting, priority: ChainHook.srcnat), rules: nat),
                try FirewallChain(
                    "forward", hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.filter), rules: forward),
            ])
    }
}
