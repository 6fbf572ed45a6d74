import ArgumentParser
import NodeAgent
import NodeState
import Testing
@testable import ZmeshCommands
import ZmeshModel

/// `zmesh node`'s public configuration options: what they make, and refusals naming the value.
@Suite("zmesh node --public-interface and friends")
struct NodeRunPublicOptionsTests {
    static let base = ["--registry", "http://127.0.0.1:1", "--identity", "/nonexistent/id", "--farm", "1"]

    @Test func theOptionsMakeAPublicConfig() throws {
        let run = try NodeRun.parse(
            Self.base + [
                "--public-interface", "eth1", "--public-address", "203.0.113.10/24", "--public-gateway", "203.0.113.1",
                "--public-address6", "2001:db8:1::10/64", "--public-gateway6", "fe80::1",
            ])
        let config = try #require(try run.publicConfig())
        #expect(config.parent == (try InterfaceName("eth1")))
        #expect(config.ipv4 == (try AssignedAddress("203.0.113.10/24")))
        #expect(config.gateway6 == (try IPAddress("fe80::1")))
        // The daemon registers the configuration's addresses unless --public-ip says otherwise.
        #expect(config.publicAddresses.map(\.description) == ["203.0.113.10", "2001:db8:1::10"])
        #expect(try NodeRun.parse(Self.base).publicConfig() == nil)
    }

    static let refused: [([String], [String])] = [
        (["--public-address", "203.0.113.10/24"], ["--public-interface"]),
        (["--public-interface", "eth1", "--public-gateway", "203.0.113.1"], ["eth1", "--public-address"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10/24"], ["eth1", "--public-gateway"]),
        (["--public-interface", "a-name-far-too-long", "--public-address", "203.0.113.10/24", "--public-gateway", "203.0.113.1"],
         ["a-name-far-too-long"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10", "--public-gateway", "203.0.113.1"],
         ["--public-address", "203.0.113.10"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10/24", "--public-gateway", "nope"],
         ["--public-gateway", "nope"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10/24", "--public-gateway", "198.51.100.1"],
         ["--public-gateway", "198.51.100.1", "subnet"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10/24", "--public-gateway", "203.0.113.1",
          "--public-address6", "2001:db8::5/64"], ["--public-address6", "2001:db8::5/64", "gateway"]),
        (["--public-interface", "eth1", "--public-address", "203.0.113.10/24", "--public-gateway", "203.0.113.1",
          "--public-address6", "2001:db8::5/64", "--public-gateway6", "2001:db9::1"], ["--public-gateway6", "2001:db9::1"]),
    ]

    @Test(arguments: refused)
    func refusalsNameTheValue(_ sample: ([String], [String])) {
        let (arguments, named) = sample
        let error = #expect(throws: (any Error).self) {
            let run = try NodeRun.parse(Self.base + arguments)
            try run.validate()
        }
        let message = error.map { NodeRun.message(for: $0) } ?? ""
        for part in named { #expect(message.contains(part), "\(message) should name \(part)") }
    }
}
