/// What `zmesh demo` found on its grid, and the text it prints. Pure: built from measurements, so
/// the layout is tested without a grid.
struct DemoReport: Sendable, Equatable {
    struct Node: Sendable, Equatable {
        let index: Int
        /// The node's identity (printed shortened).
        let id: String
        /// Its own address on its link: the grid's LAN for a public node, its NAT router's inside for a hidden one.
        let address: String
        /// `nil`: public. Otherwise the kind of NAT it hides behind ("endpoint-independent", "symmetric").
        let nat: String?
        /// The address the internet sees for a hidden node (its NAT router's outside address).
        let publicAddress: String?
        /// The index of the node the planner made its access node (hidden nodes only).
        let accessNode: Int?

        var name: String { "node\(index)" }
        var isHidden: Bool { nat != nil }
    }

    /// One ordered pair of workloads: the round trip of one echo request, `nil` when no reply came.
    struct Pair: Sendable, Equatable {
        let from: Int
        let to: Int
        let ipv4: Duration?
        let ipv6: Duration?
        /// The pair has an IPv6 address on both ends (otherwise IPv6 is not counted).
        let hasIPv6: Bool

        var pings: Bool { ipv4 != nil && (!hasIPv6 || ipv6 != nil) }
    }

    /// One WireGuard peer of one node, as `wg show` reads it.
    struct Peer: Sendable, Equatable {
        let node: Int
        /// The node that peer is (`nil`: a key the demo does not know).
        let peer: Int?
        let endpoint: String?
        /// Seconds since the latest handshake; `nil`: never.
        let handshakeAgo: Int?
    }

    var backend: String
    var network: String
    var networkID: String
    var nodes: [Node]
    var pairs: [Pair]
    var peers: [Peer]
    /// Submission → every node reported the version applied.
    var applied: Duration?
    /// Submission → every ordered pair of workloads had a ping reply (IPv4 and IPv6).
    var convergence: Duration?

    var failedPairs: [Pair] { pairs.filter { !$0.pings } }
    var passed: Bool { !pairs.isEmpty && failedPairs.isEmpty }

    func text() -> String {
        var lines: [String] = []
        let publicCount = nodes.filter { !$0.isHidden }.count
        lines.append(
            "network \(network) (\(networkID)) over \(nodes.count) nodes: \(publicCount) public, "
                + "\(nodes.count - publicCount) hidden; \(backend) WireGuard")
        lines.append("")
        lines.append("nodes")
        for node in nodes {
            var line = "  \(pad(node.name, 6)) \(pad(node.isHidden ? "hidden" : "public", 7)) \(pad(node.address, 16)) id \(node.id.prefix(8))"
            if let nat = node.nat {
                line += "  behind \(nat) NAT"
                if let outside = node.publicAddress { line += " (seen as \(outside))" }
                line += ", access node \(node.accessNode.map { "node\($0)" } ?? "unknown")"
            }
            lines.append(line)
        }
        lines.append("")
        lines.append(contentsOf: matrix())
        lines.append("")
        lines.append("handshakes (each node's WireGuard peers, read with wg show)")
        for peer in peers {
            let name = peer.peer.map { "node\($0)" } ?? "unknown key"
            let handshake = peer.handshakeAgo.map { "handshake \($0) s ago" } ?? "no handshake"
            lines.append(
                "  \(pad("node\(peer.node) → \(name)", 16)) \(pad(handshake, 20)) "
                    + (peer.endpoint.map { "endpoint \($0)" } ?? "no endpoint (the peer dials in)"))
        }
        lines.append("")
        lines.append("convergence")
        lines.append("  submission → every node applied:  \(Self.format(applied))")
        lines.append("  submission → every pair pings:    \(Self.format(convergence))")
        lines.append("")
        let failed = failedPairs
        if passed {
            lines.append("PASS: all \(pairs.count) ordered pairs of workloads ping each other (IPv4 and IPv6)")
        } else if pairs.isEmpty {
            lines.append("FAIL: no pair of workloads was measured")
        } else {
            lines.append("FAIL: \(failed.count) of \(pairs.count) ordered pairs do not ping:")
            for pair in failed {
                var families: [String] = []
                if pair.ipv4 == nil { families.append("IPv4") }
                if pair.hasIPv6, pair.ipv6 == nil { families.append("IPv6") }
                lines.append("  node\(pair.from) → node\(pair.to): no reply over \(families.joined(separator: " and "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows: from; columns: to; each cell `IPv4/IPv6` round trip in ms, `--` for no reply.
    private func matrix() -> [String] {
        let indexes = nodes.map(\.index)
        let width = 13
        var lines = ["connectivity (ping round trip in ms, IPv4/IPv6; rows ping columns; -- no reply)"]
        lines.append(("  " + pad("", 7) + indexes.map { pad("node\($0)", width) }.joined()).trailingSpacesRemoved)
        for from in indexes {
            var row = "  " + pad("node\(from)", 7)
            for to in indexes {
                guard from != to else {
                    row += pad("·", width)
                    continue
                }
                guard let pair = pairs.first(where: { $0.from == from && $0.to == to }) else {
                    row += pad("?", width)
                    continue
                }
                let v4 = Self.milliseconds(pair.ipv4)
                let cell = pair.hasIPv6 ? "\(v4)/\(Self.milliseconds(pair.ipv6))" : v4
                row += pad(cell, width)
            }
            lines.append(row.trailingSpacesRemoved)
        }
        return lines
    }

    /// "0.42" (ms, two decimals below 10 ms, one below 100, none above), "--" for `nil`.
    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "--" }
        let ms = duration.demoMilliseconds
        if ms < 10 { return String(format2: ms, decimals: 2) }
        if ms < 100 { return String(format2: ms, decimals: 1) }
        return String(Int(ms.rounded()))
    }

    /// "412 ms", "1.35 s", "not reached".
    static func format(_ duration: Duration?) -> String {
        guard let duration else { return "not reached" }
        let ms = duration.demoMilliseconds
        return ms < 1000 ? "\(Int(ms.rounded())) ms" : "\(String(format2: ms / 1000, decimals: 2)) s"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

extension Duration {
    fileprivate var demoMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

extension String {
    /// `value` with exactly `decimals` decimals (no Foundation formatting).
    fileprivate init(format2 value: Double, decimals: Int) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        self = decimals == 0
            ? String(whole) : "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    fileprivate var trailingSpacesRemoved: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
