import Foundation
import Testing
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// The deployer's commands against a real `zmesh registry` process on 127.0.0.1: identities, a farm,
/// public and hidden nodes, `network create|update|status|delete` from a YAML spec, and a co-owned
/// network that waits for `deployment approve`.
@Suite(
    .enabled(if: WGDifferentialTests.zmeshBinary != nil, "needs the zmesh executable built next to the tests"),
    .serialized)
struct DeployerCommandTests {
    /// A `zmesh registry` process on a free port over a database in `directory`.
    final class RegistryProcess {
        let process = Process()
        let url: String

        init(directory: String, binary: String) throws {
            let log = "\(directory)/registry.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["registry", "--listen", "127.0.0.1:0", "--db", "\(directory)/registry.sqlite"]
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var port: String?
            for _ in 0..<300 where port == nil {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"port=\d+"#, options: .regularExpression) {
                    port = String(text[range].dropFirst(5))
                } else {
                    usleep(50_000)
                }
            }
            guard let port else {
                process.terminate()
                process.waitUntilExit()
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the registry did not start"])
            }
            url = "http://127.0.0.1:\(port)"
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// A scratch directory with a running registry; `zmesh` runs in it with `@name` meaning a file there.
    struct Lab {
        let directory: String
        let registry: RegistryProcess
        let binary: String

        func zmesh(_ arguments: [String]) throws -> CommandResult {
            try runCommand(
                [binary] + arguments.map { $0.hasPrefix("@") ? directory + "/" + $0.dropFirst() : $0 }, in: directory)
        }

        /// Runs a command that must succeed; returns its standard output.
        @discardableResult
        func ok(_ arguments: [String]) throws -> String {
            let result = try zmesh(arguments)
            #expect(result.status == 0, "zmesh \(arguments.joined(separator: " ")): \(result.standardError)")
            return result.standardOutput
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }

        func id(_ name: String) throws -> String {
            let text = try ok(["identity", "show", "@\(name).id"])
            return String(try #require(text.split(separator: "\n").first?.split(separator: " ").last))
        }
    }

    static func withLab(_ body: (Lab) throws -> Void) throws {
        let binary = try #require(WGDifferentialTests.zmeshBinary)
        let directory = NSTemporaryDirectory() + "zmesh-deployer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try RegistryProcess(directory: directory, binary: binary)
        defer { registry.stop() }
        try body(Lab(directory: directory, registry: registry, binary: binary))
    }

    @Test func deployUpdateCoOwnAndDeleteANetworkThroughTheRegistry() throws {
        try Self.withLab { lab in
            let url = lab.registry.url
            for name in ["alice", "bob", "n1", "n2", "n3", "n4"] { try lab.ok(["identity", "new", "@\(name).id"]) }
            for twin in ["alice", "bob"] {
                #expect(try lab.ok(["identity", "register", "--identity", "@\(twin).id", "--registry", url]).contains("registered"))
            }
            let farm = try lab.ok(["node", "farm-create", "main", "--identity", "@alice.id", "--registry", url])
            let farmID = try #require(farm.split(separator: " ").dropFirst().first.map(String.init))
            let nodes: [(String, [String])] = [
                ("n1", ["--public-ip", "203.0.113.10", "--public-ip", "2001:db8::10", "--used-port", "51820"]),
                ("n2", ["--public-ip", "198.51.100.7"]), ("n3", []), ("n4", ["--public-ip", "198.51.100.8"]),
            ]
            for (name, flags) in nodes {
                try lab.ok(["node", "register", "--identity", "@\(name).id", "--farm", farmID, "--registry", url] + flags)
            }
            let alice = try lab.id("alice"), bob = try lab.id("bob")
            let ids = try ["n1", "n2", "n3", "n4"].map { try lab.id($0) }
            let laptop = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
            func spec(nodes: Int, owners: String = "") -> String {
                """
                name: office
                ipv4_range: 10.20.0.0/16
                nodes:
                \(ids.prefix(nodes).map { "  - \($0)" }.joined(separator: "\n"))
                accesses:
                  - name: alice-laptop
                    public_key: "\(laptop.base64)"
                \(owners)
                """
            }
            try lab.write("office.yaml", spec(nodes: 3))
            let created = try lab.ok(["network", "create", "@office.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(created.contains("version 0 of office stored"))
            #expect(created.contains("3 new WireGuard key pairs"))
            #expect(created.contains("hidden via"))
            let again = try lab.zmesh(["network", "create", "@office.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(again.status != 0 && again.standardError.contains("exists (version 0)"))

            let status = try lab.ok(["network", "status", "office", "--owner", alice, "--registry", url])
            #expect(status.contains("network office  owner \(alice)  version 0"))
            #expect(status.contains("nodes 3, 0 on version 0"))

            // A fourth node: only it gets a new key pair; an unchanged spec submits nothing.
            try lab.write("office.yaml", spec(nodes: 4))
            let updated = try lab.ok(["network", "update", "@office.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(updated.contains("version 1 of office stored"))
            #expect(updated.contains("1 new WireGuard key pairs"))
            let same = try lab.ok(["network", "update", "@office.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(same.contains("up to date at version 1"))

            // An unknown node is refused before anything is signed.
            try lab.write("bad.json", #"{"name": "office", "ipv4_range": "10.20.0.0/16", "nodes": ["aaaaaaaaaaaaaaaaaaaaaaaaaa"]}"#)
            let bad = try lab.zmesh(["network", "update", "@bad.json", "--identity", "@alice.id", "--registry", url])
            #expect(bad.status != 0 && bad.standardError.contains("is not registered"))

            // Bob becomes a required co-owner: the update waits for him.
            let owners = """
                owners:
                  - {twin: \(alice), weight: 1, required: true}
                  - {twin: \(bob), weight: 1, required: true}
                weight_required: 2
                """
            try lab.write("office.yaml", spec(nodes: 4, owners: owners))
            let proposed = try lab.ok(["network", "update", "@office.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(proposed.contains("version 2 of office proposed"))
            #expect(proposed.contains("awaiting \(bob)"))
            #expect(try lab.ok(["deployment", "pending", "--identity", "@alice.id", "--registry", url]).contains("nothing awaits"))
            let pending = try lab.ok(["deployment", "pending", "--identity", "@bob.id", "--registry", url])
            let digest = try #require(pending.split(separator: " ").first.map(String.init))
            #expect(digest.count == 16)
            let approved = try lab.ok(["deployment", "approve", digest, "--identity", "@bob.id", "--registry", url])
            #expect(approved.contains("version 2 of office stored"))
            #expect(try lab.ok(["network", "status", "office", "--identity", "@alice.id", "--registry", url]).contains("version 2"))

            // Delete: the next version with no nodes, under the same requirement (both sign).
            #expect(try lab.ok(["network", "delete", "office", "--identity", "@alice.id", "--registry", url]).contains("version 3 of office proposed"))
            let removal = try lab.ok(["deployment", "pending", "--identity", "@bob.id", "--registry", url])
            let removalDigest = try #require(removal.split(separator: " ").first.map(String.init))
            #expect(try lab.ok(["deployment", "approve", removalDigest, "--identity", "@bob.id", "--registry", url]).contains("version 3 of office stored"))
            #expect(try lab.ok(["network", "delete", "office", "--identity", "@alice.id", "--registry", url]).contains("already removed"))
        }
    }

    @Test func badSpecsAndUnknownNetworksGiveClearErrors() throws {
        try Self.withLab { lab in
            let url = lab.registry.url
            try lab.ok(["identity", "new", "@alice.id"])
            try lab.write("dup.yaml", "name: office\nname: lab\nipv4_range: 10.20.0.0/16\nnodes: []\n")
            let duplicate = try lab.zmesh(["network", "create", "@dup.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(duplicate.status != 0 && duplicate.standardError.contains("duplicated key(s): 'name'"))
            try lab.write("typo.yaml", "name: office\nipv4_range: 10.20.0.0/16\nnodes: []\ncolour: blue\n")
            let typo = try lab.zmesh(["network", "create", "@typo.yaml", "--identity", "@alice.id", "--registry", url])
            #expect(typo.status != 0 && typo.standardError.contains("colour: unknown member"))
            let missing = try lab.zmesh(["network", "update", "@typo.yaml", "--identity", "@alice.id", "--registry", "ftp://x"])
            #expect(missing.status != 0)
            let status = try lab.zmesh(["network", "status", "nothing", "--identity", "@alice.id", "--registry", url])
            #expect(status.status != 0 && status.standardError.contains("is not deployed"))
        }
    }
}
