public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// What a deployer asks for: a network over a set of nodes, with user accesses.
public struct NetworkSpec: Sendable, Hashable {
    /// The network's name; with the owner it makes the ``NetworkID``.
    public var name: NetworkName
    /// The owner twin.
    public var owner: IdentityID
    /// The IPv4 range of the whole network, /8 to /22; each node and access takes a /24 of it.
    public var ipv4Range: IPPrefix
    /// A unique local IPv6 /48; `nil` derives it from the network id (see ``UniqueLocalRange``).
    public var ipv6Range: IPPrefix?
    /// The nodes the network spans, in any order (the plan sorts them by id).
    public var nodes: [NodeSpec]
    /// User accesses, in any order (the plan sorts them by name).
    public var accesses: [AccessRequest]

    /// Memberwise.
    public init(
        name: NetworkName, owner: IdentityID, ipv4Range: IPPrefix, ipv6Range: IPPrefix? = nil, nodes: [NodeSpec],
        accesses: [AccessRequest] = []
    ) {
        self.name = name
        self.owner = owner
        self.ipv4Range = ipv4Range
        self.ipv6Range = ipv6Range
        self.nodes = nodes
        self.accesses = accesses
    }

    /// The network's id: derived from the owner and the name, the same for every version.
    public var networkID: NetworkID { NetworkID(owner: owner, name: name) }
}
