public import ZmeshCrypto
public import ZmeshModel
import ZmeshJSON

extension RegistryClient {
    /// Registers the client's identity as a node of `farm` (`POST /v1/nodes`, signed by the node).
    /// Registering again replaces the farm, addresses and ports.
    /// - Parameters:
    ///   - publicIPs: literal public addresses, at most one IPv4 and one IPv6; empty for a hidden node.
    ///   - usedPorts: ports already taken on the node (not sent when nil).
    ///   - outbound: the families the node reaches the internet over (not sent when nil).
    public func registerNode(
        farm: UInt32, publicIPs: [IPAddress], usedPorts: [UInt16]? = nil, outbound: [AddressFamily]? = nil
    ) async throws(RegistryClientError) -> Registered<Node> {
        let operation = "register node"
        guard let identity else { throw .missingIdentity(operation: operation) }
        let v4 = publicIPs.filter { if case .v4 = $0 { true } else { false } }
        guard v4.count <= 1, publicIPs.count - v4.count <= 1 else {
            throw .invalidArgument(
                operation: operation, value: publicIPs.map(\.description).joined(separator: ", "),
                reason: "a node has at most one public address per family")
        }
        var members = [
            JSONMember("id", .string(identity.id.rawValue)), JSONMember("farm", .integer(farm)),
            JSONMember("public_key", .string(identity.publicKey.base64)),
            JSONMember("public_ips", .array(publicIPs.map { .string($0.description) })),
        ]
        if let usedPorts { members.append(JSONMember("used_ports", .array(usedPorts.map { .integer($0) }))) }
        if let outbound { members.append(JSONMember("outbound", .array(outbound.map { .string($0.rawValue) }))) }
        let call = RegistryCall(
            operation: operation, method: .post, path: "/v1/nodes", body: WireBody.bytes(members), signed: true,
            expected: [200, 201])
        let response = try await exchange(call)
        let node = try decode(response, call) { wire throws(WireError) in try Node(wire: wire) }
        return Registered(record: node, isNew: response.status == 201)
    }

    /// The node `id` (`GET /v1/nodes/{id}`, public).
    /// - Throws: ``RegistryClientError/refused(status:code:message:problems:)`` with `unknown_node` when none.
    public func node(_ id: IdentityID) async throws(RegistryClientError) -> Node {
        try await fetch(RegistryCall(operation: "read node \(id)", method: .get, path: "/v1/nodes/\(id.rawValue)")) {
            wire throws(WireError) in try Node(wire: wire)
        }
    }

    /// Creates a farm owned by the client's twin (`POST /v1/farms`, signed by a registered twin). Names are
    /// unique per owner, so creating it again answers the existing farm (``Registered/isNew`` false): a
    /// retry after a lost answer does not make a second farm.
    public func createFarm(name: String) async throws(RegistryClientError) -> Registered<Farm> {
        let call = RegistryCall(
            operation: "create farm '\(name)'", method: .post, path: "/v1/farms",
            body: WireBody.bytes([JSONMember("name", .string(name))]), signed: true, expected: [200, 201])
        let response = try await exchange(call)
        let farm = try decode(response, call) { wire throws(WireError) in try Farm(wire: wire) }
        return Registered(record: farm, isNew: response.status == 201)
    }

    /// The farm `id` (`GET /v1/farms/{id}`, public).
    public func farm(_ id: UInt32) async throws(RegistryClientError) -> Farm {
        try await fetch(RegistryCall(operation: "read farm \(id)", method: .get, path: "/v1/farms/\(id)")) {
            wire throws(WireError) in try Farm(wire: wire)
        }
    }
}
