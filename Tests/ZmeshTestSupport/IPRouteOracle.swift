import Foundation

/// iproute2's and nft's JSON output, decoded: the independent oracle the network-primitive tests
/// check RouteNL and Firewall against (`ip -d -j -n NS link show`, `ip -j -n NS address show`,
/// `ip -j -n NS route show table all`, `ip netns exec NS nft -j list ruleset`).
public enum IPRouteOracle {
    /// One entry of `ip -d -j link show`.
    public struct LinkJSON: Decodable, Equatable {
        public let ifindex: Int
        public let ifname: String
        public let flags: [String]
        public let mtu: Int
        public let master: String?
        public let operstate: String?
        public let address: String?
        public let linkinfo: LinkInfo?

        public struct LinkInfo: Decodable, Equatable {
            public let info_kind: String?
        }

        public var kind: String? { linkinfo?.info_kind }
        public var isUp: Bool { flags.contains("UP") }
    }

    /// One entry of `ip -j address show`.
    public struct AddressesJSON: Decodable {
        public let ifindex: Int
        public let ifname: String
        public let addr_info: [AddressInfo]

        public struct AddressInfo: Decodable, Equatable {
            public let family: String
            public let local: String
            public let prefixlen: Int
            public let scope: String?
            public let nodad: Bool?
            public let tentative: Bool?
        }
    }

    /// One entry of `ip -j route show table all`.
    public struct RouteJSON: Decodable, Equatable {
        public let type: String?
        public let dst: String
        public let gateway: String?
        public let dev: String?
        public let `protocol`: String?
        public let scope: String?
        public let metric: Int?
        public let table: String?
    }

    /// One entry of `ip -j neigh show`.
    public struct NeighbourJSON: Decodable, Equatable {
        public let dst: String
        public let dev: String?
        public let lladdr: String?
        public let state: [String]?

        /// Resolved: a link-layer address known and not (yet) given up on.
        public var isResolved: Bool {
            lladdr != nil && !(state ?? []).contains { $0 == "FAILED" || $0 == "INCOMPLETE" }
        }
    }

    public static func links(in namespace: String) throws -> [LinkJSON] {
        try decode([LinkJSON].self, ShellCommand.run(["ip", "-d", "-j", "-n", namespace, "link", "show"]))
    }

    public static func link(_ name: String, in namespace: String) throws -> LinkJSON? {
        try links(in: namespace).first { $0.ifname == name }
    }

    public static func addresses(in namespace: String) throws -> [AddressesJSON] {
        try decode([AddressesJSON].self, ShellCommand.run(["ip", "-j", "-n", namespace, "address", "show"]))
    }

    /// `(ifname, "address/len")` for every address.
    public static func addressStrings(in namespace: String) throws -> [(interface: String, address: String, info: AddressesJSON.AddressInfo)] {
        try addresses(in: namespace).flatMap { entry in
            entry.addr_info.map { (entry.ifname, "\($0.local)/\($0.prefixlen)", $0) }
        }
    }

    /// Every route of every table, IPv4 and IPv6. With `details` (`ip -d`) every route carries its
    /// type and protocol; without it iproute2 leaves out `unicast` and `proto boot`.
    public static func routes(in namespace: String, details: Bool = false) throws -> [RouteJSON] {
        let options = details ? ["-d", "-j"] : ["-j"]
        return try ["-4", "-6"].flatMap { family in
            try decode(
                [RouteJSON].self,
                ShellCommand.run(["ip", family] + options + ["-n", namespace, "route", "show", "table", "all"]))
        }
    }

    /// The neighbour (ARP and NDP) cache of the namespace.
    public static func neighbours(in namespace: String) throws -> [NeighbourJSON] {
        try decode([NeighbourJSON].self, ShellCommand.run(["ip", "-j", "-n", namespace, "neigh", "show"]))
    }

    /// `nft -j list ruleset` inside the namespace, as the list under `"nftables"`.
    public static func ruleset(in namespace: String) throws -> [[String: Any]] {
        let text = try ShellCommand.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "ruleset"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let root = object as? [String: Any], let items = root["nftables"] as? [[String: Any]] else {
            throw ShellCommand.Failure(command: ["nft", "-j"], status: 0, output: text, errorOutput: "unexpected JSON")
        }
        return items
    }

    /// `(family, name)` of every table in the namespace.
    public static func tables(in namespace: String) throws -> [(family: String, name: String)] {
        try ruleset(in: namespace).compactMap { item in
            guard let table = item["table"] as? [String: Any], let family = table["family"] as? String,
                let name = table["name"] as? String
            else { return nil }
            return (family, name)
        }
    }

    /// The chains of one table: name → (type, hook, prio, policy).
    public static func chains(of table: String, in namespace: String) throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for item in try ruleset(in: namespace) {
            guard let chain = item["chain"] as? [String: Any], chain["table"] as? String == table,
                let name = chain["name"] as? String
            else { continue }
            result[name] = chain
        }
        return result
    }

    /// The rules of one chain, each as its `expr` array re-serialised to compact JSON text (for
    /// "contains" checks such as `"masquerade"` or `"dnat"`).
    public static func rules(of table: String, chain: String, in namespace: String) throws -> [String] {
        try ruleset(in: namespace).compactMap { item in
            guard let rule = item["rule"] as? [String: Any], rule["table"] as? String == table,
                rule["chain"] as? String == chain, let expr = rule["expr"]
            else { return nil }
            let data = try JSONSerialization.data(withJSONObject: expr, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
