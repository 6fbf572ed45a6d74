import ZmeshJSON

/// JSON on the wire: a strict parse (see `JSONParser`), then a schema walk that reports every
/// missing, mistyped or unknown field with its path.
extension Deployment {
    /// The largest document accepted, in bytes (a 5,000-node network with generous peer lists fits).
    public static let maximumJSONSize = 64 << 20

    /// Reads a deployment from JSON text (UTF-8). Member order and whitespace do not matter; duplicate
    /// member names, unknown members, comments and trailing commas are refused.
    /// - Throws: every structural problem found, each with its path; or one syntax error with its line
    ///   and column.
    public init(json: some Collection<UInt8>) throws(DeploymentError) {
        let bytes = Array(json)
        guard bytes.count <= Self.maximumJSONSize else {
            throw DeploymentError(path: "", "the document is larger than \(Self.maximumJSONSize) bytes")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw DeploymentError(path: "", "invalid JSON: \(error)") }
        try self.init(jsonValue: value)
    }

    /// Reads a deployment from JSON text.
    public init(json: String) throws(DeploymentError) { try self.init(json: Array(json.utf8)) }

    /// From an already parsed JSON value.
    init(jsonValue value: JSONValue) throws(DeploymentError) {
        var reader = DocumentReader()
        let document = reader.deployment(value)
        try reader.problems.throwIfAny()
        guard let document else { throw DeploymentError(path: "", "the document could not be read") }
        self = document
    }

    /// The document as JSON: members in schema order, optional members left out when absent,
    /// indented by two spaces unless `pretty` is false.
    public func json(pretty: Bool = true) -> String { JSONWriter(pretty: pretty).write(jsonValue) }

    /// The document as a JSON value.
    var jsonValue: JSONValue {
        .object([
            JSONMember(Key.schema, .integer(schema)),
            JSONMember(Key.version, .integer(version)),
            JSONMember(Key.owner, .string(owner)),
            JSONMember(
                Key.network,
                .object([
                    JSONMember(Key.name, .string(network.name)),
                    JSONMember(Key.ipv4Range, .string(network.ipv4Range)),
                    JSONMember(Key.ipv6Range, .string(network.ipv6Range)),
                ])),
            JSONMember(Key.nodes, .array(nodes.map(\.jsonValue))),
            JSONMember(
                Key.signatureRequirement,
                .object([
                    JSONMember(
                        Key.requests,
                        .array(
                            signatureRequirement.requests.map { request in
                                .object([
                                    JSONMember(Key.twin, .string(request.twin)),
                                    JSONMember(Key.weight, .integer(request.weight)),
                                    JSONMember(Key.required, .bool(request.required)),
                                ])
                            })),
                    JSONMember(Key.weightRequired, .integer(signatureRequirement.weightRequired)),
                ])),
            JSONMember(
                Key.signatures,
                .array(
                    signatures.map { signature in
                        .object([
                            JSONMember(Key.twin, .string(signature.twin)),
                            JSONMember(Key.publicKey, .string(signature.publicKey)),
                            JSONMember(Key.signature, .string(signature.signature)),
                        ])
                    })),
        ])
    }

    /// Member names on the wire.
    enum Key {
        static let schema = "schema"
        static let version = "version"
        static let owner = "owner"
        static let network = "network"
        static let name = "name"
        static let ipv4Range = "ipv4_range"
        static let ipv6Range = "ipv6_range"
        static let nodes = "nodes"
        static let id = "id"
        static let subnet = "subnet"
        static let ipv6Subnet = "ipv6_subnet"
        static let listenPort = "listen_port"
        static let publicKey = "public_key"
        static let sealedPrivateKey = "sealed_private_key"
        static let peers = "peers"
        static let allowedIPs = "allowed_ips"
        static let endpoint = "endpoint"
        static let persistentKeepalive = "persistent_keepalive"
        static let signatureRequirement = "signature_requirement"
        static let requests = "requests"
        static let twin = "twin"
        static let weight = "weight"
        static let required = "required"
        static let weightRequired = "weight_required"
        static let signatures = "signatures"
        static let signature = "signature"
    }
}

extension Deployment.Node {
    var jsonValue: JSONValue {
        .object([
            JSONMember(Deployment.Key.id, .string(id)),
            JSONMember(Deployment.Key.subnet, .string(subnet)),
            JSONMember(Deployment.Key.ipv6Subnet, .string(ipv6Subnet)),
            JSONMember(Deployment.Key.listenPort, .integer(listenPort)),
            JSONMember(Deployment.Key.publicKey, .string(publicKey)),
            JSONMember(Deployment.Key.sealedPrivateKey, .string(sealedPrivateKey)),
            JSONMember(Deployment.Key.peers, .array(peers.map(\.jsonValue))),
        ])
    }
}

extension Deployment.Peer {
    var jsonValue: JSONValue {
        var members = [
            JSONMember(Deployment.Key.publicKey, .string(publicKey)),
            JSONMember(Deployment.Key.allowedIPs, .array(allowedIPs.map(JSONValue.string))),
        ]
        if let endpoint { members.append(JSONMember(Deployment.Key.endpoint, .string(endpoint))) }
        if let persistentKeepalive {
            members.append(JSONMember(Deployment.Key.persistentKeepalive, .integer(persistentKeepalive)))
        }
        return .object(members)
    }
}

/// Walks a JSON value against schema 1, collecting every problem. Each method returns `nil` when its
/// part could not be read, after recording why.
struct DocumentReader {
    typealias Key = Deployment.Key
    var problems = ProblemList()

    mutating func deployment(_ value: JSONValue) -> Deployment? {
        let path = DocumentPath.root
        guard
            let fields = object(
                value, path,
                [
                    Key.schema, Key.version, Key.owner, Key.network, Key.nodes, Key.signatureRequirement,
                    Key.signatures,
                ])
        else { return nil }
        let schema = integer(fields, Key.schema, path)
        let version = integer(fields, Key.version, path)
        let owner = string(fields, Key.owner, path)
        let network = required(fields, Key.network, path).flatMap { self.network($0, path[Key.network]) }
        let nodes = required(fields, Key.nodes, path).flatMap {
            array($0, path[Key.nodes]) { reader, item, itemPath in reader.node(item, itemPath) }
        }
        let requirement = required(fields, Key.signatureRequirement, path).flatMap {
            self.requirement($0, path[Key.signatureRequirement])
        }
        let signatures: [Deployment.Signature]?
        switch fields[Key.signatures] {
        case nil, .null?: signatures = []
        case let value?:
            signatures = array(value, path[Key.signatures]) { reader, item, itemPath in reader.signature(item, itemPath)
            }
        }
        guard let schema, let version, let owner, let network, let nodes, let requirement, let signatures else {
            return nil
        }
        return Deployment(
            schema: schema, version: version, owner: owner, network: network, nodes: nodes,
            signatureRequirement: requirement, signatures: signatures)
    }

    mutating func network(_ value: JSONValue, _ path: DocumentPath) -> Deployment.Network? {
        guard let fields = object(value, path, [Key.name, Key.ipv4Range, Key.ipv6Range]) else { return nil }
        let name = string(fields, Key.name, path)
        let ipv4 = string(fields, Key.ipv4Range, path)
        let ipv6 = string(fields, Key.ipv6Range, path)
        guard let name, let ipv4, let ipv6 else { return nil }
        return Deployment.Network(name: name, ipv4Range: ipv4, ipv6Range: ipv6)
    }

    mutating func node(_ value: JSONValue, _ path: DocumentPath) -> Deployment.Node? {
        guard
            let fields = object(
                value, path,
                [
                    Key.id, Key.subnet, Key.ipv6Subnet, Key.listenPort, Key.publicKey, Key.sealedPrivateKey,
                    Key.peers,
                ])
        else { return nil }
        let id = string(fields, Key.id, path)
        let subnet = string(fields, Key.subnet, path)
        let ipv6Subnet = string(fields, Key.ipv6Subnet, path)
        let port = integer(fields, Key.listenPort, path)
        let publicKey = string(fields, Key.publicKey, path)
        let sealed = string(fields, Key.sealedPrivateKey, path)
        let peers = required(fields, Key.peers, path).flatMap {
            array($0, path[Key.peers]) { reader, item, itemPath in reader.peer(item, itemPath) }
        }
        guard let id, let subnet, let ipv6Subnet, let port, let publicKey, let sealed, let peers else { return nil }
        return Deployment.Node(
            id: id, subnet: subnet, ipv6Subnet: ipv6Subnet, listenPort: port, publicKey: publicKey,
            sealedPrivateKey: sealed, peers: peers)
    }

    mutating func peer(_ value: JSONValue, _ path: DocumentPath) -> Deployment.Peer? {
        guard
            let fields = object(value, path, [Key.publicKey, Key.allowedIPs, Key.endpoint, Key.persistentKeepalive])
        else { return nil }
        let publicKey = string(fields, Key.publicKey, path)
        let allowed = required(fields, Key.allowedIPs, path).flatMap { value in
            array(value, path[Key.allowedIPs]) { reader, element, elementPath in reader.string(element, elementPath) }
        }
        let endpoint = optional(fields, Key.endpoint) { reader, value in reader.string(value, path[Key.endpoint]) }
        let keepalive = optional(fields, Key.persistentKeepalive) { reader, value in
            reader.integer(value, path[Key.persistentKeepalive])
        }
        guard let publicKey, let allowed, let endpoint, let keepalive else { return nil }
        return Deployment.Peer(
            publicKey: publicKey, allowedIPs: allowed, endpoint: endpoint, persistentKeepalive: keepalive)
    }

    mutating func requirement(_ value: JSONValue, _ path: DocumentPath) -> Deployment.SignatureRequirement? {
        guard let fields = object(value, path, [Key.requests, Key.weightRequired]) else { return nil }
        let requests = required(fields, Key.requests, path).flatMap {
            array($0, path[Key.requests]) { reader, item, itemPath in reader.request(item, itemPath) }
        }
        let weight = integer(fields, Key.weightRequired, path)
        guard let requests, let weight else { return nil }
        return Deployment.SignatureRequirement(requests: requests, weightRequired: weight)
    }

    mutating func request(_ value: JSONValue, _ path: DocumentPath) -> Deployment.SignatureRequest? {
        guard let fields = object(value, path, [Key.twin, Key.weight, Key.required]) else { return nil }
        let twin = string(fields, Key.twin, path)
        let weight = integer(fields, Key.weight, path)
        let isRequired = bool(fields, Key.required, path)
        guard let twin, let weight, let isRequired else { return nil }
        return Deployment.SignatureRequest(twin: twin, weight: weight, required: isRequired)
    }

    mutating func signature(_ value: JSONValue, _ path: DocumentPath) -> Deployment.Signature? {
        guard let fields = object(value, path, [Key.twin, Key.publicKey, Key.signature]) else { return nil }
        let twin = string(fields, Key.twin, path)
        let publicKey = string(fields, Key.publicKey, path)
        let signature = string(fields, Key.signature, path)
        guard let twin, let publicKey, let signature else { return nil }
        return Deployment.Signature(twin: twin, publicKey: publicKey, signature: signature)
    }

    // MARK: Building blocks

    /// The members of an object, after reporting members that are not in `known`.
    mutating func object(_ value: JSONValue, _ path: DocumentPath, _ known: [String]) -> [String: JSONValue]? {
        guard case .object(let members) = value else {
            problems.add(path, "expected an object, found \(value.kindDescription)")
            return nil
        }
        var fields: [String: JSONValue] = [:]
        for member in members {
            if known.contains(member.key) {
                fields[member.key] = member.value
            } else {
                problems.add(path[member.key], "unknown field")
            }
        }
        return fields
    }

    mutating func required(_ fields: [String: JSONValue], _ key: String, _ path: DocumentPath) -> JSONValue? {
        guard let value = fields[key] else {
            problems.add(path[key], "required field is missing")
            return nil
        }
        return value
    }

    /// `.some(nil)` when the member is absent or null, `nil` when it could not be read.
    mutating func optional<T>(
        _ fields: [String: JSONValue], _ key: String, _ read: (inout DocumentReader, JSONValue) -> T?
    ) -> T?? {
        switch fields[key] {
        case nil, .null?: return .some(nil)
        case let value?:
            guard let result = read(&self, value) else { return nil }
            return .some(result)
        }
    }

    mutating func array<T>(
        _ value: JSONValue, _ path: DocumentPath, _ element: (inout DocumentReader, JSONValue, DocumentPath) -> T?
    ) -> [T]? {
        guard case .array(let elements) = value else {
            problems.add(path, "expected an array, found \(value.kindDescription)")
            return nil
        }
        var out: [T] = []
        var complete = true
        for (i, item) in elements.enumerated() {
            if let read = element(&self, item, path[i]) { out.append(read) } else { complete = false }
        }
        return complete ? out : nil
    }

    mutating func string(_ fields: [String: JSONValue], _ key: String, _ path: DocumentPath) -> String? {
        required(fields, key, path).flatMap { string($0, path[key]) }
    }

    mutating func string(_ value: JSONValue, _ path: DocumentPath) -> String? {
        guard case .string(let s) = value else {
            problems.add(path, "expected a string, found \(value.kindDescription)")
            return nil
        }
        return s
    }

    mutating func integer(_ fields: [String: JSONValue], _ key: String, _ path: DocumentPath) -> Int64? {
        required(fields, key, path).flatMap { integer($0, path[key]) }
    }

    mutating func integer(_ value: JSONValue, _ path: DocumentPath) -> Int64? {
        guard case .number(let text) = value else {
            problems.add(path, "expected an integer, found \(value.kindDescription)")
            return nil
        }
        if let n = Int64(text) { return n }
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) {
            problems.add(path, "integer \(text) is out of range")
        } else {
            problems.add(path, "expected an integer, found \(text)")
        }
        return nil
    }

    mutating func bool(_ fields: [String: JSONValue], _ key: String, _ path: DocumentPath) -> Bool? {
        guard let value = required(fields, key, path) else { return nil }
        guard case .bool(let b) = value else {
            problems.add(path[key], "expected true or false, found \(value.kindDescription)")
            return nil
        }
        return b
    }
}
