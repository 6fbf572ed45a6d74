/// The node's `public` namespace (the one that owns the WireGuard sockets, on a node with a
/// dedicated public configuration): what may reach it from the public network, and nothing else.
///
/// - `input` (policy drop): loopback; replies (`established,related`, which covers the ICMP errors
///   about the namespace's own flows); `invalid` dropped; WireGuard UDP to `wireGuardPorts`; ICMP and
///   ICMPv6 errors (destination unreachable, packet too big, time exceeded, parameter problem); the
///   neighbour discovery IPv6 needs to work at all (neighbour solicitation and advertisement, with
///   hop limit 255 as RFC 4861 requires). No echo, no TCP, no other UDP port, and no router
///   advertisement: the namespace's addresses and routes are configured statically, and an accepted
///   advertisement would add autoconfigured addresses and routes the agent would keep removing.
/// - `forward` (policy drop): the namespace routes nothing (forwarding is off there too).
///
/// Outgoing traffic (WireGuard's own packets, its handshakes) is not filtered.
public struct PublicIngress: Sendable, Hashable {
    public var tableName: TableName
    /// The UDP ports of the node's WireGuard links (one per network); may be empty (no network yet).
    public var wireGuardPorts: [UInt16]

    public init(tableName: TableName = .publicIngress, wireGuardPorts: [UInt16]) {
        self.tableName = tableName
        self.wireGuardPorts = wireGuardPorts
    }

    /// The table: `input`, `forward`.
    public func table() throws(FirewallError) -> FirewallTable {
        var input = [
            try NFTSyntax.rule("iif \"lo\" accept"),
            try NFTSyntax.rule("ct state established,related accept"),
            try NFTSyntax.rule("ct state invalid drop"),
        ]
        let ports = Array(Set(wireGuardPorts)).sorted()
        if ports.contains(0) { throw .invalid("\(tableName)", "UDP port 0 is not a WireGuard listen port") }
        if !ports.isEmpty {
            let set = ports.count == 1 ? "\(ports[0])" : "{ \(ports.map(String.init).joined(separator: ", ")) }"
            input.append(try NFTSyntax.rule("udp dport \(set) accept"))
        }
        input += [
            try NFTSyntax.rule(
                "icmp type { destination-unreachable, time-exceeded, parameter-problem } accept"),
            try NFTSyntax.rule(
                "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept"),
            try NFTSyntax.rule(
                "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept"),
        ]
        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "input",
                    hook: ChainHook(type: .filter, hook: .input, priority: ChainHook.filter, policy: .drop),
                    rules: input),
                try FirewallChain(
                    "forward",
                    hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.filter, policy: .drop),
                    rules: []),
            ])
    }
}

extension TableName {
    /// `zmesh-public`: the `public` namespace's ingress filter (``PublicIngress``).
    public static let publicIngress = TableName(unchecked: "zmesh-public")
}
