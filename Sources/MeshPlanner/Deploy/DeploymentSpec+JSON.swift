import Deployments
import ZmeshCrypto
public import ZmeshJSON
import ZmeshModel

extension DeploymentSpec {
    /// The largest spec file read, in bytes.
    public static let maximumSize = 16 << 20

    /// Reads a deployment spec from JSON text (UTF-8, strict).
    public init(json: some Collection<UInt8>) throws(DocumentError) {
        let bytes = Array(json)
        guard bytes.count <= Self.maximumSize else { throw DocumentError(["larger than \(Self.maximumSize) bytes"]) }
        var reader = DocumentReader()
        guard let value = reader.parse(bytes) else { throw DocumentError(reader.problems) }
        try self.init(value: value)
    }

    /// Reads a deployment spec from a parsed document (JSON, or YAML turned into a ``JSONValue``).
    /// Members: `name`, optional `owner`, `ipv4_range`, optional `ipv6_range`, `nodes` (ids), optional
    /// `accesses` (as in the planner's spec), optional `owners` (`twin`, `weight`, optional `required`)
    /// and optional `weight_required`.
    ///
    /// - Throws: every problem found, each with its path; unknown members are problems too.
    public init(value: JSONValue) throws(DocumentError) {
        var reader = DocumentReader()
        let root = reader.object(
            value, "", required: ["name", "ipv4_range", "nodes"],
            optional: ["owner", "ipv6_range", "accesses", "owners", "weight_required"])
        let name = reader.parsed(root?["name"], "name") { (s: String) throws(ParseError) in try NetworkName(s) }
        var owner: IdentityID?
        if let value = root?["owner"] {
            owner = reader.parsed(value, "owner") { (s: String) throws(ParseError) in try IdentityID(s) }
        }
        let ipv4 = reader.parsed(root?["ipv4_range"], "ipv4_range") { (s: String) throws(ParseError) in
            try IPPrefix(s)
        }
        var ipv6: IPPrefix?
        if let value = root?["ipv6_range"] {
            ipv6 = reader.parsed(value, "ipv6_range") { (s: String) throws(ParseError) in try IPPrefix(s) }
        }
        var nodes: [IdentityID] = []
        for (i, element) in (reader.array(root?["nodes"], "nodes") ?? []).enumerated() {
            let path = "nodes[\(i)]"
            guard let id = reader.parsed(element, path, { (s: String) throws(ParseError) in try IdentityID(s) }) else {
                continue
            }
            if nodes.contains(id) { reader.fail(path, "node \(id) is listed twice") }
            nodes.append(id)
        }
        var accesses: [AccessRequest] = []
        var keyless: [String] = []
        for (i, element) in (reader.array(root?["accesses"], "accesses") ?? []).enumerated() {
            guard let (access, hasKey) = reader.access(element, "accesses[\(i)]") else { continue }
            accesses.append(access)
            if !hasKey { keyless.append(access.name) }
        }
        var owners: [Deployment.SignatureRequest]?
        if let list = reader.array(root?["owners"], "owners") {
            owners = list.enumerated().compactMap { reader.owner($1, "owners[\($0)]") }
            if list.isEmpty { reader.fail("owners", "list at least one owner, or leave the member out") }
        }
        var weight: Int64?
        if let value = root?["weight_required"] {
            weight = reader.integer(value, "weight_required", in: 1...Int(UInt32.max)).map(Int64.init)
        }
        guard reader.problems.isEmpty, let name, let ipv4 else { throw DocumentError(reader.problems) }
        self.init(
            name: name, owner: owner, ipv4Range: ipv4, ipv6Range: ipv6, nodes: nodes, accesses: accesses,
            accessesWithoutKey: keyless, owners: owners, weightRequired: weight)
    }
}

extension DocumentReader {
    mutating func owner(_ value: JSONValue, _ path: String) -> Deployment.SignatureRequest? {
        let members = object(value, path, required: ["twin", "weight"], optional: ["required"])
        let twin = parsed(members?["twin"], join(path, "twin")) { (s: String) throws(ParseError) in try IdentityID(s) }
        let weight = integer(members?["weight"], join(path, "weight"), in: 0...Int(UInt32.max))
        var required = false
        if let flag = members?["required"] {
            if case .bool(let b) = flag { required = b } else {
                fail(join(path, "required"), "expected true or false, found \(flag.kindDescription)")
            }
        }
        guard let twin, let weight else { return nil }
        return Deployment.SignatureRequest(twin: twin, weight: UInt32(weight), required: required)
    }
}
