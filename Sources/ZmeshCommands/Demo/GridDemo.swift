import Deployments
import Foundation
import GridSupport
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// The work of `zmesh demo` (run in the demo's worker process, ``DemoSupervisor``): a simulated grid
/// of real processes — a registry, three public nodes and two hidden ones behind NAT routers, each
/// running `zmesh node` — one network deployed over all five by a deployer through the registry, a
/// workload per node, then every pair of workloads probed; the report it measured.
struct GridDemo {
    /// The `zmesh` executable the grid runs (this very program).
    let binary: String
    /// The agents' `--backend` (`userspace`: wireguard-go; `kernel`).
    let backend: String
    /// Leave the grid running (and say how to enter and remove it).
    let keep: Bool
    /// Where the worker says "the grid is kept": the supervisor then does not remove it.
    let keptMarker: String?
    let say: (String) -> Void

    static let publicNodes = 3
    static let hiddenNodes: [NATKind] = [.endpointIndependent, .symmetric]

    /// Builds, measures and (unless ``keep``) removes the grid; whether every pair pinged. With
    /// ``keep`` and a grid built, the process exits here without removing it.
    func run() throws -> Bool {
        let started = ContinuousClock.now
        func progress(_ text: String) {
            let elapsed = (ContinuousClock.now - started).demoSeconds
            say("[\(elapsed)] \(text)")
        }
        return try Grid.with(binary: binary, backend: backend) { grid in
            progress(
                "grid \(grid.tag): internet namespace \(grid.lanNamespace) (198.51.100.0/24, 2001:db8:100::/64), "
                    + "registry at \(grid.registryURL)")
            let deployer = try grid.deployer("demo")
            let farm = try deployer.createFarm("demo")
            progress("deployer \(deployer.id.prefix(8)) registered, farm \(farm) created")
            var nodes = try grid.addNodes(Self.publicNodes)
            progress("public nodes: \(nodes.map { "node\($0.index) \($0.ipv4)" }.joined(separator: ", "))")
            for kind in Self.hiddenNodes {
                let node = try grid.addNode(hidden: kind)
                nodes.append(node)
                progress("hidden node\(node.index) \(node.ipv4) behind \(kind) router \(node.router?.wanIPv4 ?? "?")")
            }
            for node in nodes { try node.startAgent(farm: farm) }
            progress("started \(nodes.count) `zmesh node` agents (\(backend) WireGuard); waiting for them to register")
            try deployer.waitForRegistration(nodes)
            progress("every node registered with the registry")

            let network = try GridNetwork(owner: deployer, name: "demo", ipv4Range: "10.20.0.0/16")
            let submitted = ContinuousClock.now
            try network.submit(nodes)
            progress("network demo (\(network.id.rawValue)) signed and submitted over all \(nodes.count) nodes")
            let appliedAt = Result { try network.waitUntilApplied(timeout: .seconds(90)) }.map { _ in
                ContinuousClock.now - submitted
            }
            if case .failure(let error) = appliedAt { progress("not every node applied the network: \(error)") }
            else { progress("every node applied it") }
            try network.attachWorkloadsConcurrently(timeout: .seconds(60))
            progress("workload wl1 attached on every node; probing every pair (IPv4 and IPv6)")
            // First every pair until its first reply (convergence), then round trips on the settled
            // network (a reply that waited for a handshake would count the wait).
            let probeStart = ContinuousClock.now
            let first = try network.connectivity(timeout: .seconds(30), ipv6: true, samples: 0)
            let convergence = Self.convergence(first, probeStartedAfter: probeStart - submitted)
            progress(
                first.unreachable.isEmpty
                    ? "every pair pings; measuring round trips"
                    : "no reply within 30 s: \(first.unreachable.joined(separator: ", "))")
            let matrix = try network.connectivity(timeout: .seconds(first.unreachable.isEmpty ? 10 : 2), ipv6: true, samples: 5)

            let report = DemoReport(
                backend: backend, network: network.name, networkID: network.id.rawValue,
                nodes: Self.describe(nodes, accessNodes: network.accessNodes),
                pairs: matrix.pairs.map {
                    DemoReport.Pair(
                        from: $0.source, to: $0.target, ipv4: $0.ipv4RTT, ipv6: $0.ipv6RTT, hasIPv6: $0.ipv6Probed)
                },
                peers: Self.peers(nodes, network: network), applied: try? appliedAt.get(), convergence: convergence)
            say("")
            say(report.text())
            if keep {
                say(Self.keepInstructions(grid: grid, network: network))
                if let keptMarker { _ = try? FileIO.writeFile(grid.tag + "\n", to: keptMarker) }
                // Leaving now skips the grid's removal: its processes live on, re-parented.
                exit(report.passed ? 0 : 1)
            }
            progress("removing the grid")
            return report.passed
        }
    }

    /// Submission → every pair answered over both families: the probe's start plus its latest first reply.
    static func convergence(_ matrix: ConnectivityMatrix, probeStartedAfter offset: Duration) -> Duration? {
        var latest = Duration.zero
        for pair in matrix.pairs {
            guard let first = pair.firstReply else { return nil }
            latest = max(latest, first)
            if pair.ipv6Probed {
                guard let first6 = pair.firstReplyIPv6 else { return nil }
                latest = max(latest, first6)
            }
        }
        return matrix.pairs.isEmpty ? nil : offset + latest
    }

    static func describe(_ nodes: [SimulatedNode], accessNodes: [String: String]) -> [DemoReport.Node] {
        nodes.map { node in
            DemoReport.Node(
                index: node.index, id: node.id, address: node.ipv4,
                nat: node.router.map { $0.kind == .symmetric ? "symmetric" : "endpoint-independent" },
                publicAddress: node.router?.wanIPv4,
                accessNode: accessNodes[node.id].flatMap { access in nodes.first { $0.id == access }?.index })
        }
    }

    /// Each node's WireGuard peers: `wg show` in the node's `n-<id>` (where the interface lives with
    /// either backend; wireguard-go's socket is in the node's own `/run/wireguard`). Only public keys,
    /// endpoints and handshake times are read.
    static func peers(_ nodes: [SimulatedNode], network: GridNetwork) -> [DemoReport.Peer] {
        let wg = GridEnvironment.path("wg")
        let interface = network.wireGuardInterface
        func show(_ node: SimulatedNode, _ what: String) -> [[Substring]] {
            let text = (try? node.run(inNamespace: network.namespace, [wg, "show", interface, what]))?.standardOutput ?? ""
            return text.split(separator: "\n").map { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }) }
        }
        var nodeByKey: [Substring: Int] = [:]
        for node in nodes {
            if let key = show(node, "public-key").first?.first { nodeByKey[key] = node.index }
        }
        let now = Int64(time(nil))
        var result: [DemoReport.Peer] = []
        for node in nodes {
            var endpoints: [Substring: String] = [:]
            for fields in show(node, "endpoints") where fields.count == 2 && fields[1] != "(none)" {
                endpoints[fields[0]] = String(fields[1])
            }
            let peers = show(node, "latest-handshakes").compactMap { fields -> DemoReport.Peer? in
                guard fields.count == 2, let time = Int64(fields[1]) else { return nil }
                return DemoReport.Peer(
                    node: node.index, peer: nodeByKey[fields[0]], endpoint: endpoints[fields[0]],
                    handshakeAgo: time == 0 ? nil : Int(max(0, now - time)))
            }
            result += peers.sorted { ($0.peer ?? Int.max) < ($1.peer ?? Int.max) }
        }
        return result
    }

    /// How to look around a kept grid, and how to remove it.
    static func keepInstructions(grid: Grid, network: GridNetwork) -> String {
        let nsenter = GridEnvironment.path("nsenter")
        var lines = ["the grid \(grid.tag) is left running (logs and registry database in \(grid.directory))", ""]
        lines.append("enter a tenant workload (a shell in its namespace, inside its node's mounts and PIDs):")
        for node in network.members {
            guard let workload = network.workloads[node.index] else { continue }
            let holder = node.holderPID
            lines.append(
                "  node\(node.index) \(workload.ipv4)\(workload.ipv6.map { " \($0)" } ?? ""):  "
                    + "\(nsenter) -t \(holder) -m -p --net=/proc/\(holder)/root/run/netns/\(workload.name) -- /bin/sh")
        }
        if let first = network.members.first, let workload = network.workloads[first.index],
            let other = network.members.dropFirst().first.flatMap({ network.workloads[$0.index] })
        {
            let holder = first.holderPID
            lines.append("  e.g. \(nsenter) -t \(holder) -m -p --net=/proc/\(holder)/root/run/netns/\(workload.name) -- ping -c 3 \(other.ipv4)")
        }
        lines.append("a node itself (its agent's view):")
        for node in network.members {
            lines.append("  node\(node.index): \(nsenter) -t \(node.holderPID) -m -n -p -- \(grid.binary) node status")
        }
        lines.append("")
        lines.append("remove everything (processes, namespaces, files):  \(grid.binary) demo --remove \(grid.tag)")
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    /// "12.3 s".
    fileprivate var demoSeconds: String {
        let (seconds, attoseconds) = components
        let tenths = Int((Double(seconds) + Double(attoseconds) / 1e18) * 10)
        let text = "\(tenths / 10).\(tenths % 10) s"
        return String(repeating: " ", count: max(0, 6 - text.count)) + text
    }
}
