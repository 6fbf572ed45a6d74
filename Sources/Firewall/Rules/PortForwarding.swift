public import ZmeshModel

/// One port forward: connections to `publicAddress:publicPort` are sent on to
/// `privateAddress:privatePort` (DNAT). Replies are translated back by connection tracking.
public struct PortForward: Sendable, Hashable {
    public enum Transport: String, Sendable, Hashable { case tcp, udp }

    public var transport: Transport
    /// The address connections arrive for; `nil`: any address of the namespace.
    public var publicAddress: IPAddress?
    public var publicPort: UInt16
    public var privateAddress: IPAddress
    public var privatePort: UInt16
    /// Only connections arriving on this interface (the public side); `nil`: any.
    public var inboundInterface: InterfaceName?

    public init(
        _ transport: Transport, publicAddress: IPAddress? = nil, publicPort: UInt16, privateAddress: IPAddress,
        privatePort: UInt16, inboundInterface: InterfaceName? = nil
    ) {
        self.transport = transport
        self.publicAddress = publicAddress
        self.publicPort = publicPort
        self.privateAddress = privateAddress
        self.privatePort = privatePort
        self.inboundInterface = inboundInterface
    }
}

/// A table of port forwards (DNAT in `prerouting`). The namespace's forward policy must let DNAT'd
/// connections through (``NDMZPolicy`` and ``NetworkResourceEgress`` accept `ct status dnat`).
public struct PortForwarding: Sendable, Hashable {
    public var tableName: TableName
    public var forwards: [PortForward]

    public init(tableName: TableName = .portForwarding, forwards: [PortForward]) {
        self.tableName = tableName
        self.forwards = forwards
    }

    public func table() throws(FirewallError) -> FirewallTable {
        var rules: [FirewallRule] = []
        for forward in forwards {
            let family = NFTSyntax.family(forward.privateAddress)
            let object = "port forward \(forward.publicPort) → \(forward.privateAddress):\(forward.privatePort)"
            if let address = forward.publicAddress, address.isIPv4 != forward.privateAddress.isIPv4 {
                throw .invalid(object, "the public and private addresses are of different families")
            }
            guard forward.publicPort != 0, forward.privatePort != 0 else { throw .invalid(object, "port 0") }
            var words: [String] = []
            if let interface = forward.inboundInterface { words.append("iifname \(try NFTSyntax.quoted(interface))") }
            if let address = forward.publicAddress { words.append("\(family) daddr \(address)") }
            let target = forward.privateAddress.isIPv4
                ? "\(forward.privateAddress):\(forward.privatePort)" : "[\(forward.privateAddress)]:\(forward.privatePort)"
            words.append("\(forward.transport.rawValue) dport \(forward.publicPort) dnat \(family) to \(target)")
            rules.append(try NFTSyntax.rule(words.joined(separator: " ")))
        }
        return FirewallTable(
            name: tableName,
            chains: [
                try FirewallChain(
                    "prerouting", hook: ChainHook(type: .nat, hook: .prerouting, priority: ChainHook.dstnat), rules: rules)
            ])
    }
}
