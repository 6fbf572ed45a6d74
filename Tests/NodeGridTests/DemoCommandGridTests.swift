import Foundation
import GridSupport
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh demo` end to end: the real binary builds its grid (registry, 3 public and 2 hidden nodes with
/// real agents), reports, and leaves nothing behind — after a normal run, after SIGTERM half-way, and
/// after `--keep` then `--remove TAG`.
@Suite("zmesh demo", .requiresGrid, .requiresUserspaceWireGuard(KernelSkip.demoBackend), .serialized)
struct DemoCommandGridTests {
    static var binary: String { GridEnvironment.zmeshBinary ?? "zmesh" }

    /// The grid's tag, from the demo's progress line `[…] grid <tag>: internet namespace …`.
    static func tag(in output: String) -> String? {
        guard let range = output.range(of: #"grid [0-9a-f]{5}: internet"#, options: .regularExpression) else { return nil }
        return String(output[range].dropFirst(5).prefix(5))
    }

    /// Everything of grid `tag` still on the machine: namespaces, processes naming it, directories.
    static func leftovers(_ tag: String) -> [String] {
        var left: [String] = []
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        left += namespaces.filter { $0.hasPrefix("zt-\(tag)-") }.map { "namespace \($0)" }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid() else { continue }
            let commandLine = GridCommand.readText("/proc/\(pid)/cmdline").replacingOccurrences(of: "\0", with: " ")
            if commandLine.contains("zt-\(tag)-") { left.append("process \(pid) \(commandLine)") }
        }
        for base in ["/tmp"] + (((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
            .filter { $0.hasPrefix("zmesh-demo-") }.map { "/tmp/\($0)" })
        {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where entry.hasPrefix("zt-\(tag)-") {
                left.append("directory \(base)/\(entry)")
            }
        }
        return left
    }

    static func command() throws -> (GridCommand, TemporaryScratch) {
        let scratch = try TemporaryScratch()
        return (GridCommand(directory: scratch.path), scratch)
    }

    @Test func demoReportsEveryPairPingingAndRemovesEverything() throws {
        let (command, scratch) = try Self.command()
        defer { scratch.remove() }
        let result = try command.run([Self.binary, "demo"], timeout: .seconds(600))
        let output = result.standardOutput
        print("zmesh demo output:\n\(output)\(result.standardError)")
        #expect(result.status == .exited(0), "\(result.standardError)")
        let tag = try #require(Self.tag(in: output), "no grid tag in the output")
        #expect(output.contains("3 public, 2 hidden"))
        #expect(output.contains("behind endpoint-independent NAT"))
        #expect(output.contains("behind symmetric NAT"))
        #expect(output.range(of: #"access node node[1-3]"#, options: .regularExpression) != nil)
        #expect(output.contains("connectivity (ping round trip"))
        #expect(output.range(of: #"node1 → node2 +handshake \d+ s ago"#, options: .regularExpression) != nil)
        #expect(output.range(of: #"every pair pings: +[0-9.]+ (ms|s)"#, options: .regularExpression) != nil)
        #expect(output.contains("PASS: all 20 ordered pairs of workloads ping each other (IPv4 and IPv6)"))
        #expect(!output.contains("PRIVATE") && !output.lowercased().contains("private key"))
        #expect(Self.leftovers(tag) == [])
    }

    @Test func sigtermHalfWayRemovesEverything() throws {
        let (command, scratch) = try Self.command()
        defer { scratch.remove() }
        let log = "\(scratch.path)/demo.log"
        let demo = try command.start([Self.binary, "demo"], log: log)
        defer { demo.terminateAll() }
        // Once the agents run (processes in every node, wireguard-go soon), interrupt it.
        try Poll.require("the demo's agents to start", timeout: .seconds(300), interval: .milliseconds(100), detail: {
            demo.logTail()
        }) {
            GridCommand.readText(log).contains("agents (") || !demo.isRunning
        }
        let tag = try #require(Self.tag(in: GridCommand.readText(log)), "\(demo.logTail())")
        #expect(!Self.leftovers(tag).isEmpty, "the grid exists before the signal")
        kill(demo.pid, SIGTERM)
        let status = demo.wait(timeout: .seconds(120))
        print("zmesh demo after SIGTERM:\n\(GridCommand.readText(log))")
        #expect(status == .exited(128 + SIGTERM))
        #expect(GridCommand.readText(log).contains("grid \(tag) removed"))
        #expect(Self.leftovers(tag) == [])
    }

    @Test func keepLeavesTheGridEnterableAndRemoveRemovesIt() throws {
        let (command, scratch) = try Self.command()
        defer { scratch.remove() }
        let result = try command.run([Self.binary, "demo", "--keep"], timeout: .seconds(600))
        let output = result.standardOutput
        print("zmesh demo --keep output:\n\(output)\(result.standardError)")
        let tag = try #require(Self.tag(in: output), "no grid tag in the output")
        defer { _ = try? command.run([Self.binary, "demo", "--remove", tag]) }
        #expect(result.status == .exited(0))
        #expect(!Self.leftovers(tag).isEmpty, "the grid is still there")
        // The printed example: ping another workload from inside a tenant namespace.
        let example = try #require(
            output.split(separator: "\n").first { $0.hasPrefix("  e.g. ") }.map { String($0.dropFirst(7)) })
        let ping = try command.run(example.split(separator: " ").map(String.init), timeout: .seconds(60))
        #expect(ping.succeeded, "\(ping)")
        #expect(output.contains("demo --remove \(tag)"))

        let removed = try command.run([Self.binary, "demo", "--remove", tag], timeout: .seconds(120))
        #expect(removed.succeeded, "\(removed)")
        #expect(removed.standardOutput.contains("grid \(tag) removed"))
        #expect(Self.leftovers(tag) == [])
        let again = try command.run([Self.binary, "demo", "--remove", tag])
        #expect(again.standardOutput.contains("nothing left to remove"))
    }
}

/// A directory for command capture files.
final class TemporaryScratch {
    let path: String
    init() throws {
        var template = Array("/tmp/zt-demo-test-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } })
        else { throw GridError("create", "a scratch directory", "mkdtemp failed") }
        path = made
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
