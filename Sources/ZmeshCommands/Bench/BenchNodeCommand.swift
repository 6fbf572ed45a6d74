import ArgumentParser
import Logging
import SystemSupport
import WireGuardNL

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh bench node`.
struct BenchNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "The node agent: apply time against an ip/wg/nft script, idle memory and CPU, drift repair latency.",
        discussion: """
            Needs root and wireguard-go (userspace WireGuard). First, in-process: --networks network \
            resources applied one after another by the agent's reconciler, against the same objects made \
            by a script of iproute2, wg and nft commands (median and ratio). Then a real 'zmesh node' \
            process with a real 'zmesh registry' process, both in a namespace of their own: submission to \
            'applied' per network, the idle agent's resident memory and CPU with --networks networks \
            (against one wireguard-go's), and drift repair after w-<id> or n-<id> is deleted. Every \
            namespace is named zb<tag>-… and has no route anywhere; all of them are removed at the end. \
            ZMESH_BENCH_AGENT_LOG=PATH keeps the agent's log there.
            """)

    @Option(help: "Network resources on the node.")
    var networks = 10

    @Option(help: "Seconds the idle agent is watched.")
    var idleSeconds = 20

    @Option(help: "Drift repairs measured per kind.")
    var repairs = 5

    @Option(help: "The agent's drift timer, seconds.")
    var driftInterval = 10

    @Option(help: "Path of the zmesh binary that runs the agent and the registry (defaults to this one).")
    var zmesh: String?

    func validate() throws {
        guard (1...200).contains(networks) else { throw ValidationError("--networks must be 1–200, not \(networks)") }
        guard idleSeconds >= 1 else { throw ValidationError("--idle-seconds must be at least 1, not \(idleSeconds)") }
        guard repairs >= 1 else { throw ValidationError("--repairs must be at least 1, not \(repairs)") }
        guard driftInterval >= 1 else { throw ValidationError("--drift-interval must be at least 1, not \(driftInterval)") }
    }

    func run() async throws {
        guard geteuid() == 0 else { throw CommandError("zmesh bench node needs root (namespaces, links, nftables)") }
        guard WireGuardGoOptions().resolvedExecutable() != nil else {
            throw CommandError("zmesh bench node needs wireguard-go (apt-get install wireguard-go)")
        }
        for tool in ["ip", "wg", "nft", "sysctl"] where SpawnedProcess.locate(tool) == nil {
            throw CommandError("zmesh bench node needs '\(tool)' for its reference script (scripts/install-deps.sh)")
        }
        var logger = ZmeshCommand.logger
        logger.logLevel = .warning
        let tag = String(ScratchName.random().prefix(5))
        let fixture = NodeBenchFixture(tag: tag)
        let report: (String) -> Void = { line in CommandOutput.write(line + "\n") }
        report("node agent benchmark (namespaces zb\(tag)-…, userspace WireGuard)")
        try NodeApplyBenchmark(networks: networks, tag: tag, fixture: fixture, logger: logger).run(report: report)
        try await NodeDaemonBenchmark(
            networks: networks, idleSeconds: idleSeconds, repairs: repairs, driftInterval: driftInterval, tag: tag,
            fixture: fixture, zmeshPath: zmesh ?? BenchWireGuardCommand.currentExecutable(), logger: logger
        ).run(report: report)
    }
}

/// Random lowercase hex for names unique on the machine.
enum ScratchName {
    static func random() -> String {
        (0..<8).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
    }
}
