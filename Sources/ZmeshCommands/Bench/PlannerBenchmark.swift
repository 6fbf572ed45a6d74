import ArgumentParser
import Deployments
import MeshPlanner
import SystemSupport
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
    import Glibc
#endif

/// `zmesh bench planner`: how long the mesh planner takes and how much memory it needs, for Zero-OS's
/// ceiling (250 nodes) and for 5,000 nodes, at several shares of hidden nodes. Prints numbers; asserts
/// nothing.
struct BenchPlannerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Mesh planner: plan time, every node's peer list, an update, peak memory (250 and 5,000 nodes).",
        discussion: """
            Each case plans a generated network (public nodes with IPv4, dual-stack or IPv6 endpoints, \
            hidden nodes, ports in use, two user accesses) and reports the median time of: the plan \
            itself; the plan plus every node's peer list (what a deployer writes into the deployment); an \
            update that adds one node to the previous plan; the plan as JSON (up to 1,000 nodes). Peak RSS \
            is the process's high-water mark while planning, listing peers and updating (each case runs \
            in a process of its own), with its growth over the resident size at the \
            start of the case. Targets: 250 nodes under 50 \
            ms, 5,000 nodes under 5 s. Build with -c release for meaningful numbers.
            """)

    @Option(help: "Node counts, comma-separated.")
    var nodes = "250,5000"

    @Option(help: "Shares of hidden nodes in percent, comma-separated.")
    var hidden = "0,50,80"

    @Option(help: "Repetitions of each case; the median is reported.")
    var iterations = 5

    @Flag(help: "Also run the packet simulator over every pair of the smallest network.")
    var simulate = false

    @Flag(help: .hidden)
    var caseLineOnly = false

    func run() throws {
        let sizes = nodes.split(separator: ",").compactMap { Int($0) }
        let shares = hidden.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, !shares.isEmpty, iterations > 0 else {
            throw ValidationError("give node counts, hidden shares and a positive iteration count")
        }
        if caseLineOnly, let size = sizes.first, let share = shares.first {
            print(try PlannerBenchmark(nodes: size, hiddenPercent: share, iterations: iterations).run())
            return
        }
        #if DEBUG
            print("planner benchmark (debug build: numbers are slower than release), median of \(iterations)")
        #else
            print("planner benchmark (release build), median of \(iterations)")
        #endif
        print(
            "nodes  hidden  peer entries   plan        plan+peers   update(+1)   json                   peak RSS (growth)"
        )
        for size in sizes {
            for share in shares { print(try caseLine(nodes: size, hiddenPercent: share)) }
        }
        print("targets: 250 nodes < 50 ms, 5,000 nodes < 5 s (plan + every node's peer list)")
        if simulate, let size = sizes.min() {
            print(try PlannerBenchmark(nodes: size, hiddenPercent: shares.max() ?? 0, iterations: 1).simulation())
        }
    }
}

extension BenchPlannerCommand {
    /// One case's line, measured in a child process of this binary so that its peak memory is its own;
    /// in this process when the child cannot be run.
    func caseLine(nodes: Int, hiddenPercent: Int) throws -> String {
        let arguments = [
            "bench", "planner", "--nodes", "\(nodes)", "--hidden", "\(hiddenPercent)", "--iterations", "\(iterations)",
            "--case-line-only",
        ]
        if let child = try? SpawnedProcess.run(BenchWireGuardCommand.currentExecutable(), arguments), child.succeeded {
            return String(child.outputText.drop { $0 == "\n" }.prefix { $0 != "\n" })
        }
        return try PlannerBenchmark(nodes: nodes, hiddenPercent: hiddenPercent, iterations: iterations).run()
    }
}

/// One benchmark case: a generated network of `nodes` nodes, `hiddenPercent` % of them hidden.
struct PlannerBenchmark {
    let nodes: Int
    let hiddenPercent: Int
    let iterations: Int

    func run() throws -> String {
        let spec = Self.spec(nodes: nodes, hiddenPercent: hiddenPercent, seed: UInt64(nodes * 100 + hiddenPercent))
        PeakMemory.reset()
        let baseline = PeakMemory.megabytes(of: "VmRSS:")
        var plan = try NetworkPlanner.plan(spec)
        let planTime = try median { plan = try NetworkPlanner.plan(spec) }
        var entries = 0
        let peersTime = try median {
            plan = try NetworkPlanner.plan(spec)
            entries = 0
            for i in plan.nodes.indices { entries += plan.peers(ofNodeAt: i).count }
        }
        var grown = spec
        var rng = BenchRandom(state: UInt64(nodes) &* 31)
        grown.nodes.append(Self.node(index: nodes, hidden: false, using: &rng))
        let previous = PreviousPlan(plan)
        let updateTime = try median { _ = try NetworkPlanner.plan(grown, previous: previous) }
        let peak = PeakMemory.megabytes(of: "VmHWM:")
        var jsonTime = "-"
        if nodes <= 1000 {
            var bytes = 0
            let time = try median { bytes = plan.json.utf8.count }
            jsonTime = "\(Self.format(time)) (\(bytes / 1024) KiB)"
        }
        return [
            pad("\(nodes)", 6), pad("\(hiddenPercent)%", 7), pad("\(entries)", 14), pad(Self.format(planTime), 11),
            pad(Self.format(peersTime), 12), pad(Self.format(updateTime), 12), pad(jsonTime, 22),
            peak.map { peak in "\(peak) MB" + (baseline.map { " (+\(peak - $0) MB)" } ?? "") } ?? "n/a",
        ].joined(separator: " ")
    }

    /// Every pair of nodes and every access, simulated packet by packet.
    func simulation() throws -> String {
        let spec = Self.spec(nodes: nodes, hiddenPercent: hiddenPercent, seed: 7)
        let plan = try NetworkPlanner.plan(spec)
        let clock = ContinuousClock()
        let start = clock.now
        let report = try MeshSimulator(plan: plan, spec: spec).verify()
        let elapsed = clock.now - start
        return
            "simulation: \(nodes) nodes (\(hiddenPercent)% hidden): \(report.packets) packets in \(Self.format(elapsed)), "
            + "\(report.violations.count) violations, longest path \(report.longestPath) tunnels"
    }

    private func median(_ body: () throws -> Void) throws -> Duration {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0..<iterations {
            let start = clock.now
            try body()
            times.append(clock.now - start)
        }
        return times.sorted()[times.count / 2]
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if ms >= 1000 { return "\((ms / 10).rounded() / 100) s" }
        if ms >= 10 { return "\(Int(ms.rounded())) ms" }
        return "\((ms * 100).rounded() / 100) ms"
    }

    // MARK: Generated networks

    /// A network of `nodes` nodes: the first public node dual-stack, then public nodes 60 % IPv4-only,
    /// 30 % dual-stack, 10 % IPv6-only (dialling IPv4 as well), hidden nodes dialling IPv4; every
    /// fourth node with a few ports in use; two user accesses; the range 10.0.0.0/8.
    static func spec(nodes: Int, hiddenPercent: Int, seed: UInt64) -> NetworkSpec {
        var rng = BenchRandom(state: seed)
        var specNodes: [NodeSpec] = []
        for i in 0..<nodes {
            let hidden = i > 0 && Int(rng.next() % 100) < hiddenPercent
            specNodes.append(node(index: i, hidden: hidden, using: &rng))
        }
        let accesses = (0..<2).map { AccessRequest(name: "laptop-\($0)", publicKey: key(using: &rng)) }
        guard let name = try? NetworkName("bench"), let range = try? IPPrefix("10.0.0.0/8") else {
            preconditionFailure("constant name and range are valid")
        }
        return NetworkSpec(name: name, owner: id(using: &rng), ipv4Range: range, nodes: specNodes, accesses: accesses)
    }

    static func node(index i: Int, hidden: Bool, using rng: inout BenchRandom) -> NodeSpec {
        var node = NodeSpec(id: id(using: &rng), publicKey: key(using: &rng))
        if i % 4 == 0 { node.usedPorts = Set((0..<8).map { _ in UInt16(1024 + rng.next() % 31000) }) }
        guard !hidden else { return node }
        let v4 = IPv4Address(198 << 24 | 18 << 16 | UInt32(i & 0xffff))
        let v6 = IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(i))
        switch i == 0 ? 65 : Int(rng.next() % 100) {
        case 0..<60: node.ipv4Endpoint = v4
        case 60..<90:
            node.ipv4Endpoint = v4
            node.ipv6Endpoint = v6
        default:
            node.ipv6Endpoint = v6
            node.outbound = [.ipv4, .ipv6]
        }
        return node
    }

    static func id(using rng: inout BenchRandom) -> IdentityID {
        let bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        guard let id = try? IdentityID(Base32.encode(bytes)) else { preconditionFailure("16 bytes make an id") }
        return id
    }

    static func key(using rng: inout BenchRandom) -> WireGuardKey {
        var bytes = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes[0] |= 1
        return WireGuardKey(bytes: bytes) ?? .zero
    }
}

/// SplitMix64, so that every run benchmarks the same networks.
struct BenchRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The process's peak resident memory (`VmHWM`), which can be reset (`/proc/self/clear_refs`, 5).
enum PeakMemory {
    static func reset() {
        let fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = write(fd, "5", 1)
        close(fd)
    }

    /// A line of `/proc/self/status` (`VmHWM:` the peak, `VmRSS:` now) in megabytes, or `nil` when /proc
    /// cannot tell.
    static func megabytes(of field: String) -> Int? {
        let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
        return kilobytes.map { ($0 + 512) / 1024 }
    }
}
