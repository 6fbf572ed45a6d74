import Firewall
import Testing
import ZmeshModel

/// The rule sets are pure functions of typed inputs: their exact text, and the inputs they refuse.
/// (What they do to traffic is in ``RuleSetTrafficTests``.)
@Suite("Rule sets as nft text")
struct RuleSetTests {
    private func name(_ text: String) throws -> InterfaceName { try InterfaceName(text) }

    @Test func networkResourceEgress() throws {
        let table = try NetworkResourceEgress(
            uplink: name("ndmz0"), sources: [try IPPrefix("10.1.3.0/24"), try IPPrefix("fd00:1:0:3::/64"), try IPPrefix("10.1.0.0/16")]
        ).table()
        #expect(
            table.definition == """
                table inet zmesh-nr {
                \tchain postrouting {
                \t\ttype nat hook postrouting priority 100; policy accept;
                \t\toifname "ndmz0" ip saddr { 10.1.0.0/16, 10.1.3.0/24 } masquerade
                \t\toifname "ndmz0" ip6 saddr fd00:1:0:3::/64 masquerade
                \t}

                \tchain forward {
                \t\ttype filter hook forward priority 0; policy accept;
                \t\tiifname "ndmz0" ct state established,related accept
                \t\tiifname "ndmz0" ct status dnat accept
                \t\tiifname "ndmz0" drop
                \t}
                }

                """)
        #expect(table.replaceScript.hasPrefix("table inet zmesh-nr {}\ndelete table inet zmesh-nr\ntable inet zmesh-nr {"))
    }

    @Test func ndmz() throws {
        let table = try NDMZPolicy(
            publicInterface: name("pub0"), resourceInterfaces: .prefix("nr-"),
            defaultGateways: [try IPAddress("192.168.1.1")],
            protectedDestinations: [try IPPrefix("192.168.1.0/24"), try IPPrefix("203.0.113.7/32"), try IPPrefix("fd12::/64")],
            acceptsDHCPReplies: true
        ).table()
        #expect(
            table.definition == """
                table inet zmesh-ndmz {
                \tchain postrouting {
                \t\ttype nat hook postrouting priority 100; policy accept;
                \t\toifname "pub0" masquerade
                \t}

                \tchain forward {
                \t\ttype filter hook forward priority 0; policy drop;
                \t\tiifname "nr-*" oifname "nr-*" drop
                \t\tct state established,related accept
                \t\tct state invalid drop
                \t\tiifname "pub0" oifname "nr-*" ct status dnat accept
                \t\tiifname "nr-*" oifname "pub0" ip daddr 192.168.1.1 accept
                \t\tiifname "nr-*" oifname "pub0" ip daddr { 192.168.1.0/24, 203.0.113.7 } drop
                \t\tiifname "nr-*" oifname "pub0" ip6 daddr fd12::/64 drop
                \t\tiifname "nr-*" oifname "pub0" accept
                \t}

                \tchain input {
                \t\ttype filter hook input priority 0; policy accept;
                \t\tiifname "lo" accept
                \t\tct state established,related accept
                \t\tct state invalid drop
                \t\tiifname "nr-*" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                \t\tiifname "nr-*" drop
                \t\tiifname "pub0" icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept
                \t\tiifname "pub0" udp sport 67 udp dport 68 accept
                \t\tiifname "pub0" drop
                \t}
                }

                """)
    }

    @Test func ndmzWithNamedResourceInterfaces() throws {
        let table = try NDMZPolicy(
            publicInterface: name("pub0"), resourceInterfaces: .names([name("nr-b"), name("nr-a")])
        ).table()
        #expect(table.definition.contains("iifname { \"nr-a\", \"nr-b\" } oifname { \"nr-a\", \"nr-b\" } drop"))
        #expect(!table.definition.contains("daddr"))
    }

    @Test func portForwarding() throws {
        let table = try PortForwarding(forwards: [
            PortForward(
                .tcp, publicAddress: try IPAddress("198.51.100.2"), publicPort: 8080, privateAddress: try IPAddress("100.127.1.2"),
                privatePort: 80, inboundInterface: name("pub0")),
            PortForward(.udp, publicPort: 5353, privateAddress: try IPAddress("fd00:1::2"), privatePort: 53),
        ]).table()
        #expect(
            table.definition == """
                table inet zmesh-pf {
                \tchain prerouting {
                \t\ttype nat hook prerouting priority -100; policy accept;
                \t\tiifname "pub0" ip daddr 198.51.100.2 tcp dport 8080 dnat ip to 100.127.1.2:80
                \t\tudp dport 5353 dnat ip6 to [fd00:1::2]:53
                \t}
                }

                """)
    }

    @Test func mssClamping() throws {
        let table = try MSSClamping(interfaces: [name("w-abc")]).table()
        #expect(
            table.definition == """
                table inet zmesh-mss {
                \tchain forward {
                \t\ttype filter hook forward priority -150; policy accept;
                \t\toifname "w-abc" tcp flags syn / syn,rst tcp option maxseg size set rt mtu
                \t}
                }

                """)
        let fixed = try MSSClamping(interfaces: [name("w-abc")], size: .fixed(1380)).table()
        #expect(fixed.definition.contains("maxseg size set 1380"))
    }

    @Test func refusedInputs() throws {
        #expect(throws: FirewallError.self) { try NetworkResourceEgress(uplink: name("n0"), sources: []).table() }
        #expect(throws: FirewallError.self) { try NetworkResourceEgress(uplink: name("a\"b"), sources: [try IPPrefix("10.0.0.0/8")]).table() }
        #expect(throws: FirewallError.self) { try NDMZPolicy(publicInterface: name("p*"), resourceInterfaces: .prefix("n-")).table() }
        #expect(throws: FirewallError.self) { try NDMZPolicy(publicInterface: name("p0"), resourceInterfaces: .prefix("")).table() }
        #expect(throws: FirewallError.self) { try NDMZPolicy(publicInterface: name("p0"), resourceInterfaces: .names([])).table() }
        #expect(throws: FirewallError.self) {
            try NDMZPolicy(publicInterface: name("p0"), resourceInterfaces: .names([name("p0")])).table()
        }
        #expect(throws: FirewallError.self) {
            try PortForwarding(forwards: [
                PortForward(.tcp, publicAddress: try IPAddress("10.0.0.1"), publicPort: 80, privateAddress: try IPAddress("fd00::1"), privatePort: 80)
            ]).table()
        }
        #expect(throws: FirewallError.self) {
            try PortForwarding(forwards: [PortForward(.tcp, publicPort: 0, privateAddress: try IPAddress("10.0.0.1"), privatePort: 80)]).table()
        }
        #expect(throws: FirewallError.self) { try MSSClamping(interfaces: []).table() }
        #expect(throws: FirewallError.self) { try MSSClamping(interfaces: [name("w0")], size: .fixed(100)).table() }
    }

    @Test func sameInputsSameText() throws {
        let make = {
            try NDMZPolicy(
                publicInterface: self.name("pub0"), resourceInterfaces: .names([self.name("b"), self.name("a")]),
                protectedDestinations: [try IPPrefix("10.0.0.0/8"), try IPPrefix("10.0.0.0/8"), try IPPrefix("172.16.0.0/12")]
            ).table()
        }
        #expect(try make() == make())
        #expect(try make().definition.contains("ip daddr { 10.0.0.0/8, 172.16.0.0/12 } drop"))
    }
}
