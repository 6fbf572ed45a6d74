public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// What the planner keeps from the plan in force when it plans an update: each node's subnets, port
/// and access node, and each access's subnets and access node. Everything else is recomputed.
public struct PreviousPlan: Sendable, Hashable {
    /// One node as previously planned.
    public struct Node: Sendable, Hashable {
        /// The node's id.
        public var id: IdentityID
        /// Its IPv4 /24.
        public var subnet: IPPrefix
        /// Its IPv6 /64.
        public var ipv6Subnet: IPPrefix
        /// Its WireGuard port.
        public var listenPort: UInt16
        /// Its access node, when it was hidden.
        public var accessNode: IdentityID?

        /// Memberwise.
        public init(id: IdentityID, subnet: IPPrefix, ipv6Subnet: IPPrefix, listenPort: UInt16, accessNode: IdentityID?)
        {
            self.id = id
            self.subnet = subnet
            self.ipv6Subnet = ipv6Subnet
            self.listenPort = listenPort
            self.accessNode = accessNode
        }
    }

    /// One user access as previously planned.
    public struct Access: Sendable, Hashable {
        /// The access's name.
        public var name: String
        /// Its IPv4 /24.
        public var subnet: IPPrefix
        /// Its IPv6 /64.
        public var ipv6Subnet: IPPrefix
        /// Its access node.
        public var accessNode: IdentityID

        /// Memberwise.
        public init(name: String, subnet: IPPrefix, ipv6Subnet: IPPrefix, accessNode: IdentityID) {
            self.name = name
            self.subnet = subnet
            self.ipv6Subnet = ipv6Subnet
            self.accessNode = accessNode
        }
    }

    /// The network the plan was for; the planner refuses a previous plan of another network.
    public var networkID: NetworkID
    /// The nodes, in any order.
    public var nodes: [Node]
    /// The accesses, in any order.
    public var accesses: [Access]

    /// Memberwise.
    public init(networkID: NetworkID, nodes: [Node], accesses: [Access] = []) {
        self.networkID = networkID
        self.nodes = nodes
        self.accesses = accesses
    }

    /// What `plan` fixes for the next one.
    public init(_ plan: MeshPlan) {
        networkID = plan.network.id
        nodes = plan.nodes.map {
            Node(
                id: $0.id, subnet: $0.subnet, ipv6Subnet: $0.ipv6Subnet, listenPort: $0.listenPort,
                accessNode: $0.accessNode)
        }
        accesses = plan.accesses.map {
            Access(name: $0.name, subnet: $0.subnet, ipv6Subnet: $0.ipv6Subnet, accessNode: $0.accessNode)
        }
    }
}
