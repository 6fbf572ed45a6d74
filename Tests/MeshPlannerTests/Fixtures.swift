import Deployments
import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// SplitMix64: a small deterministic generator, so one seed reproduces a whole topology.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Values for tests: ids, keys, prefixes, and whole topologies.
enum Fixtures {
    static let owner = id(0xA0)

    static func prefix(_ text: String) -> IPPrefix {
        guard let prefix = try? IPPrefix(text) else { preconditionFailure("bad fixture prefix \(text)") }
        return prefix
    }

    static func v4(_ text: String) -> IPv4Address {
        guard let address = try? IPv4Address(text) else { preconditionFailure("bad fixture address \(text)") }
        return address
    }

    static func v6(_ text: String) -> IPv6Address {
        guard let address = try? IPv6Address(text) else { preconditionFailure("bad fixture address \(text)") }
        return address
    }

    static func name(_ text: String) -> NetworkName {
        guard let name = try? NetworkName(text) else { preconditionFailure("bad fixture name \(text)") }
        return name
    }

    /// An identity id made of 16 bytes derived from `n` (no key pair behind it: the planner only needs ids).
    static func id(_ n: UInt64) -> IdentityID {
        var rng = SplitMix64(seed: n &* 0x1234_5678_9abc_def1)
        return id(using: &rng)
    }

    static func id(using rng: inout some RandomNumberGenerator) -> IdentityID {
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        guard let id = try? IdentityID(Base32.encode(bytes)) else { preconditionFailure("16 bytes make an id") }
        return id
    }

    /// A WireGuard public key made of 32 bytes derived from `n` (never zero).
    static func key(_ n: UInt64) -> WireGuardKey {
        var rng = SplitMix64(seed: n &* 0x0fed_cba9_8765_4321 &+ 7)
        return key(using: &rng)
    }

    static func key(using rng: inout some RandomNumberGenerator) -> WireGuardKey {
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[0] |= 1
        return WireGuardKey(bytes: bytes) ?? .zero
    }

    /// A public node with the given endpoints (`nil` for none).
    static func publicNode(
        _ n: UInt64, ipv4: String? = nil, ipv6: String? = nil, outbound: Set<IPFamily>? = nil,
        usedPorts: Set<UInt16> = []
    ) -> NodeSpec {
        NodeSpec(
            id: id(n), publicKey: key(n), ipv4Endpoint: ipv4.map(v4), ipv6Endpoint: ipv6.map(v6), outbound: outbound,
            usedPorts: usedPorts)
    }

    /// A hidden node dialling over `outbound` (IPv4 by default).
    static func hiddenNode(_ n: UInt64, outbound: Set<IPFamily>? = nil) -> NodeSpec {
        NodeSpec(id: id(n), publicKey: key(n), outbound: outbound)
    }

    static func spec(
        range: String = "10.20.0.0/16", ipv6Range: String? = nil, nodes: [NodeSpec], accesses: [AccessRequest] = []
    ) -> NetworkSpec {
        NetworkSpec(
            name: name("office"), owner: owner, ipv4Range: prefix(range), ipv6Range: ipv6Range.map(prefix),
            nodes: nodes,
            accesses: accesses)
    }

    static func access(_ name: String, _ n: UInt64, family: IPFamily = .ipv4, via: IdentityID? = nil) -> AccessRequest {
        AccessRequest(name: name, publicKey: key(1_000_000 + n), family: family, accessNode: via)
    }

    /// An 80-byte sealed box stand-in (validation checks its form; nobody opens it here).
    static let sealedKeyStandIn = String(repeating: "A", count: 107) + "="

    /// Everything wrong with `plan`: the structural invariants, the simulator's reachability checks, and
    /// the deployment validator's verdict on the per-node parts.
    static func problems(_ plan: MeshPlan, _ spec: NetworkSpec, simulate: Bool = true) -> [String] {
        var problems = PlanInvariants.violations(of: plan)
        if simulate {
            do {
                let report = try MeshSimulator(plan: plan, spec: spec).verify()
                problems += report.violations.prefix(20)
            } catch {
                problems.append("access file does not parse: \(error)")
            }
        }
        problems += deploymentProblems(plan, spec)
        return problems
    }

    /// The deployment validator's problems with the plan's per-node parts.
    static func deploymentProblems(_ plan: MeshPlan, _ spec: NetworkSpec) -> [String] {
        let deployment = Deployment(
            version: 0, owner: spec.owner, network: plan.deploymentNetwork,
            nodes: plan.nodes.indices.map { plan.deploymentNode(at: $0, sealedPrivateKey: sealedKeyStandIn) },
            signatureRequirement: .init(
                requests: [.init(twin: spec.owner, weight: 1, required: true)], weightRequired: 1))
        return deployment.validationProblems(context: MeshPlan.validationContext(for: spec)).map(\.description)
    }

    /// Plans `spec`, recording the error as a test issue when the planner refuses.
    static func plan(
        _ spec: NetworkSpec, previous: PreviousPlan? = nil, sourceLocation: SourceLocation = #_sourceLocation
    )
        -> MeshPlan?
    {
        do { return try NetworkPlanner.plan(spec, previous: previous) } catch {
            Issue.record("refused: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
