public import ZmeshModel

/// TCP MSS clamping on forwarded connections leaving through the WireGuard interface: the MSS
/// option of every SYN is lowered to what fits the route's MTU (1420 on WireGuard, minus 40), so
/// peers behind links with a larger MTU never send segments that would need fragmenting.
public struct MSSClamping: Sendable, Hashable {
    public enum Size: Sendable, Hashable {
        /// The route's MTU minus the IP and TCP headers (`rt mtu`).
        case pathMTU
        /// A fixed MSS in bytes.
        case fixed(UInt16)
    }

    public var tableName: TableName
    /// The interfaces whose outgoing SYNs are clamped (the WireGuard interface).
    public var interfaces: [InterfaceName]
    public var size: Size

    public init(tableName: TableName = .mssClamping, interfaces: [InterfaceName], size: Size = .pathMTU) {
        self.tableName = tableName
        self.interfaces = interfaces
        self.size = size
    }

    /// The table: one `forward` chain at mangle priority.
    public func table() throws(FirewallError) -> FirewallTable {
        let value: String
        switch size {
        case .pathMTU: value = "rt mtu"
        case .fixed(let mss):
            guard mss >= 536 else { throw .invalid("\(tableName)", "an MSS below 536 bytes") }
            value = String(mss)
        }
        let outbound = try NFTSyntax.interfaces(.names(interfaces))
        let rule = "oifname \(outbound) tcp flags syn / syn,rst tcp option maxseg size set \(value)"
        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "forward", hook: ChainHook(type: .filter, hook: .forward, priority: ChainHook.mangle),
                    rules: [try NFTSyntax.rule(rule)])
            ])
    }
}
