import Foundation
import SystemSupport
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// How a simulated NAT router maps a hidden node's outgoing flows.
public enum NATKind: String, Sendable, CustomStringConvertible {
    /// `masquerade`: the source port is kept when it is free, so one node socket keeps one WAN
    /// address:port for every destination (endpoint-independent mapping; inbound still only for
    /// flows the node started).
    case endpointIndependent
    /// `masquerade random,fully-random`: every new flow (a new destination) gets a random WAN port
    /// (endpoint-dependent, "symmetric" NAT, as Firezone's test routers do).
    case symmetric

    public var description: String { self == .symmetric ? "symmetric NAT" : "endpoint-independent NAT" }
}

/// A NAT router in front of one hidden node: a network namespace `zt-<tag>-rtr<i>` with
///
/// - `wan`: a veth whose other end `r<i>-<tag>` is a port of the internet bridge (the grid's LAN
///   namespace plays the internet), address `198.51.100.(200 + i)/24` (public nodes are
///   `198.51.100.(10 + i)`, the registry `.1`);
/// - `lan`: a veth to the hidden node's `eth0`, on a private /28 of a documentation range
///   (``privateSubnet(forNode:)``): the router is host 1, the node host 2; IPv6 only on that link
///   (`2001:db8:203:<i>::1/64`, not forwarded: hidden nodes dial out over IPv4 only);
/// - IPv4 forwarding on, and the nftables table `inet zt-nat`: masquerade out of `wan` (randomised
///   ports for ``NATKind/symmetric``); `forward` policy drop but replies (established/related) and
///   `lan` → `wan`; `input` policy drop but `lo` and replies. Nothing unsolicited gets in: the named
///   counters `input_drops` and `forward_drops` count what was refused, and the dynamic set
///   `wan_destinations` records every IPv4 address the router forwarded a packet to out of `wan`.
public final class NATRouter: @unchecked Sendable, CustomStringConvertible {
    public let kind: NATKind
    /// The router's network namespace (in the host's `/run/netns`).
    public let namespace: String
    /// Its address on the internet bridge (what the hidden node's traffic comes from).
    public private(set) var wanIPv4: String
    /// Its address on the hidden node's link (the node's default gateway).
    public let lanIPv4: String
    public let lanIPv6: String
    /// The hidden node's link: prefix (e.g. `203.0.113.16/28`).
    public let lanSubnet: String
    /// The WAN veth's end on the internet bridge.
    public let bridgePort: String
    /// The table name in the router's namespace.
    public static let table = "zt-nat"

    let grid: Grid

    public var description: String { "\(namespace) (\(kind), WAN \(wanIPv4), LAN \(lanSubnet))" }

    /// The private /28 of the hidden node `index` (1…32): `203.0.113.<16·index>/28` for 1…15,
    /// then `192.0.2.<16·(index − 16)>/28` for 16…31: (network, router, node) addresses and the prefix.
    static func privateSubnet(forNode index: Int) throws(GridError) -> (network: String, router: String, node: String) {
        guard (1...31).contains(index) else {
            throw GridError("give a private subnet to", "hidden node \(index)", "only nodes 1…31 can be hidden")
        }
        let (base, slot) = index < 16 ? ("203.0.113", index) : ("192.0.2", index - 16)
        return ("\(base).\(16 * slot)", "\(base).\(16 * slot + 1)", "\(base).\(16 * slot + 2)")
    }

    /// Makes the router of hidden node `index` (its namespace, WAN port, forwarding and table); the
    /// node's end of the `lan` veth is made by ``attach(nodeNamespace:)``. Removal is registered with
    /// the grid's fixture before anything is made.
    init(grid: Grid, nodeIndex index: Int, kind: NATKind) throws(GridError) {
        guard index <= 54 else { throw GridError("make the NAT router of", "node \(index)", "WAN addresses stop at .254") }
        self.grid = grid
        self.kind = kind
        namespace = "zt-\(grid.tag)-rtr\(index)"
        wanIPv4 = "198.51.100.\(200 + index)"
        let subnet = try Self.privateSubnet(forNode: index)
        lanIPv4 = subnet.router
        lanSubnet = "\(subnet.network)/28"
        lanIPv6 = "2001:db8:203:\(index)::1"
        bridgePort = "r\(index)-\(grid.tag)"

        try grid.addNamespace(namespace)
        try grid.plugIntoInternet(port: bridgePort, namespace: namespace, inside: "wan", addresses: ["\(wanIPv4)/24"])
        try run([GridEnvironment.path("sh"), "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]).output()
        try run([GridEnvironment.path("nft"), "-f", "-"], standardInput: ruleset()).output()
    }

    /// The router's nftables ruleset (`nft -f` text).
    func ruleset() -> String {
        let masquerade = kind == .symmetric ? "masquerade random,fully-random" : "masquerade"
        return """
            table inet \(Self.table) {
                counter input_drops {}
                counter forward_drops {}
                set wan_destinations { type ipv4_addr; flags dynamic; }
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "wan" meta nfproto ipv4 \(masquerade)
                }
                chain forward {
                    type filter hook forward priority filter; policy drop;
                    oifname "wan" meta nfproto ipv4 add @wan_destinations { ip daddr }
                    ct state established,related accept
                    iifname "lan" oifname "wan" meta nfproto ipv4 accept
                    counter name forward_drops drop
                }
                chain input {
                    type filter hook input priority filter; policy drop;
                    iifname "lo" accept
                    ct state established,related accept
                    counter name input_drops drop
                }
            }

            """
    }

    /// The `lan` veth: the router's end `lan` and the node's end `eth0` in `nodeNamespace`, addressed.
    func attach(nodeNamespace: String, nodeIPv4: String, nodeIPv6: String) throws(GridError) {
        let ip = GridEnvironment.path("ip")
        for step in [
            [ip, "-n", namespace, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", nodeNamespace],
            [ip, "-n", namespace, "addr", "add", "\(lanIPv4)/28", "dev", "lan"],
            [ip, "-n", namespace, "addr", "add", "\(lanIPv6)/64", "dev", "lan", "nodad"],
            [ip, "-n", namespace, "link", "set", "lan", "up"],
            [ip, "-n", nodeNamespace, "link", "set", "lo", "up"],
            [ip, "-n", nodeNamespace, "addr", "add", "\(nodeIPv4)/28", "dev", "eth0"],
            [ip, "-n", nodeNamespace, "addr", "add", "\(nodeIPv6)/64", "dev", "eth0", "nodad"],
            [ip, "-n", nodeNamespace, "link", "set", "eth0", "up"],
            [ip, "-n", nodeNamespace, "route", "add", "default", "via", lanIPv4],
        ] {
            try grid.command.run(step).output()
        }
    }

    /// Runs `argv` in the router's namespace.
    public func run(_ argv: [String], standardInput: String? = nil, timeout: Duration = .seconds(60)) throws(GridError)
        -> CommandResult
    {
        let enter = [GridEnvironment.path("nsenter"), "--net=/run/netns/\(namespace)", "--"]
        guard let standardInput else { return try grid.command.run(enter + argv, timeout: timeout) }
        // Through a file: GridCommand gives the child no standard input.
        let path = "\(grid.directory)/\(namespace)-stdin-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileIO.writeFile(standardInput, to: path) } catch { throw GridError("write", path, error.description) }
        defer { unlink(path) }
        let shell = [GridEnvironment.path("sh"), "-c", #"f=$1; shift; exec "$@" <"$f""#, "sh", path]
        return try grid.command.run(enter + shell + argv, timeout: timeout)
    }

    /// Gives the router a new WAN address (`198.51.100.x`, not in use), as an ISP's NAT rebinding
    /// would: the kernel forgets the masqueraded flows of the old one, so the hidden node's next packets
    /// leave from the new address (and, for a symmetric router, new random ports).
    public func changeWANAddress(to address: String) throws(GridError) {
        let ip = GridEnvironment.path("ip")
        // The old one goes first: deleting a primary address takes its secondaries with it.
        try run([ip, "addr", "delete", "\(wanIPv4)/24", "dev", "wan"]).output()
        try run([ip, "addr", "add", "\(address)/24", "dev", "wan"]).output()
        wanIPv4 = address
    }

    /// The packets a named counter (`input_drops`, `forward_drops`) has counted.
    public func counter(_ name: String) throws -> Int {
        let text = try run([GridEnvironment.path("nft"), "list", "counter", "inet", Self.table, name]).output()
        // "… counter forward_drops { packets 3 bytes 180 } …"
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard let index = words.firstIndex(of: "packets"), index + 1 < words.count, let packets = Int(words[index + 1])
        else { throw GridError("read counter \(name) of", namespace, text) }
        return packets
    }

    /// Every IPv4 address the router has forwarded a packet to out of its WAN side (sorted).
    public func wanDestinations() throws -> [String] {
        let text = try run([GridEnvironment.path("nft"), "-j", "list", "set", "inet", Self.table, "wan_destinations"])
            .output()
        struct Listing: Decodable {
            struct Item: Decodable {
                struct SetBody: Decodable { let elem: [Element]? }
                let set: SetBody?
            }
            let nftables: [Item]
        }
        // Elements are strings, or {"elem": {"val": "…", …}} when they carry a timeout or counter.
        enum Element: Decodable {
            case address(String)
            case other
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .address(text)
                } else {
                    struct Wrapped: Decodable {
                        struct Inner: Decodable { let val: String }
                        let elem: Inner
                    }
                    self = (try? container.decode(Wrapped.self)).map { .address($0.elem.val) } ?? .other
                }
            }
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(text.utf8))
        return listing.nftables.compactMap(\.set).flatMap { $0.elem ?? [] }.compactMap {
            if case .address(let text) = $0 { return text } else { return nil }
        }.sorted()
    }

    /// `nft list table inet zt-nat` (for failure messages).
    public func listing() -> String {
        (try? run([GridEnvironment.path("nft"), "list", "table", "inet", Self.table]).output()) ?? "(unreadable)"
    }
}
