import ArgumentParser
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh bench …`: benchmarks that print measured numbers and ratios against the reference tool.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure zmesh against the reference tools on this machine (prints numbers; asserts nothing).",
        subcommands: [
            BenchWireGuardCommand.self, BenchPlannerCommand.self, BenchRegistryCommand.self, BenchNodeCommand.self,
        ])
}

struct BenchWireGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wireguard",
        abstract: "WireGuardNL vs wireguard-tools on kernel WireGuard: full set, full read, one-peer change.")

    @Option(help: "Peers on the benchmark device.")
    var peers = 10_000

    @Option(help: "Repetitions of each case; the median is reported.")
    var iterations = 3

    @Option(help: "Netlink message budget in bytes for WireGuardNL's SET messages.")
    var budget = 32 * 1024

    @Option(help: "Path of wireguard-tools' wg (default: the first on PATH).")
    var wg: String?

    @Option(help: "Path of the zmesh binary to run as a process (defaults to this one).")
    var zmesh: String?

    func validate() throws {
        guard peers >= 1 else { throw ValidationError("--peers must be at least 1, not \(peers)") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, not \(iterations)") }
        guard budget >= 256, budget % 4 == 0, budget <= 1 << 20 else {
            throw ValidationError("--budget must be a multiple of 4 from 256 to 1048576 bytes, not \(budget)")
        }
    }

    func run() throws {
        let benchmark = try WireGuardBenchmark(
            peers: peers, iterations: iterations, budget: budget, wgPath: wg ?? SpawnedProcess.locate("wg") ?? "wg",
            zmeshPath: zmesh ?? Self.currentExecutable())
        for line in try benchmark.run() { print(line) }
    }

    /// This process's binary (`/proc/self/exe`), whatever PATH lookup found it.
    static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
