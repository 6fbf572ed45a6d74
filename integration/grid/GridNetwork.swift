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
        return output
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

    /// Attaches a workload on every member that has none.
    public func attachWorkloads(timeout: Duration = .seconds(60)) throws {
        for node in members where workloads[node.index] == nil { try attachWorkload(on: node, timeout: timeout) }
    }

    /// Every ordered pair of member workloads whose ping (IPv4, and IPv6 when `ipv6` and both have one)
    /// fails within `timeout`; empty when all pass. Waits per pair, so a network still converging gets
    /// its time.
    public func unreachablePairs(ipv6: Bool = false, timeout: Duration = .seconds(30)) -> [String] {
        var failures: [String] = []
        for a in members {
            for b in members where a.index != b.index {
                guard let source = workloads[a.index], let target = workloads[b.index] else {
                    failures.append("node\(a.index)→node\(b.index): no workload")
                    continue
                }
                if source.firstPing(target.ipv4, timeout: timeout) == nil {
                    failures.append("\(source) → \(target.ipv4)")
                }
                if ipv6, let address = target.ipv6, source.ipv6 != nil, source.firstPing(address, timeout: timeout) == nil {
                    failures.append("\(source) → \(address)")
                }
            }
        }
        return failures
    }

    /// The workload on `node` (attached before).
    public func workload(_ node: SimulatedNode) throws -> Workload {
        guard let workload = workloads[node.index] else { throw GridError("find the workload of", "\(node)", "none attached") }
        return workload
    }
}
