import Deployments
import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

extension MeshPlan {
    /// The whole plan as JSON: the network, every node with its addresses, routes and peers, every
    /// access, and the notes. The same plan always gives the same bytes; ``PreviousPlan/init(json:)``
    /// reads it back as the previous plan of an update. (A public node lists every other public node,
    /// so the text grows with the square of the public nodes.)
    public var json: String {
        var root: [JSONMember] = []
        root.append(
            JSONMember(
                "network",
                .object([
                    JSONMember("name", .string(network.name.rawValue)),
                    JSONMember("owner", .string(network.owner.rawValue)),
                    JSONMember("id", .string(network.id.rawValue)),
                    JSONMember("ipv4_range", .string(network.ipv4Range.description)),
                    JSONMember("ipv6_range", .string(network.ipv6Range.description)),
                ])
            ))
        root.append(JSONMember("nodes", .array(nodes.indices.map(nodeJSON))))
        root.append(JSONMember("accesses", .array(accesses.map(Self.accessJSON))))
        root.append(JSONMember("notes", .array(notes.map(JSONValue.string))))
        return JSONWriter().write(.object(root))
    }

    private func nodeJSON(_ index: Int) -> JSONValue {
        let node = nodes[index]
        var members: [JSONMember] = [
            JSONMember("id", .string(node.id.rawValue)),
            JSONMember("role", .string(node.isPublic ? "public" : "hidden")),
            JSONMember("public_key", .string(node.publicKey.base64)),
            JSONMember("subnet", .string(node.subnet.description)),
            JSONMember("ipv6_subnet", .string(node.ipv6Subnet.description)),
            JSONMember("wireguard_address", .string(node.wireGuardInterfaceAddress.description)),
            JSONMember("bridge_addresses", .array(node.bridgeAddresses.map { .string($0.description) })),
            JSONMember("listen_port", .integer(Int(node.listenPort))),
        ]
        if !node.endpoints.isEmpty {
            members.append(JSONMember("endpoints", .array(node.endpoints.map { .string($0.description) })))
        }
        if let access = node.accessNode { members.append(JSONMember("access_node", .string(access.rawValue))) }
        if !node.servedNodes.isEmpty {
            members.append(JSONMember("served_nodes", .array(node.servedNodes.map { .string($0.rawValue) })))
        }
        if !node.servedAccesses.isEmpty {
            members.append(JSONMember("served_accesses", .array(node.servedAccesses.map(JSONValue.string))))
        }
        members.append(
            JSONMember(
                "routes",
                .array(
                    node.routes.map {
                        .object([
                            JSONMember("destination", .string($0.destination.description)),
                            JSONMember("device", .string($0.device.rawValue)),
                        ])
                    })
            ))
        members.append(JSONMember("peers", .array(peers(ofNodeAt: index).map(Self.peerJSON))))
        return .object(members)
    }

    private static func peerJSON(_ peer: PlannedPeer) -> JSONValue {
        var members: [JSONMember] = []
        switch peer.target {
        case .node(let id): members.append(JSONMember("node", .string(id.rawValue)))
        case .access(let name): members.append(JSONMember("access", .string(name)))
        }
        members.append(JSONMember("public_key", .string(peer.publicKey.base64)))
        members.append(JSONMember("allowed_ips", .array(peer.allowedIPs.map { .string($0.description) })))
        if let endpoint = peer.endpoint { members.append(JSONMember("endpoint", .string(endpoint.description))) }
        if peer.persistentKeepalive > 0 {
            members.append(JSONMember("persistent_keepalive", .integer(Int(peer.persistentKeepalive))))
        }
        return .object(members)
    }

    private static func accessJSON(_ access: PlannedAccess) -> JSONValue {
        .object([
            JSONMember("name", .string(access.name)), JSONMember("public_key", .string(access.publicKey.base64)),
            JSONMember("family", .string(access.family.rawValue)),
            JSONMember("subnet", .string(access.subnet.description)),
            JSONMember("ipv6_subnet", .string(access.ipv6Subnet.description)),
            JSONMember("addresses", .array(access.interfaceAddresses.map { .string($0.description) })),
            JSONMember("access_node", .string(access.accessNode.rawValue)),
            JSONMember("endpoint", .string(access.endpoint.description)),
        ])
    }
}

extension PreviousPlan {
    /// Reads what an update keeps from a plan written by ``MeshPlan/json``: the network id, each node's
    /// `id`, `subnet`, `ipv6_subnet`, `listen_port` and `access_node`, and each access's `name`, `subnet`,
    /// `ipv6_subnet` and `access_node`. Other members are read past.
    ///
    /// - Throws: every problem found, each with its path.
    public init(json: some Collection<UInt8>) throws(DocumentError) {
        var reader = DocumentReader()
        let root = reader.object(reader.parse(Array(json)), "", required: ["network", "nodes"], strict: false)
        let network = reader.object(root?["network"], "network", required: ["id"], strict: false)
        let id = reader.parsed(network?["id"], "network.id") { (s: String) throws(ParseError) in try NetworkID(s) }
        var nodes: [Node] = []
        for (i, value) in (reader.array(root?["nodes"], "nodes") ?? []).enumerated() {
            let path = "nodes[\(i)]"
            let members = reader.object(
                value, path, required: ["id", "subnet", "ipv6_subnet", "listen_port"], strict: false)
            let nodeID = reader.parsed(members?["id"], path + ".id") { (s: String) throws(ParseError) in
                try IdentityID(s)
            }
            let subnet = reader.parsed(members?["subnet"], path + ".subnet") { (s: String) throws(ParseError) in
                try IPPrefix(s)
            }
            let ipv6 = reader.parsed(members?["ipv6_subnet"], path + ".ipv6_subnet") { (s: String) throws(ParseError) in
                try IPPrefix(s)
            }
            let port = reader.integer(members?["listen_port"], path + ".listen_port", in: 1...65535)
            var access: IdentityID?
            if let value = members?["access_node"] {
                access = reader.parsed(value, path + ".access_node") { (s: String) throws(ParseError) in
                    try IdentityID(s)
                }
            }
            if let nodeID, let subnet, let ipv6, let port {
                nodes.append(
                    Node(id: nodeID, subnet: subnet, ipv6Subnet: ipv6, listenPort: UInt16(port), accessNode: access))
            }
        }
        var accesses: [Access] = []
        for (i, value) in (reader.array(root?["accesses"] ?? .array([]), "accesses") ?? []).enumerated() {
            let path = "accesses[\(i)]"
            let members = reader.object(
                value, path, required: ["name", "subnet", "ipv6_subnet", "access_node"], strict: false)
            let name = reader.string(members?["name"], path + ".name")
            let subnet = reader.parsed(members?["subnet"], path + ".subnet") { (s: String) throws(ParseError) in
                try IPPrefix(s)
            }
            let ipv6 = reader.parsed(members?["ipv6_subnet"], path + ".ipv6_subnet") { (s: String) throws(ParseError) in
                try IPPrefix(s)
            }
            let via = reader.parsed(members?["access_node"], path + ".access_node") { (s: String) throws(ParseError) in
                try IdentityID(s)
            }
            if let name, let subnet, let ipv6, let via {
                accesses.append(Access(name: name, subnet: subnet, ipv6Subnet: ipv6, accessNode: via))
            }
        }
        guard reader.problems.isEmpty, let id else { throw DocumentError(reader.problems) }
        self.init(networkID: id, nodes: nodes, accesses: accesses)
    }
}
