import Testing
import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

@testable import Deployments
import DeploymentTestSupport

/// A table of malformed deployments: each edit of the valid sample must be refused with exactly the
/// problems listed, each with its path.
@Suite struct MalformedDeploymentTests {
    enum Edit: Sendable {
        /// Sets the member or element at a path (`nodes[0].peers[1].endpoint`), adding a missing member.
        case set(String, JSONValue)
        case remove(String)
        /// Replaces text in the compact JSON.
        case replace(String, String)
        /// Several edits.
        case all([Edit])
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let edit: Edit
        let problems: [String]
        var usedPorts: [IdentityID: Set<UInt16>] = [:]
        var description: String { name }
    }

    static func s(_ text: String) -> JSONValue { .string(text) }
    static func n(_ text: String) -> JSONValue { .number(text) }

    static let alice = Fixtures.alice.id
    static let bob = Fixtures.bob.id
    static let node1 = Fixtures.node1.id
    static let key1 = Fixtures.publicKey(0x31).base64
    static let key2 = Fixtures.publicKey(0x32).base64
    static let hostNameReason =
        "host names are not resolved; give a literal IPv4 address or a bracketed IPv6 address and a port"
    static let nameReason = "use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit"

    static let cases: [Case] = [
        // Structure: JSON types, missing and unknown members.
        Case(name: "not an object", edit: .replace("*", "[]"), problems: ["expected an object, found an array"]),
        Case(name: "missing version", edit: .remove("version"), problems: ["version: required field is missing"]),
        Case(name: "unknown member", edit: .set("comment", s("x")), problems: ["comment: unknown field"]),
        Case(
            name: "version as a string", edit: .set("version", s("3")),
            problems: ["version: expected an integer, found a string"]),
        Case(
            name: "fractional version", edit: .set("version", n("1.5")),
            problems: ["version: expected an integer, found 1.5"]),
        Case(
            name: "exponent version", edit: .set("version", n("1e2")),
            problems: ["version: expected an integer, found 1e2"]),
        Case(
            name: "huge port", edit: .set("nodes[0].listen_port", n("99999999999999999999")),
            problems: ["nodes[0].listen_port: integer 99999999999999999999 is out of range"]),
        Case(
            name: "nodes not an array", edit: .set("nodes", .object([])),
            problems: ["nodes: expected an array, found an object"]),
        Case(
            name: "endpoint as a number", edit: .set("nodes[0].peers[0].endpoint", n("51820")),
            problems: ["nodes[0].peers[0].endpoint: expected a string, found a number"]),
        Case(
            name: "required as a string", edit: .set("signature_requirement.requests[0].required", s("yes")),
            problems: ["signature_requirement.requests[0].required: expected true or false, found a string"]),
        Case(
            name: "misspelt member", edit: .set("nodes[0].peers[1].endpiont", s("203.0.113.3:51820")),
            problems: ["nodes[0].peers[1].endpiont: unknown field"]),
        Case(name: "network null", edit: .set("network", .null), problems: ["network: expected an object, found null"]),
        Case(
            name: "duplicate member", edit: .replace(#""version":0,"#, #""version":0,"version":1,"#),
            problems: [#"invalid JSON: line 1, column 25: duplicate member name "version""#]),
        Case(
            name: "every structural problem at once",
            edit: .all([
                .remove("nodes[0].id"), .set("nodes[2].peers[0].allowed_ips", s("10.20.0.0/16")), .remove("owner"),
            ]),
            problems: [
                "owner: required field is missing", "nodes[0].id: required field is missing",
                "nodes[2].peers[0].allowed_ips: expected an array, found a string",
            ]),

        // Document and network.
        Case(
            name: "unknown schema", edit: .set("schema", n("2")),
            problems: ["schema: unsupported schema 2; this zmesh reads schema 1"]),
        Case(name: "negative version", edit: .set("version", n("-1")), problems: ["version: must not be negative"]),
        Case(
            name: "owner not an id", edit: .set("owner", s("Alice")),
            problems: ["owner: invalid identity id 'Alice': expected 26 characters of lowercase base32"]),
        Case(
            name: "upper-case network name", edit: .set("network.name", s("Office")),
            problems: ["network.name: invalid network name 'Office': \(nameReason)"]),
        Case(
            name: "network name too long", edit: .set("network.name", s(String(repeating: "a", count: 33))),
            problems: ["network.name: invalid network name '\(String(repeating: "a", count: 33))': \(nameReason)"]),
        Case(
            name: "network name starting with '-'", edit: .set("network.name", s("-office")),
            problems: ["network.name: invalid network name '-office': \(nameReason)"]),
        Case(
            name: "range not a prefix", edit: .set("network.ipv4_range", s("10.20.0/16")),
            problems: ["network.ipv4_range: invalid prefix '10.20.0/16': expected four decimal octets"]),
        Case(
            name: "IPv6 as the IPv4 range", edit: .set("network.ipv4_range", s("fd00::/48")),
            problems: ["network.ipv4_range: expected an IPv4 prefix, found fd00::/48"]),
        Case(
            name: "range with host bits", edit: .set("network.ipv4_range", s("10.20.0.1/16")),
            problems: ["network.ipv4_range: 10.20.0.1/16 has host bits set: write 10.20.0.0/16"]),
        Case(
            name: "range too small", edit: .set("network.ipv4_range", s("10.20.0.0/24")),
            problems: ["network.ipv4_range: a network range must be /8 to /22, not /24"]),
        Case(
            name: "range too large", edit: .set("network.ipv4_range", s("10.0.0.0/7")),
            problems: ["network.ipv4_range: a network range must be /8 to /22, not /7"]),
        Case(
            name: "range on WireGuard addresses", edit: .set("network.ipv4_range", s("100.64.0.0/16")),
            problems: ["network.ipv4_range: 100.64.0.0/16 overlaps zmesh's WireGuard addresses (100.64.0.0/16)"]),
        Case(
            name: "range on the ndmz", edit: .set("network.ipv4_range", s("100.127.0.0/16")),
            problems: ["network.ipv4_range: 100.127.0.0/16 overlaps the ndmz range (100.127.0.0/16)"]),
        Case(
            name: "range in shared address space", edit: .set("network.ipv4_range", s("100.96.0.0/12")),
            problems: ["network.ipv4_range: 100.96.0.0/12 overlaps the shared address space zmesh uses (100.64.0.0/10)"]
        ),
        Case(
            name: "loopback range", edit: .set("network.ipv4_range", s("127.0.0.0/16")),
            problems: ["network.ipv4_range: 127.0.0.0/16 overlaps loopback (127.0.0.0/8)"]),
        Case(
            name: "link-local range", edit: .set("network.ipv4_range", s("169.254.0.0/16")),
            problems: ["network.ipv4_range: 169.254.0.0/16 overlaps link-local (169.254.0.0/16)"]),
        Case(
            name: "multicast range", edit: .set("network.ipv4_range", s("224.0.0.0/16")),
            problems: ["network.ipv4_range: 224.0.0.0/16 overlaps multicast (224.0.0.0/4)"]),
        Case(
            name: "reserved range", edit: .set("network.ipv4_range", s("240.0.0.0/16")),
            problems: ["network.ipv4_range: 240.0.0.0/16 overlaps the reserved and broadcast range (240.0.0.0/4)"]),
        Case(
            name: "'this network' range", edit: .set("network.ipv4_range", s("0.0.0.0/8")),
            problems: ["network.ipv4_range: 0.0.0.0/8 overlaps 'this network' (0.0.0.0/8)"]),
        Case(
            name: "IPv6 range not a /48", edit: .set("network.ipv6_range", s("fd12:3456:789a::/56")),
            problems: ["network.ipv6_range: the IPv6 range must be a /48, not /56"]),
        Case(
            name: "IPv6 range not unique local", edit: .set("network.ipv6_range", s("2001:db8::/48")),
            problems: ["network.ipv6_range: 2001:db8::/48 is not a unique local range (inside fd00::/8)"]),
        Case(
            name: "IPv6 range in upper case", edit: .set("network.ipv6_range", s("FD12:3456:789A::/48")),
            problems: ["network.ipv6_range: write this prefix as fd12:3456:789a::/48"]),
        Case(
            name: "IPv4 as the IPv6 range", edit: .set("network.ipv6_range", s("10.0.0.0/16")),
            problems: ["network.ipv6_range: expected an IPv6 prefix, found 10.0.0.0/16"]),

        // Nodes.
        Case(
            name: "node listed twice", edit: .set("nodes[1].id", s(Fixtures.node1.id.rawValue)),
            problems: ["nodes[1].id: node \(node1) is already listed at nodes[0]"]),
        Case(
            name: "node id not an id", edit: .set("nodes[0].id", s("node-1")),
            problems: ["nodes[0].id: invalid identity id 'node-1': expected 26 characters of lowercase base32"]),
        Case(
            name: "subnet outside the range", edit: .set("nodes[0].subnet", s("10.21.1.0/24")),
            problems: ["nodes[0].subnet: 10.21.1.0/24 is not inside the network range 10.20.0.0/16"]),
        Case(
            name: "subnet not a /24", edit: .set("nodes[0].subnet", s("10.20.0.0/23")),
            problems: ["nodes[0].subnet: a node's IPv4 subnet must be a /24, not /23"]),
        Case(
            name: "overlapping subnets", edit: .set("nodes[1].subnet", s("10.20.1.0/24")),
            problems: ["nodes[1].subnet: 10.20.1.0/24 overlaps nodes[0].subnet (10.20.1.0/24)"]),
        Case(
            name: "IPv6 subnet outside the range", edit: .set("nodes[0].ipv6_subnet", s("fd12:3456:789b:1::/64")),
            problems: [
                "nodes[0].ipv6_subnet: fd12:3456:789b:1::/64 is not inside the network range fd12:3456:789a::/48"
            ]),
        Case(
            name: "IPv6 subnet not a /64", edit: .set("nodes[0].ipv6_subnet", s("fd12:3456:789a:100::/56")),
            problems: ["nodes[0].ipv6_subnet: a node's IPv6 subnet must be a /64, not /56"]),
        Case(
            name: "overlapping IPv6 subnets", edit: .set("nodes[2].ipv6_subnet", s("fd12:3456:789a:2::/64")),
            problems: [
                "nodes[2].ipv6_subnet: fd12:3456:789a:2::/64 overlaps nodes[1].ipv6_subnet (fd12:3456:789a:2::/64)"
            ]),
        Case(
            name: "privileged port", edit: .set("nodes[0].listen_port", n("80")),
            problems: ["nodes[0].listen_port: port 80 is outside 1024–65535"]),
        Case(
            name: "port above 65535", edit: .set("nodes[0].listen_port", n("65536")),
            problems: ["nodes[0].listen_port: port 65536 is outside 1024–65535"]),
        Case(
            name: "port in use on the node", edit: .all([]),
            problems: ["nodes[0].listen_port: port 51820 is already in use on node \(node1)"],
            usedPorts: [Fixtures.node1.id: [51820], Fixtures.node2.id: [51820]]),
        Case(
            name: "node key not base64", edit: .set("nodes[0].public_key", s("abc")),
            problems: [
                "nodes[0].public_key: not a WireGuard key: expected 44 characters of base64 encoding 32 bytes (found 3 characters)"
            ]),
        Case(
            name: "two nodes with one key", edit: .set("nodes[1].public_key", s(key1)),
            problems: ["nodes[1].public_key: is also the public key of nodes[0]"]),
        Case(
            name: "all-zero node key", edit: .set("nodes[0].public_key", s(WireGuardKey.zero.base64)),
            problems: ["nodes[0].public_key: the all-zero key is not a public key"]),
        Case(
            name: "sealed key of the wrong size", edit: .set("nodes[0].sealed_private_key", s("AAAA")),
            problems: [
                "nodes[0].sealed_private_key: invalid sealed private key '(4 characters)': expected 108 characters of base64 encoding an 80-byte sealed box"
            ]),

        // Peers.
        Case(
            name: "peer is the node itself", edit: .set("nodes[0].peers[0].public_key", s(key1)),
            problems: ["nodes[0].peers[0].public_key: is this node's own public key"]),
        Case(
            name: "two peers with one key", edit: .set("nodes[0].peers[1].public_key", s(key2)),
            problems: ["nodes[0].peers[1].public_key: is also the public key of nodes[0].peers[0]"]),
        Case(
            name: "no allowed IPs", edit: .set("nodes[0].peers[0].allowed_ips", .array([])),
            problems: ["nodes[0].peers[0].allowed_ips: a peer needs at least one allowed IP"]),
        Case(
            name: "allowed IP not a prefix", edit: .set("nodes[0].peers[0].allowed_ips[0]", s("10.20.2.0/33")),
            problems: [
                "nodes[0].peers[0].allowed_ips[0]: invalid prefix '10.20.2.0/33': length 33 is out of range 0–32"
            ]),
        Case(
            name: "allowed IP outside the network", edit: .set("nodes[0].peers[0].allowed_ips[0]", s("192.168.1.0/24")),
            problems: [
                "nodes[0].peers[0].allowed_ips[0]: 192.168.1.0/24 is outside the network's ranges and the WireGuard address block 100.64.0.0/16"
            ]),
        Case(
            name: "allowed IP inside the node's own subnet",
            edit: .set("nodes[0].peers[0].allowed_ips[0]", s("10.20.1.128/25")),
            problems: [
                "nodes[0].peers[0].allowed_ips[0]: 10.20.1.128/25 lies inside this node's own subnet 10.20.1.0/24"
            ]),
        Case(
            name: "allowed IP on two peers", edit: .set("nodes[0].peers[1].allowed_ips[0]", s("10.20.2.0/24")),
            problems: ["nodes[0].peers[1].allowed_ips[0]: 10.20.2.0/24 is also an allowed IP of nodes[0].peers[0]"]),
        Case(
            name: "allowed IP listed twice", edit: .set("nodes[0].peers[0].allowed_ips[1]", s("10.20.2.0/24")),
            problems: ["nodes[0].peers[0].allowed_ips[1]: 10.20.2.0/24 is listed twice"]),
        Case(
            name: "allowed IP with host bits", edit: .set("nodes[0].peers[0].allowed_ips[0]", s("10.20.2.1/24")),
            problems: ["nodes[0].peers[0].allowed_ips[0]: 10.20.2.1/24 has host bits set: write 10.20.2.0/24"]),
        Case(
            name: "allowed IP without a length", edit: .set("nodes[0].peers[0].allowed_ips[0]", s("10.20.2.5")),
            problems: ["nodes[0].peers[0].allowed_ips[0]: give a prefix length: write 10.20.2.5/32"]),
        Case(
            name: "endpoint with a host name", edit: .set("nodes[0].peers[0].endpoint", s("node2.example.com:51821")),
            problems: ["nodes[0].peers[0].endpoint: invalid endpoint 'node2.example.com:51821': \(hostNameReason)"]),
        Case(
            name: "endpoint without a port", edit: .set("nodes[0].peers[0].endpoint", s("203.0.113.2")),
            problems: ["nodes[0].peers[0].endpoint: invalid endpoint '203.0.113.2': missing ':PORT'"]),
        Case(
            name: "IPv6 endpoint without brackets", edit: .set("nodes[0].peers[0].endpoint", s("2001:db8::1:51820")),
            problems: [
                "nodes[0].peers[0].endpoint: invalid endpoint '2001:db8::1:51820': an IPv6 endpoint must be written [ADDRESS]:PORT"
            ]),
        Case(
            name: "endpoint port 0", edit: .set("nodes[0].peers[0].endpoint", s("203.0.113.2:0")),
            problems: ["nodes[0].peers[0].endpoint: invalid endpoint '203.0.113.2:0': port '0' is not in 1–65535"]),
        Case(
            name: "scoped endpoint", edit: .set("nodes[0].peers[0].endpoint", s("[fe80::1%2]:51820")),
            problems: [
                "nodes[0].peers[0].endpoint: a scoped IPv6 endpoint names an interface of one machine; it means nothing on another node"
            ]),
        Case(
            name: "unspecified endpoint", edit: .set("nodes[0].peers[0].endpoint", s("0.0.0.0:51820")),
            problems: ["nodes[0].peers[0].endpoint: the unspecified address is not an endpoint"]),
        Case(
            name: "multicast endpoint", edit: .set("nodes[0].peers[0].endpoint", s("224.0.0.1:51820")),
            problems: ["nodes[0].peers[0].endpoint: a multicast address is not an endpoint"]),
        Case(
            name: "endpoint not in canonical form", edit: .set("nodes[1].peers[0].endpoint", s("[2001:DB8::1]:51820")),
            problems: ["nodes[1].peers[0].endpoint: write this endpoint as [2001:db8::1]:51820"]),
        Case(
            name: "keepalive too long", edit: .set("nodes[2].peers[0].persistent_keepalive", n("70000")),
            problems: ["nodes[2].peers[0].persistent_keepalive: 70000 is outside 0–65535 seconds"]),
        Case(
            name: "negative keepalive", edit: .set("nodes[2].peers[0].persistent_keepalive", n("-1")),
            problems: ["nodes[2].peers[0].persistent_keepalive: -1 is outside 0–65535 seconds"]),

        // Signature requirement and signatures.
        Case(
            name: "no signature requests", edit: .set("signature_requirement.requests", .array([])),
            problems: ["signature_requirement.requests: at least one signature request is needed"]),
        Case(
            name: "request twin not an id", edit: .set("signature_requirement.requests[1].twin", s("bob")),
            problems: [
                "signature_requirement.requests[1].twin: invalid identity id 'bob': expected 26 characters of lowercase base32"
            ]),
        Case(
            name: "twin requested twice",
            edit: .set("signature_requirement.requests[2].twin", s(Fixtures.bob.id.rawValue)),
            problems: [
                "signature_requirement.requests[2].twin: twin \(bob) is already requested at signature_requirement.requests[1]"
            ]),
        Case(
            name: "negative weight", edit: .set("signature_requirement.requests[1].weight", n("-1")),
            problems: ["signature_requirement.requests[1].weight: weight -1 is outside 0–4294967295"]),
        Case(
            name: "owner not required", edit: .set("signature_requirement.requests[0].required", .bool(false)),
            problems: ["signature_requirement.requests[0].required: the owner \(alice) must be a required signer"]),
        Case(
            name: "owner not requested", edit: .remove("signature_requirement.requests[0]"),
            problems: [
                "signature_requirement.requests: the owner \(alice) must be among the requests, as a required signer",
                "signature_requirement.weight_required: 3 cannot be reached: the requests' weights add up to 2",
            ]),
        Case(
            name: "nothing required", edit: .set("signature_requirement.weight_required", n("0")),
            problems: [
                "signature_requirement.weight_required: must be at least 1, so that no deployment is valid unsigned"
            ]),
        Case(
            name: "unreachable weight", edit: .set("signature_requirement.weight_required", n("10")),
            problems: ["signature_requirement.weight_required: 10 cannot be reached: the requests' weights add up to 4"]
        ),
        Case(
            name: "signature of garbage",
            edit: .set(
                "signatures",
                .array([
                    .object([
                        JSONMember("twin", s("x")), JSONMember("public_key", s("y")), JSONMember("signature", s("z")),
                    ])
                ])),
            problems: [
                "signatures[0].twin: invalid identity id 'x': expected 26 characters of lowercase base32",
                "signatures[0].public_key: invalid Ed25519 public key 'y': expected 44 characters of base64 encoding 32 bytes",
                "signatures[0].signature: invalid Ed25519 signature 'z': expected 88 characters of base64 encoding 64 bytes",
            ]),
        Case(
            name: "signature with another twin's key",
            edit: .set(
                "signatures",
                .array([
                    .object([
                        JSONMember("twin", s(Fixtures.alice.id.rawValue)),
                        JSONMember("public_key", s(Fixtures.mallory.publicKey.base64)),
                        JSONMember("signature", s(Fixtures.mallory.signature(for: [1]).base64)),
                    ])
                ])),
            problems: [
                "signatures[0].public_key: is not the key of twin \(alice): it is the key of \(Fixtures.mallory.id)"
            ]),
    ]

    @Test func theTableIsLargeEnough() { #expect(Self.cases.count >= 40) }

    @Test func theSampleIsValid() throws {
        #expect(Fixtures.problems(Fixtures.deployment().json(pretty: false)) == [])
        let validated = try Fixtures.deployment().validated()
        #expect(validated.nodes.count == 3)
        #expect(validated.network.id.rawValue.count == 13)
    }

    @Test(arguments: cases)
    func refusedWithPathAndMessage(_ c: Case) {
        let json = Self.apply(c.edit, to: Fixtures.deployment().json(pretty: false))
        let problems = Fixtures.problems(json, context: ValidationContext(usedListenPorts: c.usedPorts))
        #expect(problems.map(\.description) == c.problems)
    }

    // MARK: Editing JSON

    static func apply(_ edit: Edit, to json: String) -> String {
        switch edit {
        case .replace(let target, let replacement):
            if target == "*" { return replacement }
            guard let range = json.firstRange(of: target) else { return json }
            var out = json
            out.replaceSubrange(range, with: replacement)
            return out
        case .all(let edits):
            return edits.reduce(json) { apply($1, to: $0) }
        case .set(let path, let value):
            return transform(json, path) { _ in value }
        case .remove(let path):
            return transform(json, path) { _ in nil }
        }
    }

    enum Component {
        case key(String)
        case index(Int)
    }

    static func components(_ path: String) -> [Component] {
        var out: [Component] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                out.append(.key(String(rest[..<bracket])))
                rest = rest[bracket...]
                while let open = rest.firstIndex(of: "["), let close = rest.firstIndex(of: "]") {
                    out.append(.index(Int(rest[rest.index(after: open)..<close]) ?? 0))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                out.append(.key(String(rest)))
            }
        }
        return out
    }

    static func transform(_ json: String, _ path: String, _ change: (JSONValue?) -> JSONValue?) -> String {
        guard let value = try? JSONParser.parse(Array(json.utf8)) else { return json }
        let edited = edit(value, components(path)[...], change) ?? .null
        return JSONWriter(pretty: false).write(edited)
    }

    static func edit(_ value: JSONValue, _ path: ArraySlice<Component>, _ change: (JSONValue?) -> JSONValue?)
        -> JSONValue?
    {
        guard let first = path.first else { return change(value) }
        let rest = path.dropFirst()
        switch (first, value) {
        case (.key(let key), .object(var members)):
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let new = edit(members[i].value, rest, change) {
                    members[i].value = new
                } else {
                    members.remove(at: i)
                }
            } else if rest.isEmpty, let new = change(nil) {
                members.append(JSONMember(key, new))
            }
            return .object(members)
        case (.index(let i), .array(var elements)) where elements.indices.contains(i):
            if let new = edit(elements[i], rest, change) { elements[i] = new } else { elements.remove(at: i) }
            return .array(elements)
        default:
            return value
        }
    }
}
