import ArgumentParser
import Testing

@testable import ZmeshCommands

/// `zmesh registry` parses its listen address and options at the edge.
struct RegistryCommandTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("[::1]:0", "::1", 0), ("localhost:65535", "localhost", 65535),
    ])
    func listenAddressParses(text: String, host: String, port: Int) throws {
        let command = try #require(
            try ZmeshCommand.parseAsRoot(["registry", "--listen", text, "--db", "/tmp/r.sqlite"]) as? RegistryCommand)
        let (parsedHost, parsedPort) = try RegistryCommand.hostAndPort(command.listen)
        #expect(parsedHost == host)
        #expect(parsedPort == port)
    }

    @Test(arguments: ["8080", ":8080", "host:", "host:70000", "[::1]"])
    func badListenAddressIsRefused(text: String) {
        #expect(throws: (any Error).self) {
            _ = try ZmeshCommand.parseAsRoot(["registry", "--listen", text, "--db", "/tmp/r.sqlite"])
        }
    }

    @Test func limitsAndTLSOptionsParse() throws {
        let command = try #require(
            try ZmeshCommand.parseAsRoot([
                "registry", "--db", "/tmp/r.sqlite", "--rate-limit", "2.5", "--rate-burst", "10",
                "--max-polls-per-node", "3", "--tls-cert", "/etc/hostname", "--tls-key", "/etc/hostname",
            ]) as? RegistryCommand)
        #expect(command.rateLimit == 2.5)
        #expect(command.rateBurst == 10)
        #expect(command.maxPollsPerNode == 3)
        #expect(command.tlsCert == "/etc/hostname")
        let defaults = try #require(try ZmeshCommand.parseAsRoot(["registry", "--db", "/tmp/r.sqlite"]) as? RegistryCommand)
        #expect(defaults.rateLimit == 5)
        #expect(defaults.rateBurst == 100)
        #expect(defaults.maxPollsPerNode == 2)
        #expect(defaults.tlsCert == nil)
    }

    @Test(arguments: [
        ["--rate-limit", "0"], ["--rate-burst", "0"], ["--max-polls-per-node", "0"], ["--tls-cert", "/etc/hostname"],
        ["--tls-key", "/etc/hostname"], ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/etc/hostname"],
    ])
    func badLimitsAndTLSOptionsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) {
            _ = try ZmeshCommand.parseAsRoot(["registry", "--db", "/tmp/r.sqlite"] + arguments)
        }
    }

    @Test func databaseIsRequired() {
        #expect(throws: (any Error).self) { _ = try ZmeshCommand.parseAsRoot(["registry"]) }
    }
}
