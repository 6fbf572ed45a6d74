import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// Spec files and plan documents: strict reading with paths, round trips, byte-identical output.
@Suite struct DocumentTests {
    static let spec = Fixtures.spec(
        ipv6Range: "fd12:3456:789a::/48",
        nodes: [
            Fixtures.publicNode(1, ipv4: "203.0.113.10", ipv6: "2001:db8::10", usedPorts: [51820, 51821]),
            Fixtures.publicNode(2, ipv6: "2001:db8::20", outbound: [.ipv4, .ipv6]), Fixtures.hiddenNode(3),
            Fixtures.hiddenNode(4, outbound: [.ipv6]),
        ],
        accesses: [
            Fixtures.access("alice-laptop", 1), Fixtures.access("bob-phone", 2, family: .ipv6, via: Fixtures.id(2)),
        ])

    @Test func specRoundTrips() throws {
        let file = try NetworkSpecFile(json: Array(Self.spec.json.utf8))
        #expect(file.spec == Self.spec)
        #expect(file.accessesWithoutKey == [])
    }

    @Test func specProblemsNameTheirPaths() {
        let text = """
            {"name": "Office", "owner": "x", "ipv4_range": "10.20.0.0/16", "colour": 1,
             "nodes": [{"id": "\(Fixtures.id(1))", "public_key": "AAAA", "endpoints": ["198.51.100.1", "198.51.100.2"],
                        "used_ports": [0]}, {"public_key": 3, "outbound": ["ipv5"]}],
             "accesses": [{"name": "Bad Name", "family": "ipv6"}]}
            """
        #expect(throws: DocumentError.self) { try NetworkSpecFile(json: Array(text.utf8)) }
        do {
            _ = try NetworkSpecFile(json: Array(text.utf8))
        } catch {
            #expect(
                error.problems == [
                    "colour: unknown member (expected name, owner, ipv4_range, nodes, ipv6_range, accesses)",
                    "name: invalid network name 'Office': use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit",
                    "owner: invalid identity id 'x': expected 26 characters of lowercase base32",
                    "nodes[0].public_key: not a WireGuard public key: expected 44 characters of base64 encoding 32 bytes, not all zero",
                    "nodes[0].endpoints[1]: a second IPv4 endpoint (give at most one per family)",
                    "nodes[0].used_ports[0]: 0 is outside 1–65535",
                    "nodes[1].id: missing",
                    "nodes[1].public_key: expected a string, found a number",
                    "nodes[1].outbound[0]: expected \"ipv4\" or \"ipv6\", found \"ipv5\"",
                    "accesses[0].name: use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit",
                ])
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        for (text, message) in [
            ("{\"name\": 1,\n \"name\": 2}", #"invalid JSON: line 2, column 2: duplicate member name "name""#),
            ("{\"a\": [1, 2,]}", "invalid JSON: line 1, column 13: expected a value, found ']'"),
            ("{\"a\": 01}", "invalid JSON: line 1, column 7: numbers may not have leading zeros"),
            ("[] x", "invalid JSON: line 1, column 4: unexpected text after the document"),
        ] {
            #expect(throws: DocumentError([message])) { try NetworkSpecFile(json: Array(text.utf8)) }
        }
    }

    @Test func accessesWithoutKeysAreListed() throws {
        var spec = Self.spec
        spec.accesses[1].publicKey = .zero
        let file = try NetworkSpecFile(json: Array(spec.json.utf8))
        #expect(file.accessesWithoutKey == ["bob-phone"])
        #expect(throws: PlanError.zeroPublicKey("access 'bob-phone'")) { try NetworkPlanner.plan(file.spec) }
    }

    @Test func planJSONReadsBackAsThePreviousPlan() throws {
        let plan = try NetworkPlanner.plan(Self.spec)
        let previous = try PreviousPlan(json: Array(plan.json.utf8))
        #expect(previous == PreviousPlan(plan))
        let again = try NetworkPlanner.plan(Self.spec, previous: previous)
        #expect(again.json == plan.json)
    }

    @Test func planJSONIsByteIdenticalWhateverTheInputOrder() throws {
        var shuffled = Self.spec
        var rng = SplitMix64(seed: 5)
        for _ in 0..<10 {
            shuffled.nodes.shuffle(using: &rng)
            shuffled.accesses.shuffle(using: &rng)
            #expect(try NetworkPlanner.plan(shuffled).json == NetworkPlanner.plan(Self.spec).json)
        }
    }

    @Test func previousPlanProblemsNameTheirPaths() {
        let text = #"{"network": {"id": "UPPER"}, "nodes": [{"id": "\#(Fixtures.id(1))", "subnet": "10.0.0.0/24"}]}"#
        #expect(
            throws: DocumentError([
                "network.id: invalid network id 'UPPER': expected 13 characters of a–z and 2–7",
                "nodes[0].ipv6_subnet: missing", "nodes[0].listen_port: missing",
            ])
        ) { try PreviousPlan(json: Array(text.utf8)) }
    }
}
