public import ZmeshModel

/// Forwards packets hop by hop through a planned network, as the kernel and WireGuard would.
///
/// Each machine routes a packet by longest prefix over its namespace's routes (the workload bridge's
/// on-link prefixes deliver, the planned routes and the WireGuard address's on-link /16 lead into
/// WireGuard, anything else would leave through ndmz and counts as lost); WireGuard picks the peer whose
/// allowed IPs match the destination longest (cryptokey routing), the tunnel must be one that can come
/// up (both sides know each other's key; one side dials a real endpoint of the other over a family it
/// has, and if only the other side can dial, that side keeps the session alive with a keepalive), and the
/// receiver accepts the packet only if its allowed IPs map the packet's source back to the sending peer
/// (the source check). A tunnel between two machines behind NAT is a violation in itself.
public struct MeshSimulator: Sendable {
    /// The machines: nodes first (as in the plan), then devices. Tests may edit them to break things.
    public var machines: [SimulatedMachine]

    /// The most tunnels a packet may cross before it counts as looping.
    public static let hopLimit = 16

    /// Machines as given.
    public init(machines: [SimulatedMachine]) { self.machines = machines }

    /// Where a packet ended.
    public enum Outcome: Sendable, Hashable {
        /// Delivered on the machine at this index.
        case delivered(Int)
        /// Dropped on the machine at this index, for the reason given.
        case dropped(Int, String)
    }

    /// A packet's journey: the machines it visited, in order, and where it ended.
    public struct Trace: Sendable, Hashable {
        /// Machine indices, from the sender to where the packet ended.
        public var path: [Int]
        /// Where and how it ended.
        public var outcome: Outcome
    }

    /// Sends one packet from machine `origin` and follows it.
    public func send(from origin: Int, source: IPAddress, to destination: IPAddress) -> Trace {
        Compiled(machines).send(from: origin, source: source, to: destination)
    }

    /// Checks every ordered pair of nodes (a packet from a workload host of one to a workload host of
    /// the other, in each family both have; the reply of A→B is the packet of B→A, so it is covered), and
    /// every device to every node and back. Returns the violations found, each naming the packet.
    public func verify(families: [IPFamily] = [.ipv4, .ipv6]) -> SimulationReport {
        let compiled = Compiled(machines)
        var report = SimulationReport()
        let nodes = machines.indices.filter { machines[$0].forwards }
        let devices = machines.indices.filter { !machines[$0].forwards }
        func check(_ from: Int, _ to: Int, family: IPFamily) {
            guard let source = machines[from].host(family), let destination = machines[to].host(family) else { return }
            let trace = compiled.send(from: from, source: source, to: destination)
            report.packets += 1
            report.longestPath = max(report.longestPath, trace.path.count - 1)
            if case .delivered(to) = trace.outcome { return }
            report.violations.append(describe(trace, from: from, to: to, source: source, destination: destination))
        }
        for family in families {
            for a in nodes {
                for b in nodes where a != b { check(a, b, family: family) }
            }
            for d in devices {
                for n in nodes {
                    check(d, n, family: family)
                    check(n, d, family: family)
                }
            }
        }
        return report
    }

    private func describe(_ trace: Trace, from: Int, to: Int, source: IPAddress, destination: IPAddress) -> String {
        let route = trace.path.map { machines[$0].kind.description }.joined(separator: " → ")
        let head = "\(machines[from].kind) → \(machines[to].kind) (\(source) → \(destination))"
        switch trace.outcome {
        case .delivered(let at): return "\(head): delivered at \(machines[at].kind) instead, via \(route)"
        case .dropped(let at, let reason): return "\(head): dropped at \(machines[at].kind): \(reason); path \(route)"
        }
    }
}

/// What ``MeshSimulator/verify(families:)`` found.
public struct SimulationReport: Sendable, Equatable {
    /// Packets sent.
    public var packets = 0
    /// The most tunnels any packet crossed.
    public var longestPath = 0
    /// One line per packet that did not arrive where it should.
    public var violations: [String] = []

    /// Whether every packet arrived.
    public var isClean: Bool { violations.isEmpty }
}

extension SimulatedMachine {
    /// The workload host of `family`, if the machine has one.
    func host(_ family: IPFamily) -> IPAddress? { hosts.first { IPFamily(of: $0) == family } }
}
