import Deployments
import Foundation
import SystemSupport

/// One network deployed over some of the grid's nodes by one deployer, with a workload per member
/// node: deploy, update, and check connectivity between every pair of workloads.
public final class GridNetwork: @unchecked Sendable {
    public let owner: Deployer
    public let name: String
    public let ipv4Range: String
    public let id: NetworkID
    /// The nodes of the version last submitted.
    public private(set) var members: [SimulatedNode] = []
    /// The workload on each member node, by node index.
    public private(set) var workloads: [Int: Workload] = [:]
    public private(set) var specPath = ""

    public init(owner: Deployer, name: String = "office", ipv4Range: String = "10.20.0.0/16") throws {
        self.owner = owner
        self.name = name
        self.ipv4Range = ipv4Range
        id = try owner.networkID(name)
    }

    public var namespace: String { id.namespaceName }
    public var wireGuardInterface: String { "w-" + id.rawValue }
    public var bridge: String { "b-" + id.rawValue }

    /// Writes the spec for `nodes` (without submitting it); its path.
    @discardableResult
    public func writeSpec(_ nodes: [SimulatedNode]) throws -> String {
        specPath = try owner.writeSpec(network: name, ipv4Range: ipv4Range, nodes: nodes)
        return specPath
    }

    /// `network create` (first time) or `network update` over `nodes`; returns the command's output.
    @discardableResult
    public func submit(_ nodes: [SimulatedNode]) throws -> String {
        let creating = members.isEmpty
        try writeSpec(nodes)
        let output = creating ? try owner.create(spec: specPath) : try owner.update(spec: specPath)
        members = nodes
        submitOutput = output
        return output
    }

    /// What the last ``submit(_:)`` printed (the plan's text).
    public private(set) var submitOutput = ""

    /// The access node of each hidden member (node id → access node id), from the plan the last
    /// submission printed (`node <id>  hidden via <access>`).
    public var accessNodes: [String: String] {
        var result: [String: String] = [:]
        for line in submitOutput.split(separator: "\n") where line.hasPrefix("node ") {
            let words = line.split(separator: " ")
            if words.count >= 5, words[2] == "hidden", words[3] == "via" { result[String(words[1])] = String(words[4]) }
        }
        return result
    }

    /// Waits until every member reports the newest version applied.
    @discardableResult
    public func waitUntilApplied(timeout: Duration = .seconds(90)) throws -> NetworkStatusReport {
        try owner.waitUntilApplied(network: name, timeout: timeout)
    }

    /// Waits until `node` has the network's bridge (the agent made the NR), then attaches workload
    /// `wl1` to it (again: a previous one is removed first).
    @discardableResult
    public func attachWorkload(on node: SimulatedNode, timeout: Duration = .seconds(60)) throws -> Workload {
        try Poll.require("\(bridge) with an address on \(node)", timeout: timeout, detail: { node.agentLogTail(15) }) {
            try node.bridgeAddresses(network: id).ipv4 != nil
        }
        if (try? node.namespaces().contains("wl1")) == true, let old = workloads[node.index] {
            try node.removeWorkload(old)
        }
        let workload = try node.addWorkload(network: id, number: 1)
        workloads[node.index] = workload
        return workload
    }

    /// Attaches a workload on every member that has none, all nodes at once (one thread per node);
    /// the first error is thrown once every thread is done.
    public func attachWorkloadsConcurrently(timeout: Duration = .seconds(60)) throws {
        let nodes = members.filter { workloads[$0.index] == nil }
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var made: [Int: Workload] = [:]
            var failure: (any Error)?
        }
        let results = Results()
        let group = DispatchGroup()
        for node in nodes {
            group.enter()
            // A thread per node (concurrentPerform would run only as many as there are cores).
            let thread = Thread {
                defer { group.leave() }
                do {
                    let id = self.id
                    try Poll.require("\(self.bridge) with an address on \(node)", timeout: timeout, interval: .milliseconds(50), detail: {
                        node.agentLogTail(15)
                    }) { try node.bridgeAddresses(network: id).ipv4 != nil }
                    let workload = try node.addWorkload(network: id, number: 1)
                    results.lock.withLock { results.made[node.index] = workload }
                } catch {
                    results.lock.withLock { if results.failure == nil { results.failure = error } }
                }
            }
            thread.start()
        }
        group.wait()
        workloads.merge(results.made) { _, new in new }
        if let failure = results.failure { throw failure }
    }

    /// Removes every workload this network attached (their namespaces).
    public func removeWorkloads() throws {
        for (index, workload) in workloads.sorted(by: { $0.key < $1.key }) {
            try workload.node.removeWorkload(workload)
            workloads[index] = nil
        }
    }

    /// Attaches a workload on every member that has none.
    public func attachWorkloads(timeout: Duration = .seconds(60)) throws {
        for node in members where workloads[node.index] == nil { try attachWorkload(on: node, timeout: timeout) }
    }

    /// Every ordered pair of member workloads whose ping (IPv4, and IPv6 when `ipv6` and both have one)
    /// gets no reply within `timeout`; empty when all pass. All pairs are probed at once
    /// (``connectivity(timeout:ipv6:samples:)``), each until its first reply, so a network still
    /// converging gets its time.
    public func unreachablePairs(ipv6: Bool = false, timeout: Duration = .seconds(30)) -> [String] {
        var missing: [String] = []
        for node in members where workloads[node.index] == nil { missing.append("node\(node.index): no workload") }
        do {
            return missing + (try connectivity(timeout: timeout, ipv6: ipv6, samples: 0)).unreachable
        } catch {
            return missing + ["the connectivity probe failed: \(error)"]
        }
    }

    /// The workload on `node` (attached before).
    public func workload(_ node: SimulatedNode) throws -> Workload {
        guard let workload = workloads[node.index] else { throw GridError("find the workload of", "\(node)", "none attached") }
        return workload
    }
}
