import Deployments
import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

/// A spec file as read: the spec, and the accesses it gives no public key for.
///
/// Such accesses are in ``spec`` with an all-zero key (which the planner refuses), so that a caller
/// that makes their key pairs (`zmesh network access`) can fill them in; their places in the plan do not
/// depend on their keys.
public struct NetworkSpecFile: Sendable, Hashable {
    /// The spec.
    public var spec: NetworkSpec
    /// Names of the accesses without a `public_key`, in file order.
    public var accessesWithoutKey: [String]

    /// The largest spec file read, in bytes.
    public static let maximumSize = 16 << 20

    /// Reads a spec file (JSON, UTF-8). The format is in `docs/mesh-planner.md`: `name`, `owner`,
    /// `ipv4_range`, optional `ipv6_range`, `nodes` (`id`, `public_key`, optional `endpoints`, `outbound`,
    /// `used_ports`) and optional `accesses` (`name`, optional `public_key`, `family`, `access_node`).
    ///
    /// - Throws: every problem found, each with its path; unknown members are problems too.
    public init(json: some Collection<UInt8>) throws(DocumentError) {
        let bytes = Array(json)
        guard bytes.count <= Self.maximumSize else { throw DocumentError(["larger than \(Self.maximumSize) bytes"]) }
        var reader = DocumentReader()
        let root = reader.object(
            reader.parse(bytes), "", required: ["name", "owner", "ipv4_range", "nodes"],
            optional: ["ipv6_range", "accesses"])
        let name = reader.parsed(root?["name"], "name") { (s: String) throws(ParseError) in try NetworkName(s) }
        let owner = reader.parsed(root?["owner"], "owner") { (s: String) throws(ParseError) in try IdentityID(s) }
        let ipv4 = reader.parsed(root?["ipv4_range"], "ipv4_range") { (s: String) throws(ParseError) in try IPPrefix(s)
        }
        var ipv6: IPPrefix?
        if let value = root?["ipv6_range"] {
            ipv6 = reader.parsed(value, "ipv6_range") { (s: String) throws(ParseError) in try IPPrefix(s) }
        }
        var nodes: [NodeSpec] = []
        for (i, value) in (reader.array(root?["nodes"], "nodes") ?? []).enumerated() {
            if let node = reader.node(value, "nodes[\(i)]") { nodes.append(node) }
        }
        var accesses: [AccessRequest] = []
        var keyless: [String] = []
        for (i, value) in (reader.array(root?["accesses"], "accesses") ?? []).enumerated() {
            guard let (access, hasKey) = reader.access(value, "accesses[\(i)]") else { continue }
            accesses.append(access)
            if !hasKey { keyless.append(access.name) }
        }
        guard reader.problems.isEmpty, let name, let owner, let ipv4 else { throw DocumentError(reader.problems) }
        spec = NetworkSpec(name: name, owner: owner, ipv4Range: ipv4, ipv6Range: ipv6, nodes: nodes, accesses: accesses)
        accessesWithoutKey = keyless
    }
}

extension DocumentReader {
    mutating func node(_ value: JSONValue, _ path: String) -> NodeSpec? {
        let members = object(
            value, path, required: ["id", "public_key"], optional: ["endpoints", "outbound", "used_ports"])
        let id = parsed(members?["id"], join(path, "id")) { (s: String) throws(ParseError) in try IdentityID(s) }
        let key = key(members?["public_key"], join(path, "public_key"))
        var ipv4: IPv4Address?
        var ipv6: IPv6Address?
        for (j, element) in (array(members?["endpoints"], join(path, "endpoints")) ?? []).enumerated() {
            let at = "\(join(path, "endpoints"))[\(j)]"
            switch parsed(element, at, { (s: String) throws(ParseError) in try IPAddress(s) }) {
            case .v4(let a)?:
                if ipv4 != nil { fail(at, "a second IPv4 endpoint (give at most one per family)") }
                ipv4 = a
            case .v6(let a)?:
                if ipv6 != nil { fail(at, "a second IPv6 endpoint (give at most one per family)") }
                ipv6 = a
            case nil: break
            }
        }
        var outbound: Set<IPFamily>?
        if let list = array(members?["outbound"], join(path, "outbound")) {
            outbound = Set(list.enumerated().compactMap { family($1, "\(join(path, "outbound"))[\($0)]") })
        }
        var used: Set<UInt16> = []
        for (j, element) in (array(members?["used_ports"], join(path, "used_ports")) ?? []).enumerated() {
            if let port = integer(element, "\(join(path, "used_ports"))[\(j)]", in: 1...65535) {
                used.insert(UInt16(port))
            }
        }
        guard let id, let key else { return nil }
        return NodeSpec(
            id: id, publicKey: key, ipv4Endpoint: ipv4, ipv6Endpoint: ipv6, outbound: outbound, usedPorts: used)
    }

    mutating func access(_ value: JSONValue, _ path: String) -> (AccessRequest, hasKey: Bool)? {
        let members = object(value, path, required: ["name"], optional: ["public_key", "family", "access_node"])
        let name = string(members?["name"], join(path, "name"))
        if let name, !AccessRequest.isValidName(name) {
            fail(join(path, "name"), "use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit")
        }
        var key: WireGuardKey?
        if let value = members?["public_key"] { key = self.key(value, join(path, "public_key")) }
        var family = IPFamily.ipv4
        if let value = members?["family"] { family = self.family(value, join(path, "family")) ?? .ipv4 }
        var via: IdentityID?
        if let value = members?["access_node"] {
            via = parsed(value, join(path, "access_node")) { (s: String) throws(ParseError) in try IdentityID(s) }
        }
        guard let name else { return nil }
        return (AccessRequest(name: name, publicKey: key ?? .zero, family: family, accessNode: via), key != nil)
    }
}

extension NetworkSpec {
    /// The spec as a spec file (the format ``NetworkSpecFile`` reads), nodes and accesses in the order
    /// given; members at their defaults are left out.
    public var json: String {
        var root: [JSONMember] = [
            JSONMember("name", .string(name.rawValue)), JSONMember("owner", .string(owner.rawValue)),
            JSONMember("ipv4_range", .string(ipv4Range.description)),
        ]
        if let ipv6Range { root.append(JSONMember("ipv6_range", .string(ipv6Range.description))) }
        root.append(JSONMember("nodes", .array(nodes.map(\.jsonValue))))
        if !accesses.isEmpty { root.append(JSONMember("accesses", .array(accesses.map(\.jsonValue)))) }
        return JSONWriter().write(.object(root))
    }
}

extension NodeSpec {
    var jsonValue: JSONValue {
        var members: [JSONMember] = [
            JSONMember("id", .string(id.rawValue)), JSONMember("public_key", .string(publicKey.base64)),
        ]
        let endpoints = endpointFamilies.compactMap { endpointAddress($0) }
        if !endpoints.isEmpty {
            members.append(JSONMember("endpoints", .array(endpoints.map { .string($0.description) })))
        }
        if let outbound {
            members.append(JSONMember("outbound", .array(outbound.sorted().map { .string($0.rawValue) })))
        }
        if !usedPorts.isEmpty {
            members.append(JSONMember("used_ports", .array(usedPorts.sorted().map { .integer(Int($0)) })))
        }
        return .object(members)
    }
}

extension AccessRequest {
    var jsonValue: JSONValue {
        var members: [JSONMember] = [JSONMember("name", .string(name))]
        if !publicKey.isZero { members.append(JSONMember("public_key", .string(publicKey.base64))) }
        if family != .ipv4 { members.append(JSONMember("family", .string(family.rawValue))) }
        if let accessNode { members.append(JSONMember("access_node", .string(accessNode.rawValue))) }
        return .object(members)
    }
}
