import Firewall
import RouteNL
import Testing
import ZmeshModel
import ZmeshTestSupport

/// The rule sets judged by real TCP connections between namespaces: who the far side sees, what
/// gets through, what is silently dropped. A connection that should be blocked is also tried
/// before the rules are applied, so a "timed out" means the rules did it, not a routing mistake.
@Suite("Rule sets verified by traffic between namespaces", .requiresNetworkPrivileges, .serialized)
struct RuleSetTrafficTests {
    /// workload `wl` (10.1.1.2, fd00:1:1::2) ── bridge in NR `nr` (10.1.1.1) ── uplink 100.127.1.2 ──
    /// `far` (100.127.1.1).
    @Test func networkResourceEgressMasqueradesToItsUplinkAddress() throws {
        try NamespaceFixture.with { f in
            var lab = TrafficLab(f)
            for role in ["wl", "nr", "far"] { try lab.add(role) }
            let bridge = try lab.link("br")
            try lab.rt("nr").createBridge(bridge, up: true)
            try lab.rt("nr").addAddress(try InterfaceAddress("10.1.1.1/24"), to: bridge)
            try lab.rt("nr").addAddress(try InterfaceAddress("fd00:1:1::1/64"), to: bridge)
            try lab.wire("wl", "eth", ["10.1.1.2/24", "fd00:1:1::2/64"], to: "nr", "port", [])
            try lab.rt("nr").setMaster(try lab.link("port"), to: bridge)
            try lab.wire("nr", "up", ["100.127.1.2/24", "fd00:127:1::2/64"], to: "far", "down", ["100.127.1.1/24", "fd00:127:1::1/64"])
            try lab.route("wl", "0.0.0.0/0", via: "10.1.1.1")
            try lab.route("wl", "::/0", via: "fd00:1:1::1")
            try lab.forwarding("nr")
            // `far` can route back to the tenant range: without NAT it would see the tenant address.
            try lab.route("far", "10.1.0.0/16", via: "100.127.1.2")
            try lab.route("far", "fd00:1::/32", via: "fd00:127:1::2")

            var before = try TCPProbe.listen(in: lab.name("far"), address: "100.127.1.1", port: 7001)
            #expect(try TCPProbe.connect(from: lab.name("wl"), to: "100.127.1.1", port: 7001) == .connected)
            #expect(before.result()?.peer == "10.1.1.2")

            let egress = NetworkResourceEgress(
                tableName: try f.tableName("nr"), uplink: try lab.link("up"),
                sources: [try IPPrefix("10.1.1.0/24"), try IPPrefix("fd00:1:1::/64")])
            try lab.apply(try egress.table(), in: "nr")

            before = try TCPProbe.listen(in: lab.name("far"), address: "100.127.1.1", port: 7002)
            #expect(try TCPProbe.connect(from: lab.name("wl"), to: "100.127.1.1", port: 7002) == .connected)
            #expect(before.result()?.peer == "100.127.1.2")
            let v6 = try TCPProbe.listen(in: lab.name("far"), address: "fd00:127:1::1", port: 7003)
            #expect(try TCPProbe.connect(from: lab.name("wl"), to: "fd00:127:1::1", port: 7003) == .connected)
            #expect(v6.result()?.peer == "fd00:127:1::2")

            // Nothing unsolicited comes in from the uplink side.
            let inbound = try TCPProbe.listen(in: lab.name("wl"), address: "10.1.1.2", port: 7004)
            #expect(try TCPProbe.connect(from: lab.name("far"), to: "10.1.1.2", port: 7004) == .timedOut)
            inbound.stop()
        }
    }

    /// The node: `inet` (203.0.113.2) ── `up` (operator LAN 192.168.77.0/24: gateway .1, host .5) ──
    /// `ndmz` (pub 192.168.77.2; NR links 100.127.1.1 and 100.127.2.1) ── NRs `nra` (100.127.1.2,
    /// workload `wa` 10.1.1.2 behind a bridge) and `nrb` (100.127.2.2).
    @Test func ndmzAndPortForwarding() throws {
        try NamespaceFixture.with { f in
            var lab = TrafficLab(f)
            for role in ["inet", "up", "ndmz", "nra", "nrb", "wa"] { try lab.add(role) }
            try lab.wire("inet", "eth", ["203.0.113.2/24"], to: "up", "wan", ["203.0.113.1/24"])
            try lab.wire("up", "lan", ["192.168.77.1/24", "192.168.77.5/24"], to: "ndmz", "pub", ["192.168.77.2/24"])
            try lab.wire("ndmz", "nra", ["100.127.1.1/24"], to: "nra", "up", ["100.127.1.2/24"])
            try lab.wire("ndmz", "nrb", ["100.127.2.1/24"], to: "nrb", "up", ["100.127.2.2/24"])
            let bridge = try lab.link("br")
            try lab.rt("nra").createBridge(bridge, up: true)
            try lab.rt("nra").addAddress(try InterfaceAddress("10.1.1.1/24"), to: bridge)
            try lab.wire("wa", "eth", ["10.1.1.2/24"], to: "nra", "port", [])
            try lab.rt("nra").setMaster(try lab.link("port"), to: bridge)
            for role in ["up", "ndmz", "nra", "nrb"] { try lab.forwarding(role) }
            try lab.route("inet", "0.0.0.0/0", via: "203.0.113.1")
            try lab.route("ndmz", "0.0.0.0/0", via: "192.168.77.1")
            try lab.route("nra", "0.0.0.0/0", via: "100.127.1.1")
            try lab.route("nrb", "0.0.0.0/0", via: "100.127.2.1")
            try lab.route("wa", "0.0.0.0/0", via: "10.1.1.1")
            // Routes an attacker on the LAN would add to reach inside.
            try lab.route("up", "100.127.0.0/16", via: "192.168.77.2")
            try lab.route("up", "10.1.0.0/16", via: "192.168.77.2")
            try lab.route("ndmz", "10.1.1.0/24", via: "100.127.1.2")

            // Controls: without rules, these all get through.
            #expect(try reach(lab, from: "wa", to: ("up", "192.168.77.5"), port: 7100) != nil, "NR → host before the rules")
            #expect(try reach(lab, from: "wa", to: ("nrb", "100.127.2.2"), port: 7101) != nil, "NR → NR before the rules")
            #expect(try reach(lab, from: "up", to: ("wa", "10.1.1.2"), port: 7102) != nil, "LAN → workload before the rules")

            let resource = ("nra", "nrb")
            for (role, sources) in [(resource.0, "10.1.1.0/24"), (resource.1, "10.2.2.0/24")] {
                let egress = NetworkResourceEgress(
                    tableName: try f.tableName("nr"), uplink: try lab.link("up"), sources: [try IPPrefix(sources)])
                try lab.apply(try egress.table(), in: role)
            }
            let ndmz = NDMZPolicy(
                tableName: try f.tableName("ndmz"), publicInterface: try lab.link("pub"), resourceInterfaces: .prefix("nr"),
                defaultGateways: [try IPAddress("192.168.77.1")], protectedDestinations: [try IPPrefix("192.168.77.0/24")])
            try lab.apply(try ndmz.table(), in: "ndmz")
            try lab.apply(
                try PortForwarding(
                    tableName: try f.tableName("pf"),
                    forwards: [
                        PortForward(
                            .tcp, publicAddress: try IPAddress("192.168.77.2"), publicPort: 8080,
                            privateAddress: try IPAddress("100.127.1.2"), privatePort: 8080, inboundInterface: try lab.link("pub"))
                    ]
                ).table(), in: "ndmz")
            try lab.apply(
                try PortForwarding(
                    tableName: try f.tableName("pf"),
                    forwards: [
                        PortForward(
                            .tcp, publicAddress: try IPAddress("100.127.1.2"), publicPort: 8080,
                            privateAddress: try IPAddress("10.1.1.2"), privatePort: 80, inboundInterface: try lab.link("up"))
                    ]
                ).table(), in: "nra")

            // Masquerade outbound: the internet sees the ndmz's public address (NATed twice).
            #expect(try reach(lab, from: "wa", to: ("inet", "203.0.113.2"), port: 7200) == "192.168.77.2")
            #expect(try reach(lab, from: "nrb", to: ("inet", "203.0.113.2"), port: 7201) == "192.168.77.2")
            // The default gateway stays reachable.
            #expect(try reach(lab, from: "wa", to: ("up", "192.168.77.1"), port: 7202) == "192.168.77.2")
            // DNAT: the internet reaches the workload's port 80 through 192.168.77.2:8080, and the
            // workload sees the real client.
            let service = try TCPProbe.listen(in: lab.name("wa"), address: "10.1.1.2", port: 80)
            #expect(try TCPProbe.connect(from: lab.name("inet"), to: "192.168.77.2", port: 8080) == .connected)
            #expect(service.result()?.peer == "203.0.113.2")

            // Dropped silently (timed out, not refused):
            #expect(try reach(lab, from: "wa", to: ("up", "192.168.77.5"), port: 7300) == nil, "NR → the host's address")
            #expect(try reach(lab, from: "wa", to: ("ndmz", "192.168.77.2"), port: 7301) == nil, "NR → the ndmz itself")
            #expect(try reach(lab, from: "wa", to: ("nrb", "100.127.2.2"), port: 7302) == nil, "NR a → NR b")
            #expect(try reach(lab, from: "nrb", to: ("nra", "100.127.1.2"), port: 7303) == nil, "NR b → NR a")
            #expect(try reach(lab, from: "up", to: ("wa", "10.1.1.2"), port: 7304) == nil, "LAN → workload")
            #expect(try reach(lab, from: "inet", to: ("ndmz", "192.168.77.2"), port: 7305) == nil, "internet → ndmz")
            #expect(try reach(lab, from: "up", to: ("nra", "100.127.1.2"), port: 7306) == nil, "LAN → NR")
        }
    }

    /// IPv6 on the ndmz's public side: `up` (LAN fd00:77::1) ── `ndmz` (pub fd00:77::2; NR link
    /// fd00:127:1::1) ── NR `nra` (fd00:127:1::2). The ndmz answers no echo request from the public
    /// side nor from the NR, but neighbour discovery still works in both directions: with both neighbour caches
    /// flushed, a TCP connection from the NR out through the ndmz gets through (the ndmz must accept
    /// the LAN's advertisements and solicitations), and a ping from the LAN, though dropped, still
    /// resolves the ndmz's address (its solicitation was accepted and answered).
    @Test func ndmzGetsOnlyNeighbourDiscovery() throws {
        try NamespaceFixture.with { f in
            var lab = TrafficLab(f)
            for role in ["up", "ndmz", "nra"] { try lab.add(role) }
            try lab.wire("up", "lan", ["fd00:77::1/64"], to: "ndmz", "pub", ["fd00:77::2/64"])
            try lab.wire("ndmz", "nra", ["fd00:127:1::1/64"], to: "nra", "up", ["fd00:127:1::2/64"])
            try lab.forwarding("ndmz")
            try lab.route("nra", "::/0", via: "fd00:127:1::1")
            #expect(try PingProbe.echo6(from: lab.name("up"), to: "fd00:77::2"), "LAN → ndmz ping before the rules")

            let ndmz = NDMZPolicy(
                tableName: try f.tableName("ndmz"), publicInterface: try lab.link("pub"), resourceInterfaces: .prefix("nra"))
            try lab.apply(try ndmz.table(), in: "ndmz")

            func flushNeighbours() throws {
                for role in ["up", "ndmz"] { try ShellCommand.run(["ip", "-n", lab.name(role), "neigh", "flush", "all"]) }
            }
            func resolved(_ address: String, in role: String) throws -> Bool {
                try IPRouteOracle.neighbours(in: lab.name(role)).contains { $0.dst == address && $0.isResolved }
            }

            try flushNeighbours()
            #expect(try reach(lab, from: "nra", to: ("up", "fd00:77::1"), port: 7500) == "fd00:77::2", "NR → LAN over IPv6")
            #expect(try resolved("fd00:77::1", in: "ndmz"), "the ndmz resolved the LAN's address")

            try flushNeighbours()
            #expect(try !PingProbe.echo6(from: lab.name("up"), to: "fd00:77::2"), "LAN → ndmz ping after the rules")
            #expect(try resolved("fd00:77::2", in: "up"), "the LAN resolved the ndmz's address")
            // The NR side too gets neighbour discovery only: its echo request is dropped, yet it
            // resolves its gateway's address.
            try ShellCommand.run(["ip", "-n", lab.name("nra"), "neigh", "flush", "all"])
            #expect(try !PingProbe.echo6(from: lab.name("nra"), to: "fd00:127:1::1"), "NR → ndmz ping after the rules")
            #expect(try resolved("fd00:127:1::1", in: "nra"), "the NR resolved its gateway's address")
        }
    }

    /// client `c` (MTU 1500) ── router `r` ── its "WireGuard" link (MTU 1400 on r's side) ── server `s`
    /// (MTU 1500). Without clamping the server negotiates a 1500-byte path's MSS; with it, what fits 1400.
    @Test func mssClampingToThePathMTU() throws {
        try NamespaceFixture.with { f in
            var lab = TrafficLab(f)
            for role in ["c", "r", "s"] { try lab.add(role) }
            try lab.wire("c", "eth", ["10.30.0.2/24"], to: "r", "lan", ["10.30.0.1/24"])
            try lab.wire("r", "wg", ["10.31.0.1/24"], to: "s", "eth", ["10.31.0.2/24"], leftMTU: 1400, rightMTU: 1500)
            try lab.route("c", "0.0.0.0/0", via: "10.30.0.1")
            try lab.route("s", "0.0.0.0/0", via: "10.31.0.1")
            try lab.forwarding("r")

            let unclamped = try mss(lab, port: 7400)
            #expect(unclamped > 1360, "without clamping the client's SYN carries its own 1460 (got \(unclamped))")

            try lab.apply(try MSSClamping(tableName: try f.tableName("mss"), interfaces: [try lab.link("wg")]).table(), in: "r")
            let clamped = try mss(lab, port: 7401)
            #expect(clamped <= 1360, "clamped to 1400 − 40 (got \(clamped))")
        }
    }

    private func mss(_ lab: TrafficLab, port: Int) throws -> Int {
        let listener = try TCPProbe.listen(in: lab.name("s"), address: "10.31.0.2", port: port)
        #expect(try TCPProbe.connect(from: lab.name("c"), to: "10.31.0.2", port: port) == .connected)
        return listener.result()?.mss ?? 0
    }

    /// Listens in `target.0` on `target.1:port`, connects from `source`; returns the peer address
    /// the listener saw, or `nil` when the connection timed out (was dropped).
    private func reach(_ lab: TrafficLab, from source: String, to target: (String, String), port: Int) throws -> String? {
        let listener = try TCPProbe.listen(in: lab.name(target.0), address: target.1, port: port)
        let outcome = try TCPProbe.connect(from: lab.name(source), to: target.1, port: port)
        switch outcome {
        case .connected:
            return listener.result()?.peer
        case .timedOut:
            listener.stop()
            return nil
        case .failed(let reason):
            listener.stop()
            Issue.record("\(source) → \(target.1):\(port) was rejected (\(reason)), expected it dropped or accepted")
            return nil
        }
    }
}
