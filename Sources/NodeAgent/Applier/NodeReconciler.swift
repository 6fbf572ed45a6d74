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
    /// Per network, the first failure of an action of its NR (its remaining actions were skipped).
    public var failures: [NetworkID: String]
    /// A failure outside any NR (the ndmz), if any.
    public var nodeFailure: String?
    /// Whether the last read showed nothing left to do.
    public var converged: Bool
    /// Read/plan/apply passes made.
    public var passes: Int
    /// The last snapshot read (after the last pass), for status reports (peer health).
    public var snapshot: NodeSnapshot?

    public init(
        applied: [NodeAction] = [], failures: [NetworkID: String] = [:], nodeFailure: String? = nil,
        converged: Bool = false, passes: Int = 0, snapshot: NodeSnapshot? = nil
    ) {
        self.applied = applied
        self.failures = failures
        self.nodeFailure = nodeFailure
        self.converged = converged
        self.passes = passes
        self.snapshot = snapshot
    }
}

/// Reads the node, plans to a desired state and applies the plan: the agent's only writer.
///
/// Synchronous and blocking (netlink, nftables, wireguard-go start-up): call it from a dedicated
/// thread, one call at a time. Sendable: its memory (``RecognisedTables``) is behind a lock.
public final class NodeReconciler: Sendable {
    public let layout: NodeLayout
    public let backend: WireGuardBackendKind
    private let logger: Logger

    public init(layout: NodeLayout = NodeLayout(), backend: WireGuardBackendKind, logger: Logger) {
        self.layout = layout
        self.backend = backend
        self.logger = logger
    }

    /// The node as it is now.
    public func read() throws(NodeReaderError) -> NodeSnapshot {
        fatalError("NodeReconciler.read: the applier slice is being written")
    }

    /// Read → plan → apply until the plan is empty or `maximumPasses` passes were made.
    public func reconcile(to desired: NodeDesiredState, maximumPasses: Int = 3) -> ReconcileOutcome {
        fatalError("NodeReconciler.reconcile: the applier slice is being written")
    }

    /// Removes everything the agent created (``NodeState/ReconcilePlan/teardown(_:)``), and the
    /// wireguard-go processes serving its links.
    public func teardown() -> ReconcileOutcome {
        fatalError("NodeReconciler.teardown: the applier slice is being written")
    }
}
