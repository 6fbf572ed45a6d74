import ZmeshCrypto
public import ZmeshModel

extension MeshSimulator {
    /// The network `plan` configures, in the world `spec` describes: the nodes' real public addresses
    /// and the families they dial come from the spec, everything a node configures (peers, allowed IPs,
    /// endpoints, keepalives, ports, addresses, routes) from the plan, and each user device from the text
    /// of its wg-quick file.
    ///
    /// - Throws: when an access file does not parse (which would be a planner bug).
    public init(plan: MeshPlan, spec: NetworkSpec) throws(ParseError) {
        var facts: [IdentityID: NodeSpec] = [:]
        for node in spec.nodes { facts[node.id] = node }
        var families: [String: IPFamily] = [:]
        for access in spec.accesses { families[access.name] = access.family }
        var machines: [SimulatedMachine] = []
        machines.reserveCapacity(plan.nodes.count + plan.accesses.count)
        for (i, node) in plan.nodes.enumerated() {
            let fact = facts[node.id]
            let wireGuardOnLink = node.wireGuardInterfaceAddress.onLinkPrefix
            machines.append(
                SimulatedMachine(
                    kind: .node(node.id), publicKey: node.publicKey, isBehindNAT: !(fact?.isPublic ?? false),
                    publicAddresses: IPFamily.allCases.compactMap { fact?.endpointAddress($0) },
                    listenPort: node.listenPort, dialFamilies: fact?.dialFamilies ?? [],
                    localAddresses: [.v4(node.wireGuardAddress)] + node.bridgeAddresses.map(\.address),
                    bridgePrefixes: [node.subnet, node.ipv6Subnet],
                    wireGuardRoutes: node.routes.map(\.destination) + [wireGuardOnLink],
                    peers: plan.peers(ofNodeAt: i).map(\.configuration), forwards: true,
                    hosts: [node.subnet.offset(10), node.ipv6Subnet.offset(10)]))
        }
        for access in plan.accesses {
            guard let text = plan.accessFile(access.name) else { continue }
            let file = try WGQuickFile(parsing: text)
            let addresses = file.addresses.map(\.address)
            machines.append(
                SimulatedMachine(
                    kind: .access(access.name), publicKey: access.publicKey, isBehindNAT: true, publicAddresses: [],
                    listenPort: file.listenPort, dialFamilies: [families[access.name] ?? access.family],
                    localAddresses: addresses, bridgePrefixes: [], wireGuardRoutes: file.peers.flatMap(\.allowedIPs),
                    peers: file.peers, forwards: false, hosts: addresses))
        }
        self.init(machines: machines)
    }
}
