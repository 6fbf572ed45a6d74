import Deployments
import ZmeshCrypto
import ZmeshModel

/// One run of the planner (see ``NetworkPlanner``).
struct PlanBuilder {
    let spec: NetworkSpec
    let network: PlannedNetwork
    /// Sorted by id.
    let nodes: [NodeSpec]
    /// Sorted by name.
    let accesses: [AccessRequest]
    let nodeIndex: [IdentityID: Int]
    /// Per node index, what the previous plan fixed.
    let previousNodes: [PreviousPlan.Node?]
    /// Per access index, what the previous plan fixed.
    let previousAccesses: [PreviousPlan.Access?]
    /// Previous nodes that are no longer in the spec, by id.
    let removedNodes: [IdentityID]
    /// The subnets of previous nodes and accesses that are no longer in the spec.
    let removedPrevious: [(subnet: IPPrefix, ipv6Subnet: IPPrefix)]
    /// Previous accesses that are no longer in the spec, by name.
    let removedAccesses: [String]
    /// Whether a previous plan was given (notes are written only then).
    let hasPrevious: Bool
    var notes: [String] = []

    init(spec: NetworkSpec, previous: PreviousPlan?) throws(PlanError) {
        self.spec = spec
        hasPrevious = previous != nil
        let ipv6Range = try Self.checkedRanges(spec)
        let id = spec.networkID
        network = PlannedNetwork(
            name: spec.name, owner: spec.owner, id: id, ipv4Range: spec.ipv4Range, ipv6Range: ipv6Range)
        nodes = spec.nodes.sorted { $0.id < $1.id }
        accesses = spec.accesses.sorted { $0.name < $1.name }
        try Self.checkMembers(nodes: nodes, accesses: accesses)
        var nodeIndex: [IdentityID: Int] = [:]
        nodeIndex.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() { nodeIndex[node.id] = i }
        self.nodeIndex = nodeIndex
        if let previous, previous.networkID != id {
            throw .previousPlanOfAnotherNetwork(expected: id, found: previous.networkID)
        }
        var byID: [IdentityID: PreviousPlan.Node] = [:]
        for node in previous?.nodes ?? [] where byID[node.id] == nil { byID[node.id] = node }
        var byName: [String: PreviousPlan.Access] = [:]
        for access in previous?.accesses ?? [] where byName[access.name] == nil { byName[access.name] = access }
        previousNodes = nodes.map { byID[$0.id] }
        previousAccesses = accesses.map { byName[$0.name] }
        removedNodes = (previous?.nodes ?? []).map(\.id).filter { nodeIndex[$0] == nil }.sorted()
        let names = Set(accesses.map(\.name))
        removedPrevious =
            (previous?.nodes ?? []).filter { nodeIndex[$0.id] == nil }.map { ($0.subnet, $0.ipv6Subnet) }
            + (previous?.accesses ?? []).filter { !names.contains($0.name) }.map { ($0.subnet, $0.ipv6Subnet) }
        removedAccesses = (previous?.accesses ?? []).map(\.name).filter { !names.contains($0) }.sorted()
    }

    mutating func build() throws(PlanError) -> MeshPlan {
        try checkServability()
        try Self.checkPublicMesh(nodes)
        let (nodeSlots, accessSlots) = try ipv4Slots()
        let (nodeV6, accessV6) = ipv6Slots(nodeSlots: nodeSlots, accessSlots: accessSlots)
        let ports = try listenPorts()
        let (nodeAccess, accessAccess) = try accessNodes()

        let v4 = SubnetSlots(range: network.ipv4Range)
        let v6 = IPv6Slots(range: network.ipv6Range)
        var servedNodes = [[Int]](repeating: [], count: nodes.count)
        var servedAccesses = [[Int]](repeating: [], count: nodes.count)
        for (h, a) in nodeAccess.enumerated() { if let a { servedNodes[a].append(h) } }
        for (l, a) in accessAccess.enumerated() { servedAccesses[a].append(l) }
        let routes = [
            PlannedRoute(destination: network.ipv4Range, device: network.wireGuardInterface),
            PlannedRoute(destination: network.ipv6Range, device: network.wireGuardInterface),
        ]
        var planned: [PlannedNode] = []
        planned.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            planned.append(
                PlannedNode(
                    id: node.id, publicKey: node.publicKey, subnet: v4.subnet(nodeSlots[i]),
                    ipv6Subnet: v6.subnet(nodeV6[i]), wireGuardAddress: v4.wireGuardAddress(nodeSlots[i]),
                    listenPort: ports[i],
                    endpoints: node.endpointFamilies.compactMap { family in
                        node.endpointAddress(family).map { Endpoint(address: $0, port: ports[i]) }
                    },
                    dialFamilies: node.dialFamilies.sorted(), accessNode: nodeAccess[i].map { nodes[$0].id },
                    servedNodes: servedNodes[i].map { nodes[$0].id },
                    servedAccesses: servedAccesses[i].map { accesses[$0].name },
                    routes: routes))
        }
        var plannedAccesses: [PlannedAccess] = []
        for (l, access) in accesses.enumerated() {
            let node = planned[accessAccess[l]]
            let ipv6Subnet = v6.subnet(accessV6[l])
            guard let endpoint = node.endpoint(access.family), case .v6(let ipv6Address) = ipv6Subnet.firstHost else {
                preconditionFailure("an access node has an endpoint in the access's family")
            }
            plannedAccesses.append(
                PlannedAccess(
                    name: access.name, publicKey: access.publicKey, family: access.family,
                    subnet: v4.subnet(accessSlots[l]), ipv6Subnet: ipv6Subnet,
                    address: v4.wireGuardAddress(accessSlots[l]), ipv6Address: ipv6Address, accessNode: node.id,
                    endpoint: endpoint))
        }
        notes += removedNodes.map { "node \($0): removed" }
        notes += removedAccesses.map { "access '\($0)': removed" }
        return MeshPlan(
            network: network, nodes: planned, accesses: plannedAccesses, notes: notes,
            servedNodeIndices: servedNodes, servedAccessIndices: servedAccesses)
    }

    /// Hidden nodes and accesses need a public node.
    func checkServability() throws(PlanError) {
        guard !nodes.contains(where: \.isPublic) else { return }
        let hidden = nodes.map(\.id)
        guard !hidden.isEmpty || !accesses.isEmpty else { return }
        throw .noPublicNode(hiddenNodes: hidden, accesses: accesses.map(\.name))
    }

    /// Label of node `i` in notes and errors.
    func label(node i: Int) -> String { "\(nodes[i].isPublic ? "public" : "hidden") node \(nodes[i].id)" }

    /// Label of access `l` in notes and errors.
    func label(access l: Int) -> String { "access '\(accesses[l].name)'" }

}
