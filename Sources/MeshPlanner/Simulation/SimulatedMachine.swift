public import ZmeshCrypto
public import ZmeshModel

/// One machine of the simulated network: a node's network resource (its namespace `n-<id>` with the
/// bridge and the WireGuard interface), or a user's device configured from its wg-quick file.
///
/// Everything is plain data so that tests can break a plan on purpose and see the simulator notice.
public struct SimulatedMachine: Sendable {
    /// What the machine is.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// A node's network resource.
        case node(IdentityID)
        /// A user access's device.
        case access(String)

        public var description: String {
            switch self {
            case .node(let id): "node \(id)"
            case .access(let name): "access '\(name)'"
            }
        }
    }

    /// What the machine is.
    public var kind: Kind
    /// Its WireGuard public key.
    public var publicKey: WireGuardKey
    /// Behind NAT or a firewall: nobody can dial it; it can only dial out.
    public var isBehindNAT: Bool
    /// Where the machine's WireGuard socket can really be reached (public nodes).
    public var publicAddresses: [IPAddress]
    /// The WireGuard socket's port (`nil` for a device, whose port is random).
    public var listenPort: UInt16?
    /// The families the machine can dial out over.
    public var dialFamilies: Set<IPFamily>
    /// Addresses the machine itself answers on (the WireGuard address of a node, a device's addresses).
    public var localAddresses: [IPAddress]
    /// Prefixes on-link on the workload bridge: packets to them are delivered to a workload host.
    public var bridgePrefixes: [IPPrefix]
    /// Prefixes routed into the WireGuard interface (planned routes, the on-link /16 of the WireGuard
    /// address; for a device, the allowed IPs wg-quick routes).
    public var wireGuardRoutes: [IPPrefix]
    /// The WireGuard peers, in configuration order (a later duplicate allowed IP wins, as in the kernel).
    public var peers: [PeerConfiguration]
    /// Whether the machine routes packets that are not its own (nodes do; devices do not).
    public var forwards: Bool
    /// A workload host per family, the source and destination of the reachability checks.
    public var hosts: [IPAddress]

    /// Memberwise.
    public init(
        kind: Kind, publicKey: WireGuardKey, isBehindNAT: Bool, publicAddresses: [IPAddress], listenPort: UInt16?,
        dialFamilies: Set<IPFamily>, localAddresses: [IPAddress], bridgePrefixes: [IPPrefix],
        wireGuardRoutes: [IPPrefix], peers: [PeerConfiguration], forwards: Bool, hosts: [IPAddress]
    ) {
        self.kind = kind
        self.publicKey = publicKey
        self.isBehindNAT = isBehindNAT
        self.publicAddresses = publicAddresses
        self.listenPort = listenPort
        self.dialFamilies = dialFamilies
        self.localAddresses = localAddresses
        self.bridgePrefixes = bridgePrefixes
        self.wireGuardRoutes = wireGuardRoutes
        self.peers = peers
        self.forwards = forwards
        self.hosts = hosts
    }
}
