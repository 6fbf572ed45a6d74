import ArgumentParser
import GridSupport
import Testing

@testable import ZmeshCommands

/// `zmesh demo`'s report and messages, from made-up measurements (no grid).
struct DemoReportTests {
    static func node(_ index: Int, nat: String? = nil, access: Int? = nil) -> DemoReport.Node {
        DemoReport.Node(
            index: index, id: "id\(index)aaaaaaaaaaaaaaaaaaaaaaaa",
            address: nat == nil ? "198.51.100.1\(index)" : "203.0.113.\(16 * index + 2)", nat: nat,
            publicAddress: nat == nil ? nil : "198.51.100.20\(index)", accessNode: access)
    }

    static func report(failing: Set<[Int]> = [], noIPv6: Bool = false) -> DemoReport {
        let nodes = [node(1), node(2), node(3), node(4, nat: "endpoint-independent", access: 1), node(5, nat: "symmetric", access: 2)]
        var pairs: [DemoReport.Pair] = []
        for a in 1...5 {
            for b in 1...5 where a != b {
                let fails = failing.contains([a, b])
                pairs.append(
                    DemoReport.Pair(
                        from: a, to: b, ipv4: fails ? nil : .microseconds(400 + 10 * b), ipv6: .microseconds(1500 * a),
                        hasIPv6: !noIPv6))
            }
        }
        let peers = [
            DemoReport.Peer(node: 1, peer: 2, endpoint: "198.51.100.12:4242", handshakeAgo: 3),
            DemoReport.Peer(node: 1, peer: 4, endpoint: "198.51.100.204:61000", handshakeAgo: 0),
            DemoReport.Peer(node: 2, peer: 5, endpoint: nil, handshakeAgo: nil),
            DemoReport.Peer(node: 3, peer: nil, endpoint: nil, handshakeAgo: nil),
        ]
        return DemoReport(
            backend: "userspace", network: "demo", networkID: "abcdefghijklm", nodes: nodes, pairs: pairs, peers: peers,
            applied: .milliseconds(412), convergence: .milliseconds(1_350))
    }

    @Test func nodesShowTheirRoleAndHiddenOnesTheirNATAndAccessNode() {
        let text = Self.report().text()
        #expect(text.contains("over 5 nodes: 3 public, 2 hidden; userspace WireGuard"))
        #expect(text.contains("  node1  public  198.51.100.11    id id1aaaaa\n"))
        #expect(
            text.contains(
                "  node4  hidden  203.0.113.66     id id4aaaaa  behind endpoint-independent NAT (seen as 198.51.100.204), access node node1\n"
            ))
        #expect(text.contains("behind symmetric NAT (seen as 198.51.100.205), access node node2"))
    }

    @Test func matrixHasARowAndAColumnPerNodeWithBothFamilies() {
        let lines = Self.report(failing: [[2, 3]]).text().split(separator: "\n", omittingEmptySubsequences: false)
        let header = try! #require(lines.firstIndex { $0.hasPrefix("connectivity") })
        #expect(lines[header + 1] == "         node1        node2        node3        node4        node5")
        // Row node2: to node1 0.41 ms over IPv4 and 3.00 over IPv6; node3 failed over IPv4; itself "·".
        #expect(lines[header + 3] == "  node2  0.41/3.00    ·            --/3.00      0.44/3.00    0.45/3.00")
        #expect(lines[header + 6] == "  node5  0.41/7.50    0.42/7.50    0.43/7.50    0.44/7.50    ·")
    }

    @Test func pairsWithoutIPv6ShowIPv4Only() {
        let text = Self.report(noIPv6: true).text()
        #expect(text.contains("  node1  ·            0.42         0.43"))
        #expect(text.contains("PASS"))
    }

    @Test func handshakesNameThePeerNodeTheAgeAndTheEndpoint() {
        let text = Self.report().text()
        #expect(text.contains("  node1 → node2    handshake 3 s ago    endpoint 198.51.100.12:4242\n"))
        #expect(text.contains("  node2 → node5    no handshake         no endpoint (the peer dials in)\n"))
        #expect(text.contains("  node3 → unknown key"))
    }

    @Test func convergenceAndVerdict() {
        let passing = Self.report()
        #expect(passing.passed)
        #expect(passing.text().contains("submission → every node applied:  412 ms"))
        #expect(passing.text().contains("submission → every pair pings:    1.35 s"))
        #expect(passing.text().hasSuffix("PASS: all 20 ordered pairs of workloads ping each other (IPv4 and IPv6)\n"))

        let failing = Self.report(failing: [[2, 3], [5, 1]])
        #expect(!failing.passed)
        #expect(failing.text().contains("FAIL: 2 of 20 ordered pairs do not ping:\n  node2 → node3: no reply over IPv4\n  node5 → node1: no reply over IPv4\n"))
        var unmeasured = passing
        unmeasured.pairs = []
        unmeasured.convergence = nil
        #expect(!unmeasured.passed)
        #expect(unmeasured.text().contains("every pair pings:    not reached"))
        #expect(unmeasured.text().contains("FAIL: no pair of workloads was measured"))
    }

    @Test func durationsAreReadable() {
        #expect(DemoReport.milliseconds(.microseconds(421)) == "0.42")
        #expect(DemoReport.milliseconds(.microseconds(12_345)) == "12.3")
        #expect(DemoReport.milliseconds(.milliseconds(250)) == "250")
        #expect(DemoReport.milliseconds(nil) == "--")
        #expect(DemoReport.format(.milliseconds(999)) == "999 ms")
        #expect(DemoReport.format(.milliseconds(2_005)) == "2.01 s" || DemoReport.format(.milliseconds(2_005)) == "2.00 s")
        #expect(DemoReport.format(nil) == "not reached")
    }

    @Test func missingThingsNameTheirPackagesInOneInstallCommand() {
        let text = DemoCommand.missingText([
            GridEnvironment.Missing(what: "`wireguard-go` (userspace WireGuard)", package: "wireguard-go", remedy: "apt-get install --no-install-recommends wireguard-go"),
            GridEnvironment.Missing(what: "`nsenter` (x)", package: "util-linux", remedy: "apt-get install --no-install-recommends util-linux"),
            GridEnvironment.Missing(what: "`unshare` (y)", package: "util-linux", remedy: "apt-get install --no-install-recommends util-linux"),
            GridEnvironment.Missing(what: "/dev/net/tun", package: nil, remedy: "modprobe tun"),
        ])
        #expect(text.hasPrefix("zmesh demo cannot run here:\n  - `wireguard-go` (userspace WireGuard): apt-get install"))
        #expect(text.contains("  - /dev/net/tun: modprobe tun\n"))
        #expect(text.contains("install them with:  apt-get install --no-install-recommends wireguard-go util-linux\n"))
    }

    @Test func wireGuardGoIsOnlyNeededForTheUserspaceBackend() {
        #expect(GridEnvironment.tools(backend: "userspace").contains { $0.name == "wireguard-go" })
        #expect(!GridEnvironment.tools(backend: "kernel").contains { $0.name == "wireguard-go" })
        #expect(GridEnvironment.tools(backend: "kernel").contains { $0.name == "python3" && $0.package == "python3" })
    }

    @Test func removeTakesOnlyAGridTag() throws {
        #expect(GridRemoval.isValidTag("0a9f3"))
        for bad in ["", "0A9F3", "abcdef", "ab/cd", "zt-ab", "*"] { #expect(!GridRemoval.isValidTag(bad)) }
        #expect(throws: (any Error).self) { try ZmeshCommand.parseAsRoot(["demo", "--backend", "bogus"]) }
        let command = try #require(try ZmeshCommand.parseAsRoot(["demo", "--keep", "--backend", "kernel"]) as? DemoCommand)
        #expect(command.keep && command.backend == .kernel)
    }
}
