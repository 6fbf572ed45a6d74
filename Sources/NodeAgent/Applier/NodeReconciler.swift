public import Deployments
public import Logging
public import NodeState

/// Which WireGuard implementation `createWireGuard` uses on this node.
public enum WireGuardBackendKind: String, Sendable, Hashable, CaseIterable {
    /// Kernel WireGuard links (`ip link add … type wireguard`), configured over generic netlink.
    case kernel
    /// wireguard-go started on the public side (its TUN moved into the NR), configured over its UAPI
    /// socket; the process outlives the agent.
    case userspace
}

/// What one ``NodeReconciler/reconcile(to:)`` did.
public struct ReconcileOutcome: Sendable {
    /// The actions applied, in order, over every pass.
    public var applied: [NodeAction]
    /// Per network still not converged after the last pass, the first failure of an action of its NR
    /// in the last pass that failed it (its remaining actions in that pass were skipped). A network
    /// whose failure a later pass repaired is not listed.
    public var failures: [NetworkID: String]
    /// A failure outside any NR (the ndmz) that the last read still shows, or a failed read.
    public var nodeFailure: String?
    /// Whether the last read showed nothing left to do.
    public var converged: Bool
    /// Passes that applied a plan (0 when the first read already matched the desired state); each is
    /// followed by a read.
    public var passes: Int
    /// The last snapshot read (after the last pass), for status reports (peer health); `nil` when
    /// that read failed (``nodeFailure`` says why).
    public var snapshot: NodeSnapshot?
    /// The plan from the last read: what is still to do (empty when ``converged``).
    public var remaining: [NodeAction]

    public init(
        applied: [NodeAction] = [], failures: [NetworkID: String] = [:], nodeFailure: String? = nil,
        converged: Bool = false, passes: Int = 0, snapshot: NodeSnapshot? = nil, remaining: [NodeAction] = []
    ) {
        self.applied = applied
        self.failures = failures
        self.nodeFailure = nodeFailure
        self.converged = converged
        self.passes = passes
        self.snapshot = snapshot
        self.remaining = remaining
    }
}

/// Reads the node, plans to a desired state and applies the plan: the agent's only writer.
///
/// Synchronous and blocking (netlink, nftables, wireguard-go start-up): call it from a dedicated
/// thread, one call at a time. Sendable: its memory (``RecognisedTables``) is behind a lock.
///
/// Each pass reads the node (``NodeReader`` with the reconciler's memory of the tables it applied),
/// plans (``NodeState/ReconcilePlan``) and applies the plan in order, one log line per action. A
/// failed action is attributed (``NodeState/NodeAction/owningNetwork``): the first failure of a
/// network skips that network's remaining actions in the pass, the others go on; a node-level
/// failure skips the remaining node-level actions. The next pass starts from a fresh read (the
/// recovery from a failed step), up to `maximumPasses`.
public final class NodeReconciler: Sendable {
    public let layout: NodeLayout
    public let backend: WireGuardBackendKind
    private let logger: Logger
    private let memory = TableMemory()
    private let daemons: UserspaceDaemons

    public init(layout: NodeLayout = NodeLayout(), backend: WireGuardBackendKind, logger: Logger) {
        self.layout = layout
        self.backend = backend
        self.logger = logger
        daemons = UserspaceDaemons(socketDirectory: layout.wireGuardSocketDirectory, logger: logger)
    }

    /// The tables this reconciler applied and what nft listed right after (empty after a restart).
    public var recognisedTables: RecognisedTables { memory.recognised }

    /// The node as it is now.
    public func read() throws(NodeReaderError) -> NodeSnapshot {
        try NodeReader(layout: layout, recognisedTables: memory.recognised).read()
    }

    /// The WireGuard devices of the NRs only (``NodeReader/readWireGuardDevices()``).
    public func readWireGuardDevices() throws(NodeReaderError) -> NodeSnapshot {
        try NodeReader(layout: layout, recognisedTables: memory.recognised).readWireGuardDevices()
    }

    /// Read → plan → apply until the plan is empty or `maximumPasses` passes were made.
    public func reconcile(to desired: NodeDesiredState, maximumPasses: Int = 3) -> ReconcileOutcome {
        run(maximumPasses: maximumPasses) { ReconcilePlan(from: $0, to: desired) }
    }

    /// Removes everything the agent created (``NodeState/ReconcilePlan/teardown(_:publicSide:)``), and the
    /// wireguard-go processes serving its links.
    public func teardown() -> ReconcileOutcome {
        let publicSide = layout.publicSide
        let outcome = run(maximumPasses: 3) { ReconcilePlan.teardown($0, publicSide: publicSide) }
        daemons.stopChildren()
        return outcome
    }

    /// Applies one action now, without reading or planning (for tools and tests; the reconciler's
    /// memory is kept as in a pass).
    public func apply(_ action: NodeAction) throws(ApplyError) {
        try runner.apply(action)
    }

    private var runner: ActionRunner {
        ActionRunner(layout: layout, backend: backend, memory: memory, daemons: daemons)
    }

    private func run(maximumPasses: Int, plan makePlan: (NodeSnapshot) -> ReconcilePlan) -> ReconcileOutcome {
        var outcome = ReconcileOutcome()
        daemons.reapExited()
        var snapshot: NodeSnapshot
        do {
            snapshot = try read()
        } catch {
            logger.error("cannot read the node", metadata: ["error": "\(error)"])
            outcome.nodeFailure = "\(error)"
            return outcome
        }
        var plan = makePlan(snapshot)
        var failures: [NetworkID: String] = [:]
        var nodeFailure: String?
        let runner = self.runner
        while !plan.isEmpty, outcome.passes < maximumPasses {
            outcome.passes += 1
            var failed: Set<NetworkID> = []
            var nodeFailed = false
            for action in plan.actions {
                let network = action.owningNetwork
                if let network, failed.contains(network) { continue }
                if network == nil, nodeFailed { continue }
                var metadata: Logger.Metadata = [
                    "action": "\(action)", "namespace": "\(ApplyError.label(action.namespace))",
                    "pass": "\(outcome.passes)",
                ]
                if let network { metadata["network"] = "\(network)" }
                do {
                    try runner.apply(action)
                    outcome.applied.append(action)
                    logger.info("applied", metadata: metadata)
                } catch {
                    metadata["error"] = "\(error)"
                    logger.error("action failed", metadata: metadata)
                    if let network {
                        failed.insert(network)
                        failures[network] = "network \(network): \(error)"
                    } else {
                        nodeFailed = true
                        nodeFailure = "\(error)"
                    }
                }
            }
            do {
                snapshot = try read()
            } catch {
                logger.error("cannot read the node", metadata: ["error": "\(error)"])
                outcome.failures = failures
                outcome.nodeFailure = "\(error)"
                return outcome
            }
            plan = makePlan(snapshot)
        }
        let pending = Set(plan.actions.compactMap(\.owningNetwork))
        outcome.failures = failures.filter { pending.contains($0.key) }
        outcome.nodeFailure = plan.actions.contains { $0.owningNetwork == nil } ? nodeFailure : nil
        outcome.converged = plan.isEmpty
        outcome.snapshot = snapshot
        outcome.remaining = plan.actions
        return outcome
    }
}
