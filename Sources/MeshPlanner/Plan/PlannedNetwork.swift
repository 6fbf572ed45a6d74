public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// The network as planned: names, id and both ranges.
public struct PlannedNetwork: Sendable, Hashable {
    /// The network's name.
    public let name: NetworkName
    /// The owner twin.
    public let owner: IdentityID
    /// Derived from the owner and the name.
    public let id: NetworkID
    /// The IPv4 range of the whole network.
    public let ipv4Range: IPPrefix
    /// The unique local IPv6 /48 (given, or derived from ``id``).
    public let ipv6Range: IPPrefix

    /// The allowed IPs that send the whole network through one peer: the IPv4 range, the WireGuard
    /// address block 100.64.0.0/16 and the IPv6 range. A hidden node's only peer and a user access's
    /// only peer carry exactly these.
    public var wholeNetwork: [IPPrefix] { [ipv4Range, ReservedRanges.wireGuardAddresses, ipv6Range] }

    /// The network resource's namespace, `n-<id>`.
    public var namespaceName: String { id.namespaceName }
    /// The WireGuard interface, `w-<id>`.
    public var wireGuardInterface: InterfaceName { id.wireGuardInterface }
    /// The workload bridge, `b-<id>`.
    public var bridgeInterface: InterfaceName { id.bridgeInterface }
}
