import Firewall
import RouteNL
import Testing
import ZmeshModel
import ZmeshTestSupport

/// `zmesh-public` (``PublicIngress``): its exact text, and what it lets into a namespace.
@Suite("The public namespace's ingress filter")
struct PublicIngressTests {
    @Test func text() throws {
        let table = try PublicIngress(wireGuardPorts: [51821, 51820, 51821]).table()
        #expect(
            table.definition == """
                table inet zmesh-public {
                \tchain input {
                \t\ttype filter hook input priority 0; policy drop;
                \t\tiif "lo" accept
                \t\tct state established,related accept
                \t\tct state invalid drop
                \t\tudp dport { 51820, 51821 } accept
                \t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept
                \t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept
                \t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
                \t}

                \tchain forward {
                \t\ttype filter hook forward priority 0; policy drop;
                \t}
                }

                """)
    }

    @Test func onePortAndNoPort() throws {
        let one = try PublicIngress(wireGuardPorts: [51820]).table().definition
        #expect(one.contains("\t\tudp dport 51820 accept\n"))
        let none = try PublicIngress(wireGuardPorts: []).table().definition
        #expect(!none.contains("udp"))
        #expect(none.contains("policy drop;"))
    }

    @Test func refusesPortZero() {
        #expect(throws: FirewallError.self) { try PublicIngress(wireGuardPorts: [0, 51820]).table() }
    }
}

/// `inet` (203.0.113.1, 2001:db8:7::1) ── `pub` (203.0.113.2, 2001:db8:7::2): with the table in
/// `pub`, `inet` reaches the WireGuard UDP port and nothing else; `pub`'s own connections out still
/// get their answers; IPv6 neighbour discovery still works.
@Suite("The public namespace's ingress filter by traffic", .requiresNetworkPrivileges, .serialized)
struct PublicIngressTrafficTests {
    @Test func onlyWireGuardGetsIn() throws {
        try NamespaceFixture.with { f in
            var lab = TrafficLab(f)
            for role in ["inet", "pub"] { try lab.add(role) }
            try lab.wire(
                "inet", "up", ["203.0.113.1/24", "2001:db8:7::1/64"], to: "pub", "wan", ["203.0.113.2/24", "2001:db8:7::2/64"])
            let pub = lab.name("pub")
            let inet = lab.name("inet")

            // Before the table: everything gets in (so a time-out below is the table's doing).
            var listener = try TCPProbe.listen(in: pub, address: "203.0.113.2", port: 7600)
            #expect(try TCPProbe.connect(from: inet, to: "203.0.113.2", port: 7600) == .connected)
            _ = listener.result()
            #expect(try udpEcho(server: pub, client: inet, address: "203.0.113.2", port: 7602))
            #expect(try PingProbe.echo6(from: inet, to: "2001:db8:7::2"))

            try lab.apply(try PublicIngress(tableName: try f.tableName("pub"), wireGuardPorts: [7601]).table(), in: "pub")

            #expect(try udpEcho(server: pub, client: inet, address: "203.0.113.2", port: 7601), "the WireGuard port")
            #expect(try udpEcho(server: pub, client: inet, address: "2001:db8:7::2", port: 7601), "the WireGuard port, IPv6")
            #expect(try !udpEcho(server: pub, client: inet, address: "203.0.113.2", port: 7602), "another UDP port")
            listener = try TCPProbe.listen(in: pub, address: "203.0.113.2", port: 7603)
            #expect(try TCPProbe.connect(from: inet, to: "203.0.113.2", port: 7603) == .timedOut, "TCP")
            listener.stop()
            listener = try TCPProbe.listen(in: pub, address: "203.0.113.2", port: 7601)
            #expect(try TCPProbe.connect(from: inet, to: "203.0.113.2", port: 7601) == .timedOut, "TCP on the UDP port")
            listener.stop()

            // Answers to the namespace's own traffic come back.
            let outbound = try TCPProbe.listen(in: inet, address: "203.0.113.1", port: 7604)
            #expect(try TCPProbe.connect(from: pub, to: "203.0.113.1", port: 7604) == .connected, "pub → internet")
            #expect(outbound.result()?.peer == "203.0.113.2")

            // No echo, but neighbour discovery: with the caches flushed the ping is dropped and
            // still resolves pub's address.
            for role in ["inet", "pub"] { try ShellCommand.run(["ip", "-n", lab.name(role), "neigh", "flush", "all"]) }
            #expect(try !PingProbe.echo6(from: inet, to: "2001:db8:7::2"), "ping after the table")
            #expect(
                try IPRouteOracle.neighbours(in: inet).contains { $0.dst == "2001:db8:7::2" && $0.isResolved },
                "the internet side resolved pub's address")
        }
    }

    /// A UDP server in `server` on `address:port` echoing one datagram; a client in `client` sending
    /// a datagram every 0.3 s for up to 3 s. Whether the client got its echo.
    private func udpEcho(server: String, client: String, address: String, port: Int) throws -> Bool {
        let family = address.contains(":") ? "socket.AF_INET6" : "socket.AF_INET"
        let serverScript = """
            import socket, sys
            s = socket.socket(\(family), socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.settimeout(5)
            try:
                data, peer = s.recvfrom(100)
                s.sendto(data, peer)
            except socket.timeout:
                pass
            """
        let clientScript = """
            import socket, sys
            s = socket.socket(\(family), socket.SOCK_DGRAM)
            s.settimeout(0.3)
            for _ in range(10):
                s.sendto(b"zmesh", (sys.argv[1], int(sys.argv[2])))
                try:
                    s.recvfrom(100)
                    print("echo")
                    break
                except (socket.timeout, ConnectionRefusedError):
                    pass
            else:
                print("none")
            """
        let python = NetworkTestEnvironment.python
        let output = try ShellCommand.run([
            "sh", "-c",
            "ip netns exec \"$1\" \"$3\" -c \"$4\" \"$5\" \"$6\" & ip netns exec \"$2\" \"$3\" -c \"$7\" \"$5\" \"$6\"; kill $! 2>/dev/null; wait; exit 0",
            "sh", server, client, python, serverScript, address, String(port), clientScript,
        ])
        return output.contains("echo")
    }
}
