import Foundation
import SystemSupport

/// A simulated node's own network as `ip -j` and `nft` read it in its root namespace (the public
/// side, where node setup puts the `ndmz` uplink and `inet zmesh-host`), plus its named namespaces,
/// `net.ipv4.ip_forward` and its `/run/wireguard`: what a reboot resets and `--teardown` must give
/// back. Each part is a sorted list of short lines, compared as a whole.
public struct NodeHostState: Equatable, Sendable, CustomStringConvertible {
    /// `name#ifindex kind mac up|down` of every link.
    public var links: [String]
    /// `name family address/prefix` of every address.
    public var addresses: [String]
    /// `dst [via gateway] dev name` of every route of the main tables (IPv4 and IPv6).
    public var routes: [String]
    /// `nft list tables`.
    public var tables: [String]
    /// `ip netns list` inside the node.
    public var namespaces: [String]
    /// `net.ipv4.ip_forward` ("0" or "1").
    public var ipForward: String
    /// The files of the node's `/run/wireguard` (wireguard-go's UAPI sockets).
    public var wireGuardSockets: [String]

    public var description: String {
        """
        links: \(links)
        addresses: \(addresses)
        routes: \(routes)
        tables: \(tables)
        namespaces: \(namespaces)
        ip_forward: \(ipForward)
        /run/wireguard: \(wireGuardSockets)
        """
    }
}

extension SimulatedNode {
    /// Reads the node's ``NodeHostState``.
    public func hostState() throws -> NodeHostState {
        let ip = GridEnvironment.path("ip")
        struct Link: Decodable {
            struct Info: Decodable { let info_kind: String? }
            let ifname: String
            let ifindex: Int
            let address: String?
            let flags: [String]?
            let linkinfo: Info?
        }
        struct Interface: Decodable {
            struct Address: Decodable {
                let family: String
                let local: String
                let prefixlen: Int
            }
            let ifname: String
            let addr_info: [Address]
        }
        struct Route: Decodable {
            let dst: String
            let gateway: String?
            let dev: String?
        }
        let decoder = JSONDecoder()
        let links = try decoder.decode([Link].self, from: Data(try run([ip, "-j", "-d", "link", "show"]).output().utf8))
        let interfaces = try decoder.decode([Interface].self, from: Data(try run([ip, "-j", "addr", "show"]).output().utf8))
        var routes: [Route] = []
        for family in ["-4", "-6"] {
            routes += try decoder.decode(
                [Route].self, from: Data(try run([ip, family, "-j", "route", "show", "table", "main"]).output().utf8))
        }
        let tables = try run([GridEnvironment.path("nft"), "list", "tables"]).output()
        let forward = try run([GridEnvironment.path("cat"), "/proc/sys/net/ipv4/ip_forward"]).output()
        let sockets = try run([GridEnvironment.path("ls"), "-A", "/run/wireguard"]).output()
        return NodeHostState(
            links: links.map { link in
                let up = link.flags?.contains("UP") == true ? "up" : "down"
                return "\(link.ifname)#\(link.ifindex) \(link.linkinfo?.info_kind ?? "-") \(link.address ?? "-") \(up)"
            }.sorted(),
            addresses: interfaces.flatMap { interface in
                interface.addr_info.map { "\(interface.ifname) \($0.family) \($0.local)/\($0.prefixlen)" }
            }.sorted(),
            routes: routes.map { route in
                "\(route.dst)\(route.gateway.map { " via \($0)" } ?? "") dev \(route.dev ?? "-")"
            }.sorted(),
            tables: Self.lines(tables),
            namespaces: try namespaces(),
            ipForward: forward.trimmingCharacters(in: .whitespacesAndNewlines),
            wireGuardSockets: Self.lines(sockets))
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).sorted()
    }
}
