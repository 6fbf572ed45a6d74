import ArgumentParser

/// `zmesh bench registry`.
struct BenchRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Many nodes long-polling one registry on 127.0.0.1: update-to-delivery latency and status posts per second.",
        discussion: """
            Starts 'zmesh registry' as a process over a temporary database, registers --nodes node \
            identities (a fifth of each network public), and keeps one long-poll open per node. Each \
            round submits one network's signed deployment and times, from just before the submission, \
            each node's delivery and the last one (median and p99). Then the nodes post status reports \
            with --concurrency requests in flight. The baseline is a signed request on the idle registry.
            """)

    @Option(help: "Simulated nodes, each with its own identity and long-poll.")
    var nodes = 1_000

    @Option(help: "Nodes per network (one update reaches this many mailboxes).")
    var networkSize = 50

    @Option(help: "Deployments submitted, one network each.")
    var updates = 20

    @Option(help: "Status reports posted in the throughput phase.")
    var statusPosts = 5_000

    @Option(help: "Requests in flight during registration and status posts.")
    var concurrency = 64

    @Option(help: "Seconds each long-poll waits (1–60).")
    var wait = 30

    @Option(help: "Path of the zmesh binary that runs the registry (defaults to this one).")
    var zmesh: String?

    func validate() throws {
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1, not \(nodes)") }
        guard (2...nodes).contains(networkSize) else {
            throw ValidationError("--network-size must be 2…\(nodes) (--nodes), not \(networkSize)")
        }
        guard updates >= 1 else { throw ValidationError("--updates must be at least 1, not \(updates)") }
        guard statusPosts >= 0 else { throw ValidationError("--status-posts must not be negative") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard (1...60).contains(wait) else { throw ValidationError("--wait must be 1–60 seconds, not \(wait)") }
    }

    func run() async throws {
        let benchmark = RegistryBenchmark(
            nodes: nodes, networkSize: networkSize, publicPerNetwork: max(1, networkSize / 5), rounds: updates,
            statusPosts: statusPosts, concurrency: concurrency, wait: wait,
            zmeshPath: zmesh ?? BenchWireGuardCommand.currentExecutable())
        for line in try await benchmark.run() { print(line) }
    }
}
