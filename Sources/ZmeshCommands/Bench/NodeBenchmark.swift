import Deployments
import Logging
import ZmeshCrypto
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import WireGuardNL
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// `zmesh bench node`, part one: applying network resources in-process with ``NodeAgent/NodeReconciler``
/// (userspace WireGuard), against the same objects made by a script of iproute2, wg and nft commands.
/// Everything lives in namespaces named `zb<tag>-…` that have no route anywhere; they are removed at the end.
struct NodeApplyBenchmark {
    let networks: Int
    let tag: String
    let fixture: NodeBenchFixture
    let logger: Logger

    var agentPrefix: String { "zb\(tag)-a-" }
    var referencePrefix: String { "zb\(tag)-r-" }

    func run(report: (String) -> Void) throws {
        let inputs = try (1...networks).map { try fixture.input(try fixture.deployment($0)) }
        let publicSide = NamespaceRef.named("pub")
        try makeNamespace(agentPrefix + "pub")
        let (applyTimes, rereadTimes, resources) = try measureAgent(inputs, publicSide: publicSide)
        // The same networks again (same interface names, so the agent's are gone first).
        let referenceTimes = try reference(resources)
        let agent = Stats(applyTimes)
        let script = Stats(referenceTimes)
        report("apply one network resource (namespace, bridge, veth to the ndmz, wireguard-go + TUN moved in,")
        report("  addresses, routes, nft table), \(networks) networks one after another, userspace WireGuard:")
        report("  zmesh NodeReconciler (read, plan, apply, re-read)  median \(agent.median)  max \(agent.max)")
        report("  reference: ip/sysctl/wireguard-go/wg/nft script    median \(script.median)  max \(script.max)")
        report("  ratio zmesh/reference (median)                     \(Stats.ratio(agent.medianDuration, script.medianDuration))")
        report("  drift check of a converged node (read + empty plan), median \(Stats(rereadTimes).median) at 1–\(networks) networks")
    }

    /// Applies `inputs` one network more at a time; returns each apply's time, each following no-op
    /// reconcile's time, and the resources; removes everything before returning.
    private func measureAgent(_ inputs: [NodeDesiredState.Input], publicSide: NamespaceRef) throws
        -> ([Duration], [Duration], [NetworkResourceState])
    {
        let reconciler = NodeReconciler(
            layout: NodeLayout(namespacePrefix: agentPrefix, publicSide: publicSide, hostSide: publicSide), backend: .userspace,
            logger: logger)
        defer {
            _ = reconciler.teardown()
            try? NetworkNamespace.delete(named: agentPrefix + "pub")
            Self.waitForDaemons(inputs.map { $0.deployment.network.id.wireGuardName })
        }
        var applyTimes: [Duration] = []
        var rereadTimes: [Duration] = []
        var last = NodeDesiredState(publicSide: publicSide)
        for count in 1...networks {
            last = try NodeDesiredState(node: fixture.node.id, inputs: Array(inputs.prefix(count)), publicSide: publicSide)
            let start = ContinuousClock.now
            let outcome = reconciler.reconcile(to: last)
            applyTimes.append(ContinuousClock.now - start)
            guard outcome.converged, outcome.failures.isEmpty, outcome.nodeFailure == nil else {
                throw CommandError(
                    "the agent did not converge on network \(count): \(outcome.failures.values.sorted()) \(outcome.nodeFailure ?? "")")
            }
            let again = ContinuousClock.now
            let steady = reconciler.reconcile(to: last)
            rereadTimes.append(ContinuousClock.now - again)
            guard steady.applied.isEmpty else {
                throw CommandError("a converged node was changed again: \(steady.applied.map(\.description))")
            }
        }
        return (applyTimes, rereadTimes, last.resources)
    }

    /// Times the reference script for each resource (namespaces `referencePrefix…`), then removes them.
    private func reference(_ resources: [NetworkResourceState]) throws -> [Duration] {
        let directory = try PrivateDirectory(prefix: "zmesh-bench-node")
        defer { directory.remove() }
        let ndmz = referencePrefix + Ownership.ndmzNamespace
        let pub = referencePrefix + "pub"
        try makeNamespace(ndmz)
        try makeNamespace(pub)
        var made: [String] = [ndmz, pub]
        defer {
            for name in made.reversed() { try? NetworkNamespace.delete(named: name) }
            Self.waitForDaemons(resources.map(\.wireGuard.link.name))
        }
        let builder = NodeReferenceScript(prefix: referencePrefix, directory: directory.path)
        var times: [Duration] = []
        for resource in resources {
            let (text, files) = builder.script(for: resource)
            for file in files { try FileIO.writeFile(file.contents, to: file.path, mode: 0o600) }
            made.append(referencePrefix + resource.namespace)
            let start = ContinuousClock.now
            let result = try SpawnedProcess.run("/bin/bash", ["-c", text])
            times.append(ContinuousClock.now - start)
            guard result.succeeded else {
                throw CommandError("the reference script failed (\(result.status)): \(result.outputText)")
            }
        }
        return times
    }

    private func makeNamespace(_ name: String) throws {
        let namespace = try NetworkNamespace.create(named: name)
        try RouteNetlink(namespace: namespace).setUp(try InterfaceName("lo"))
    }

    /// wireguard-go exits once its TUN is gone (with its namespace); waits for that, and ends any left.
    static func waitForDaemons(_ names: [InterfaceName]) {
        for _ in 0..<200 {
            if names.allSatisfy({ ProcessSample.wireGuardGo(serving: $0.rawValue).isEmpty }) { return }
            SpawnedProcess.sleep(.milliseconds(25))
        }
        for name in names {
            for pid in ProcessSample.wireGuardGo(serving: name.rawValue) { kill(pid, SIGKILL) }
        }
    }
}

/// Median and maximum of durations, printed in milliseconds.
struct Stats {
    let sorted: [Duration]
    init(_ values: [Duration]) { sorted = values.sorted() }
    var medianDuration: Duration { sorted.isEmpty ? .zero : sorted[sorted.count / 2] }
    var median: String { Self.ms(medianDuration) }
    var max: String { Self.ms(sorted.last ?? .zero) }

    static func ms(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return fixed(value, value < 10 ? 2 : 1) + " ms"
    }

    static func ratio(_ a: Duration, _ b: Duration) -> String {
        let x = Double(a.components.seconds) + Double(a.components.attoseconds) / 1e18
        let y = Double(b.components.seconds) + Double(b.components.attoseconds) / 1e18
        return y > 0 ? fixed(x / y, 2) + "×" : "n/a"
    }

    /// `value` with `digits` decimals (without Foundation).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return (value < 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + padded : "")
    }
}

/// A fresh 0700 directory under /tmp, removed with what it holds (no subdirectories).
struct PrivateDirectory {
    let path: String

    init(prefix: String) throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } != nil }
        guard created else { throw CommandError("cannot create a directory in /tmp: \(String(cString: strerror(errno)))") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
