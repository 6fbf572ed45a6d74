import Foundation
import Testing
import ZmeshCrypto
import ZmeshModel

/// `zmesh network plan` and `zmesh network access`, run as the built executable.
@Suite(.enabled(if: WGDifferentialTests.zmeshBinary != nil, "needs the zmesh executable built next to the tests"))
struct NetworkCommandTests {
    static let nodeKey = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
    static let hiddenKey = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())

    static func spec(access: String) -> String {
        """
        {"name": "office", "owner": "7plmynh7anhh76wzoanflznnyy", "ipv4_range": "10.20.0.0/16",
         "nodes": [{"id": "zyn63wgekk4n5vi7zz2zew3v7i", "public_key": "\(nodeKey)", "endpoints": ["203.0.113.10"]},
                   {"id": "cgouul3qkjtav24avljmxaeefa", "public_key": "\(hiddenKey)"}],
         "accesses": [\(access)]}
        """
    }

    /// Runs `zmesh ARGS` in a fresh directory holding `files`.
    static func zmesh(_ arguments: [String], files: [String: String]) throws -> CommandResult {
        let directory = NSTemporaryDirectory() + "zmesh-network-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        let binary = try #require(WGDifferentialTests.zmeshBinary)
        return try runCommand(
            [binary] + arguments.map { $0.hasPrefix("@") ? directory + "/" + $0.dropFirst() : $0 }, in: directory)
    }

    @Test func planPrintsTextAndJSONThatReadsBackAsThePreviousPlan() throws {
        let laptop = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
        let spec = Self.spec(access: #"{"name": "laptop", "public_key": "\#(laptop)"}"#)
        let text = try Self.zmesh(["network", "plan", "@spec.json"], files: ["spec.json": spec])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("node cgouul3qkjtav24avljmxaeefa  hidden via zyn63wgekk4n5vi7zz2zew3v7i"))
        let json = try Self.zmesh(["network", "plan", "@spec.json", "--json"], files: ["spec.json": spec])
        #expect(json.status == 0)
        let again = try Self.zmesh(
            ["network", "plan", "@spec.json", "--json", "--previous", "@plan.json"],
            files: ["spec.json": spec, "plan.json": json.standardOutput])
        #expect(again.status == 0 && again.standardOutput == json.standardOutput)
    }

    @Test func planRefusesAnAccessWithoutAKeyAndABadSpec() throws {
        let keyless = try Self.zmesh(
            ["network", "plan", "@spec.json"], files: ["spec.json": Self.spec(access: #"{"name": "laptop"}"#)])
        #expect(keyless.status != 0)
        #expect(keyless.standardError.contains("access 'laptop' has no public_key"))
        let bad = try Self.zmesh(
            ["network", "plan", "@spec.json"], files: ["spec.json": #"{"name": "office", "nodes": []}"#])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("error: owner: missing"))
        #expect(bad.standardError.contains("error: ipv4_range: missing"))
    }

    @Test func accessMakesAKeyPairWhenTheSpecHasNone() throws {
        let result = try Self.zmesh(
            ["network", "access", "@spec.json", "laptop"],
            files: ["spec.json": Self.spec(access: #"{"name": "laptop"}"#)])
        #expect(result.status == 0, "\(result.standardError)")
        let line = try #require(result.standardOutput.split(separator: "\n").first { $0.hasPrefix("PrivateKey = ") })
        let privateKey = try PrivateKey(line.dropFirst("PrivateKey = ".count))
        #expect(result.standardError.contains("\"public_key\": \"\(WireGuardKeys.publicKey(for: privateKey))\""))
        #expect(result.standardOutput.contains("PublicKey = \(Self.nodeKey)\n"))
        #expect(result.standardOutput.contains("Endpoint = 203.0.113.10:"))
    }

    @Test func accessChecksTheGivenPrivateKeyAndDrawsAQRCode() throws {
        let key = WireGuardKeys.generatePrivateKey()
        let spec = Self.spec(access: #"{"name": "laptop", "public_key": "\#(WireGuardKeys.publicKey(for: key))"}"#)
        let files = [
            "spec.json": spec, "laptop.key": key.revealedBase64 + "\n",
            "other.key": WireGuardKeys.generatePrivateKey().revealedBase64,
        ]
        let good = try Self.zmesh(
            ["network", "access", "@spec.json", "laptop", "--private-key", "@laptop.key"], files: files)
        #expect(good.status == 0 && good.standardOutput.contains("PrivateKey = \(key.revealedBase64)\n"))
        let wrong = try Self.zmesh(
            ["network", "access", "@spec.json", "laptop", "--private-key", "@other.key"], files: files)
        #expect(wrong.status != 0 && wrong.standardError.contains("is not the private key of access 'laptop'"))
        let qr = try Self.zmesh(
            ["network", "access", "@spec.json", "laptop", "--private-key", "@laptop.key", "--qr"], files: files)
        #expect(qr.status == 0 && qr.standardOutput.contains("\u{1B}[30;107m") && qr.standardOutput.contains("█"))
        let missing = try Self.zmesh(["network", "access", "@spec.json", "phone"], files: files)
        #expect(missing.status != 0 && missing.standardError.contains("has no access named 'phone' (it has laptop)"))
    }
}
