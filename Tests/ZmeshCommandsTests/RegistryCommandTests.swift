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

    @Test func databaseIsRequired() {
        #expect(throws: (any Error).self) { _ = try ZmeshCommand.parseAsRoot(["registry"]) }
    }
}
