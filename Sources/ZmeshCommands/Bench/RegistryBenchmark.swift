import Deployments
import MeshPlanner
import RegistryClient
import Synchronization
import SystemSupport
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh bench registry`: many nodes long-polling one `zmesh registry` process on 127.0.0.1.
///
/// Nodes are split into networks; each round submits one network's signed deployment and measures,
/// from just before the submission, when every node of that network has the document in hand through
/// its waiting long-poll. Then every node posts status reports as fast as the registry takes them.
/// The baseline is one signed request's round trip on the same, idle, registry.
struct RegistryBenchmark {
    let nodes: Int
    let networkSize: Int
    let publicPerNetwork: Int
    let rounds: Int
    let statusPosts: Int
    let concurrency: Int
    let wait: Int
    let zmeshPath: String

    /// Delivery times of one round, as each node's long-poll answered.
    final class Deliveries: Sendable {
        private let state = Mutex<[String: [IdentityID: ContinuousClock.Instant]]>([:])

        /// Keeps the first delivery of `network` to `node` (a re-delivery does not move it).
        func record(_ network: String, _ node: IdentityID, at instant: ContinuousClock.Instant) {
            state.withLock { _ = $0[network, default: [:]][node, default: instant] }
        }

        func count(_ network: String) -> Int { state.withLock { $0[network]?.count ?? 0 } }

        func times(_ network: String) -> [IdentityID: ContinuousClock.Instant] { state.withLock { $0[network] ?? [:] } }
    }

    /// How many pollers have sent their first long-poll.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    func run() async throws -> [String] {
        Self.raiseDescriptorLimit(to: nodes * 2 + 1024)
        let registry = try RegistryChild(zmesh: zmeshPath)
        defer { registry.stop() }
        var lines = [
            "registry benchmark: \(nodes) nodes long-polling (wait \(wait) s) one registry process on 127.0.0.1",
            "networks of \(networkSize) nodes (\(publicPerNetwork) public), \(rounds) updates; registry pid \(registry.process.id)",
        ]

        let twin = Identity.generate()
        let base = try RegistryClient(url: try RegistryURL(registry.url), identity: twin, logger: ZmeshCommand.logger)
        _ = try await base.registerTwin()
        let farm = try await base.createFarm(name: "bench").record
        let identities = (0..<nodes).map { _ in Identity.generate() }
        let clients = identities.map { base.signing(as: $0) }
        let registration = ContinuousClock.now
        try await Self.forEach(Array(0..<nodes), concurrency: concurrency) { i in
            let ips = i % networkSize < publicPerNetwork ? [IPAddress.v4(Self.benchmarkAddress(i))] : []
            _ = try await clients[i].registerNode(farm: farm.id, publicIPs: ips)
        }
        lines.append("registered \(nodes) nodes in \(Self.ms(ContinuousClock.now - registration)) ms (\(concurrency) in flight)")

        // Baseline: a signed request on the idle registry (a mailbox read that does not wait).
        var baseline: [Duration] = []
        for _ in 0..<50 {
            let start = ContinuousClock.now
            _ = try await clients[0].mailbox(node: identities[0].id, after: 0, wait: 0)
            baseline.append(ContinuousClock.now - start)
        }

        let deliveries = Deliveries()
        let started = Counter()
        let wait = self.wait
        let nodes = self.nodes
        let pollers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<nodes {
                    group.addTask {
                        var cursor: Int64 = 0
                        var first = true
                        while !Task.isCancelled {
                            if first { started.increment() }
                            first = false
                            guard let page = try? await clients[i].mailbox(node: identities[i].id, after: cursor, wait: wait)
                            else {
                                // The client already retried with backoff; pause before polling again.
                                try? await Task.sleep(for: .milliseconds(200))
                                continue
                            }
                            let now = ContinuousClock.now
                            for item in page.items { deliveries.record(item.network, identities[i].id, at: now) }
                            cursor = page.cursor
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        defer { pollers.cancel() }
        while started.count < nodes { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .seconds(2))  // let the last polls reach the registry and park

        // Rounds: one network's version 0 each; documents are made and signed before the clock starts.
        let networks = max(1, nodes / networkSize)
        var perNode: [Duration] = []
        var perRound: [Duration] = []
        var submits: [Duration] = []
        for round in 0..<rounds {
            let index = round % networks
            let members = Array(index * networkSize..<min(nodes, (index + 1) * networkSize))
            let name = "bench-\(round)"
            let document = try makeDeployment(name: name, members: members, identities: identities, owner: twin)
            let body = Array(document.json(pretty: false).utf8)
            let start = ContinuousClock.now
            _ = try await base.submitDeployment(documentJSON: body)
            submits.append(ContinuousClock.now - start)
            let deadline = start + .seconds(wait + 30)
            while deliveries.count(name) < members.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            let times = deliveries.times(name)
            guard times.count == members.count else {
                throw CommandError("round \(round): only \(times.count) of \(members.count) nodes got the deployment")
            }
            let latencies = times.values.map { $0 - start }
            perNode += latencies
            perRound.append(latencies.max() ?? .zero)
        }
        let baselineMedian = Self.percentile(baseline, 0.5)
        lines.append("baseline: one signed request on the idle registry, median \(Self.ms(baselineMedian)) ms")
        lines.append(
            "submit (sign check, validation, store, \(networkSize) mailbox items): median \(Self.ms(Self.percentile(submits, 0.5))) ms")
        for (label, values) in [("per node", perNode), ("all nodes of an update", perRound)] {
            let median = Self.percentile(values, 0.5), p99 = Self.percentile(values, 0.99)
            lines.append(
                "delivery, \(label) (\(values.count)): median \(Self.ms(median)) ms, p99 \(Self.ms(p99)) ms "
                    + "(\(Self.ratio(median, baselineMedian))× / \(Self.ratio(p99, baselineMedian))× baseline)")
        }

        // Status posts while the long-polls stay open.
        let report = NetworkReport(
            owner: twin.id, network: "bench-0", version: 0, state: .applied,
            peers: [PeerHealth(publicKey: WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey()).base64, lastHandshake: 0, rxBytes: 0, txBytes: 0)])
        let postStart = ContinuousClock.now
        try await Self.forEach(Array(0..<statusPosts), concurrency: concurrency) { i in
            _ = try await clients[i % nodes].reportStatus([report])
        }
        let postElapsed = ContinuousClock.now - postStart
        let rate = Double(statusPosts) / max(Self.seconds(postElapsed), 1e-9)
        lines.append("status posts: \(statusPosts) by \(min(nodes, statusPosts)) nodes, \(concurrency) in flight: \(Int(rate)) requests/s")
        if let rss = registry.peakResidentKiB() { lines.append("registry peak RSS: \(rss / 1024) MiB") }
        pollers.cancel()
        return lines
    }

    /// Version 0 of network `name` over `members`, signed by `owner`.
    func makeDeployment(name: String, members: [Int], identities: [Identity], owner: Identity) throws -> Deployment {
        let facts = members.compactMap { i in
            NodeFacts(
                id: identities[i].id, identityKey: identities[i].publicKey,
                publicIPs: i % networkSize < publicPerNetwork ? [.v4(Self.benchmarkAddress(i))] : [])
        }
        let spec = DeploymentSpec(
            name: try NetworkName(name), ipv4Range: try IPPrefix("10.0.0.0/16"), nodes: facts.map(\.id))
        var document = try DeploymentDraft.make(
            spec: spec, deployer: owner.id, facts: facts, previous: nil, generateKey: WireGuardKeys.generatePrivateKey
        ).deployment
        try document.sign(with: owner)
        return document
    }

    /// 198.18.0.0/15 (RFC 2544, benchmarking): addresses only written into documents, never used.
    static func benchmarkAddress(_ i: Int) -> IPv4Address {
        IPv4Address(UInt32(0xC612_0000) | UInt32(i & 0x1_FFFF))
    }

    /// Runs `body` for every item, at most `concurrency` at a time.
    static func forEach(
        _ items: [Int], concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = items.makeIterator()
            for _ in 0..<max(1, concurrency) {
                guard let item = pending.next() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if let item = pending.next() { group.addTask { try await body(item) } }
            }
        }
    }

    static func raiseDescriptorLimit(to wanted: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    static func percentile(_ values: [Duration], _ q: Double) -> Duration {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .zero }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func ms(_ d: Duration) -> String {
        let value = seconds(d) * 1000
        return value < 10 ? String(Double(Int(value * 100)) / 100) : String(Int(value.rounded()))
    }

    static func ratio(_ a: Duration, _ b: Duration) -> String {
        let r = seconds(a) / max(seconds(b), 1e-9)
        return String(Double(Int(r * 10)) / 10)
    }
}
