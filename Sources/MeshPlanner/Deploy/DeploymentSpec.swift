public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// What a deployer writes to create or update a network through a registry: the network, the nodes
/// by id (their keys, addresses and ports come from the registry), user accesses, and who must sign.
///
/// Unlike ``NetworkSpec`` it names no WireGuard key of a node: the deployer makes each node's key
/// pair and seals the private key to the node (``DeploymentDraft``).
public struct DeploymentSpec: Sendable, Hashable {
    /// The network's name.
    public var name: NetworkName
    /// The owner twin; `nil`: the twin that deploys.
    public var owner: IdentityID?
    /// The IPv4 range, /8 to /22.
    public var ipv4Range: IPPrefix
    /// A unique local /48; `nil` derives it from the network id.
    public var ipv6Range: IPPrefix?
    /// The nodes, by identity id.
    public var nodes: [IdentityID]
    /// User accesses (each with its device's WireGuard public key).
    public var accesses: [AccessRequest]
    /// Names of the accesses given without a public key, in file order.
    public var accessesWithoutKey: [String]
    /// Who signs and with what weight; `nil`: the owner alone (weight 1, required).
    public var owners: [Deployment.SignatureRequest]?
    /// The weight needed; `nil`: the sum of the required owners' weights, at least 1.
    public var weightRequired: Int64?

    /// Memberwise.
    public init(
        name: NetworkName, owner: IdentityID? = nil, ipv4Range: IPPrefix, ipv6Range: IPPrefix? = nil,
        nodes: [IdentityID], accesses: [AccessRequest] = [], accessesWithoutKey: [String] = [],
        owners: [Deployment.SignatureRequest]? = nil, weightRequired: Int64? = nil
    ) {
        self.name = name
        self.owner = owner
        self.ipv4Range = ipv4Range
        self.ipv6Range = ipv6Range
        self.nodes = nodes
        self.accesses = accesses
        self.accessesWithoutKey = accessesWithoutKey
        self.owners = owners
        self.weightRequired = weightRequired
    }

    /// The signature requirement for a network owned by `owner`.
    public func signatureRequirement(owner: IdentityID) -> Deployment.SignatureRequirement {
        let requests = owners ?? [Deployment.SignatureRequest(twin: owner, weight: 1, required: true)]
        let required = requests.filter(\.required).reduce(Int64(0)) { $0 + $1.weight }
        return Deployment.SignatureRequirement(requests: requests, weightRequired: weightRequired ?? max(1, required))
    }
}
