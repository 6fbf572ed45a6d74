/// The mesh planner: a pure function from a network spec (and the plan in force, when updating) to
/// every node's network resource and every user access.
///
/// The algorithm, its invariants and how the simulator checks them are in `docs/mesh-planner.md`. In
/// short: nodes are sorted by id; each node and access keeps its previous /24, /64 and port when it
/// can, and otherwise takes the lowest free /24 (the /64 with the same number) and a port found by a
/// stable hash of the network and node ids; each hidden node keeps its previous access node while that
/// node is still eligible, and otherwise takes the least loaded eligible public node (ties broken by
/// rendezvous hashing); public nodes are fully meshed.
public enum NetworkPlanner {
    /// The ports the planner chooses from for new network resources: 1024–32767, below Linux's
    /// ephemeral range so that outgoing connections never hold them (a previous port anywhere in
    /// 1024–65535 is kept).
    public static let portRange: ClosedRange<UInt16> = 1024...32767

    /// Plans `spec`, keeping what `previous` fixed where it still can.
    ///
    /// - Throws: ``PlanError`` naming the offending value: a range that is invalid, reserved or too
    ///   small; duplicate nodes, keys or accesses; hidden nodes or accesses without any public node or
    ///   without an eligible one; public nodes that cannot reach each other; a node without a free port;
    ///   a previous plan of another network.
    public static func plan(_ spec: NetworkSpec, previous: PreviousPlan? = nil) throws(PlanError) -> MeshPlan {
        var builder = try PlanBuilder(spec: spec, previous: previous)
        return try builder.build()
    }
}
