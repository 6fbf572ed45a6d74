public import ZmeshModel

/// The firewall of the node's `ndmz` namespace, the only way out of network resources:
///
/// - traffic leaving through the public interface is masqueraded;
/// - nothing unsolicited comes in: from the public side only replies and port-forwarded (DNAT'd)
///   connections are forwarded, and the ndmz itself answers nothing but neighbour discovery
///   (neighbour solicitations and advertisements, router advertisements; not even echo requests)
///   and DHCP replies when asked;
/// - no forwarding between network resources;
/// - no path from a network resource to the protected destinations (the host's own addresses and
///   the operator's LAN) except the default gateway, and none to the ndmz's own addresses (not even
///   an echo request: resources get neighbour discovery only).
public struct NDMZPolicy: Sendable, Hashable {
    public var tableName: TableName
    /// The ndmz's uplink (towards the host or the public namespace and the internet).
    public var publicInterface: InterfaceName
    /// The ndmz's ends of the links to network resources.
    public var resourceInterfaces: InterfaceSelector
    /// The default gateway(s) of the uplink, still reachable from resources.
    public var defaultGateways: [IPAddress]
    /// The host's own addresses and the operator's LAN(s).
    public var protectedDestinations: [IPPrefix]
    /// Accept DHCP replies on the public interface (when the ndmz gets its address by DHCP).
    public var acceptsDHCPReplies: Bool

    public init(
        tableName: TableName = .ndmz, publicInterface: InterfaceName, resourceInterfaces: InterfaceSelector,
        defaultGateways: [IPAddress] = [], protectedDestinations: [IPPrefix] = [], acceptsDHCPReplies: Bool = false
    ) {
        self.tableName = tableName
        self.publicInterface = publicInterface
        self.resourceInterfaces = resourceInterfaces
        self.defaultGateways = defaultGateways
        self.protectedDestinations = protectedDestinations
        self.acceptsDHCPReplies = acceptsDHCPReplies
    }

    /// The table: `postrouting` (masquerade), `forward` (policy drop) and `input`.
    public func table() throws(FirewallError) -> FirewallTable {
        let pub = try NFTSyntax.quoted(publicInterface)
        let nr = try NFTSyntax.interfaces(resourceInterfaces)
        if case .names(let names) = resourceInterfaces, names.contains(publicInterface) {
            throw .invalid("\(tableName)", "the public interface \(publicInterface) is also listed as a resource interface")
        }
        let outbound = "iifname \(nr) oifname \(pub)"
        var forward = [
            "iifname \(nr) oifname \(nr) drop",
            "ct state established,related accept",
            "ct state invalid drop",
            "iifname \(pub) oifname \(nr) ct status dnat accept",
        ]
        for family in [true, false] {
            let gateways = defaultGateways.filter { $0.isIPv4 == family }
            let protected = protectedDestinations.filter { $0.isIPv4 == family }
            let keyword = family ? "ip" : "ip6"
            if !gateways.isEmpty { forward.append("\(outbound) \(keyword) daddr \(NFTSyntax.set(gateways)) accept") }
            if !protected.isEmpty { forward.append("\(outbound) \(keyword) daddr \(NFTSyntax.set(protected)) drop") }
        }
        forward.append("\(outbound) accept")

        var input = [
            "iifname \"lo\" accept",
            "ct state established,related accept",
            "ct state invalid drop",
            // Neighbour discovery only, from resources as from the public side (no echo: a tenant
            // cannot even ping its gateway; no MLD or redirects); ICMP errors about connections the
            // ndmz made or forwarded come in as `related` above.
            "iifname \(nr) icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept",
            "iifname \(nr) drop",
            "iifname \(pub) icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept",
        ]
        if acceptsDHCPReplies { input.append("iifname \(pub) udp sport 67 udp dport 68 accept") }
        input.append("iifname \(pub) drop")

        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "postrouting", hook: ChainHook(type: .nat, hook: .postrouting, priority: ChainHook.srcnat),
                    rules: [try NFTSyntax.rule("oifname \(pub) masquerade")]),
                try FirewallChain(
                    "forward", hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.filter, policy: .drop),
                    rules: try forward.map { (text) throws(FirewallError) in try NFTSyntax.rule(text) }),
                try FirewallChain(
                    "input", hook: ChainHook(type: .filter, hook: .input, priority: ChainHook.filter),
                    rules: try input.map { (text) throws(FirewallError) in try NFTSyntax.rule(text) }),
            ])
    }
}
