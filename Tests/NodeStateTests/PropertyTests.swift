import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import PropertyBased
import Testing
import ZmeshCrypto
import ZmeshModel

/// SplitMix64: a small deterministic generator driven by one seed.
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

/// From random drift of a running node (deleted links, namespaces, routes, tables, addresses; links
/// down or of the wrong kind; peers changed behind the agent's back; stray links and tables; foreign
/// objects everywhere) to a random set of desired networks: the plan passes the ownership guard,
/// the kernel model accepts every step in order, one pass converges, and foreign objects are
/// exactly as they were. Each case is one seed, which failure messages name.
@Suite(.shrinking(false)) struct PropertyTests {
    static let pool = ["p0", "p1", "p2", "p3", "p4", "p5"]

    static func inputs(_ names: [String]) -> [NodeDesiredState.Input] {
        names.map { name in
            Samples.input(Samples.deployment(name, port: 51820 + Int64(pool.firstIndex(of: name) ?? 0)))
        }
    }

    static func subset(_ rng: inout SplitMix64) -> [String] { pool.filter { _ in Bool.random(using: &rng) } }

    /// Every object outside the agent's namespaces that is not the agent's (foreign namespaces, the
    /// host's links other than `w-<id>`, its routes and tables), plus foreign links and routes inside
    /// the agent's namespaces `kept`, to compare before and after.
    struct Foreign: Equatable {
        var namespaces: [String: NamespaceSnapshot] = [:]
        var hostLinks: [InterfaceName: ObservedLink] = [:]
        var hostRoutes: [ObservedRoute] = []
        var hostTables: [TableName: ObservedTable] = [:]
        var inside: Set<String> = []
    }

    static func foreign(_ snapshot: NodeSnapshot, kept: Set<String> = []) -> Foreign {
        var out = Foreign()
        out.namespaces = snapshot.namespaces.filter { !Ownership.ownsNamespace($0.key) }
        out.hostLinks = snapshot.publicSide.links.filter { Ownership.networkID(ofWireGuard: $0.key) == nil }
        out.hostRoutes = snapshot.publicSide.routes
        out.hostTables = snapshot.publicSide.tables
        for (name, ns) in snapshot.namespaces where kept.contains(name) {
            for (link, observed) in ns.links where !Ownership.ownsLink(link, in: .named(name)) {
                out.inside.insert("\(name) link \(observed)")
            }
            for route in ns.routes where route.device.map({ !Ownership.ownsLink($0, in: .named(name)) }) ?? true {
                out.inside.insert("\(name) route \(route)")
            }
        }
        return out
    }

    static func drift(_ snapshot: NodeSnapshot, _ rng: inout SplitMix64) -> NodeSnapshot {
        var model = KernelModel(snapshot)
        let ids = snapshot.namespaces.keys.compactMap(Ownership.networkID(ofNamespace:)).sorted()
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let id =
                ids.randomElement(using: &rng) ?? NetworkID(owner: Fixtures.alice.id, name: try! NetworkName("stray"))
            let ns = NamespaceRef.named(id.namespaceName)
            let links = [id.wireGuardInterface, id.bridgeInterface, Ownership.uplinkInterface]
            let link = links.randomElement(using: &rng)!
            switch Int.random(in: 0..<14, using: &rng) {
            case 0: try? model.apply(.deleteLink(ns, link))
            case 1: try? model.apply(.deleteNamespace(id.namespaceName))
            case 2: try? model.apply(.deleteNamespace("ndmz"))
            case 3:
                if let route = model.snapshot.namespaces[id.namespaceName]?.routes.randomElement(using: &rng)?.spec {
                    try? model.apply(.deleteRoute(ns, route))
                }
            case 4: try? model.apply(.deleteTable(ns, .networkResource))
            case 5: model.snapshot.namespaces[id.namespaceName]?.links[link]?.isUp = false
            case 6: model.snapshot.namespaces[id.namespaceName]?.links[link]?.mtu = 9000
            case 7:
                model.snapshot.namespaces[id.namespaceName]?.links[link]?.addresses.insert(
                    Samples.address("10.77.0.1/24"))
            case 8:
                // A static route through one of our links (a route exists only while its link does).
                let route = ObservedRoute(destination: Samples.prefix("10.78.0.0/16"), device: link)
                if let ns = model.snapshot.namespaces[id.namespaceName], ns.links[link] != nil,
                    !ns.routes.contains(where: { $0.destination == route.destination })
                {
                    model.snapshot.namespaces[id.namespaceName]?.routes.append(route)
                }
            case 9:
                model.snapshot.namespaces[id.namespaceName]?.tables[Samples.table("zmesh-pf")] = .unrecognised
                model.snapshot.namespaces[id.namespaceName]?.tables[.networkResource] = .unrecognised
            case 10: try? model.apply(.setSysctl(ns, .ipv6Forwarding, "0"))
            case 11: try? model.apply(.createWireGuard(.host, id.wireGuardInterface, mtu: 1420))
            case 12:
                if model.snapshot.namespaces[id.namespaceName]?.links[link] != nil {
                    try? model.apply(.deleteLink(ns, link))
                    model.snapshot.namespaces[id.namespaceName]?.links[link] = ObservedLink(name: link, kind: "dummy")
                }
            default:
                if var device = model.snapshot.namespaces[id.namespaceName]?.wireGuard[id.wireGuardInterface],
                    !device.peers.isEmpty
                {
                    device.peers.removeFirst()
                    device.listenPort = 40000
                    model.snapshot.namespaces[id.namespaceName]?.wireGuard[id.wireGuardInterface] = device
                }
            }
        }
        var drifted = model.snapshot
        if Bool.random(using: &rng) { Samples.addForeignObjects(to: &drifted, resource: ids.first) }
        return drifted
    }

    @Test func anyDriftConvergesInOnePassWithinWhatTheAgentOwns() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            guard let running = try? NodeDesiredState(node: Samples.node, inputs: Self.inputs(Self.subset(&rng))) else {
                Issue.record("seed \(seed): running state")
                return
            }
            let drifted = Self.drift(Samples.converged(running), &rng)
            let names = Self.subset(&rng)
            guard let desired = try? NodeDesiredState(node: Samples.node, inputs: Self.inputs(names), current: drifted)
            else {
                Issue.record("seed \(seed): desired state")
                return
            }
            let plan = ReconcilePlan(from: drifted, to: desired)
            #expect(plan.refused == [], "seed \(seed)")
            #expect(plan.actions.allSatisfy { Ownership.permits($0, publicSide: .host) }, "seed \(seed)")
            do {
                let after = try KernelModel.apply(plan, to: drifted)
                let again = ReconcilePlan(from: after, to: desired)
                #expect(again.actions == [], "seed \(seed): not converged")
                let kept = Set(drifted.namespaces.keys).intersection(["ndmz"] + desired.resources.map(\.namespace))
                #expect(
                    Self.foreign(after, kept: kept) == Self.foreign(drifted, kept: kept),
                    "seed \(seed): a foreign object changed")
                // No WireGuard update ever replaces all peers.
                #expect(
                    !plan.actions.contains {
                        if case .configureWireGuard(_, _, let u) = $0 { u.replacePeers } else { false }
                    })
                // The agent's namespaces are exactly the ndmz and the desired NRs.
                let owned = Set(after.namespaces.keys.filter(Ownership.ownsNamespace))
                #expect(owned == Set(["ndmz"] + desired.resources.map(\.namespace)), "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)\n\(plan)")
            }
        }
    }

    @Test func teardownRemovesAllThatIsOursAndNothingElse() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            guard let running = try? NodeDesiredState(node: Samples.node, inputs: Self.inputs(Self.subset(&rng))) else {
                return
            }
            let drifted = Self.drift(Samples.converged(running), &rng)
            let plan = ReconcilePlan.teardown(drifted)
            #expect(plan.refused == [], "seed \(seed)")
            do {
                let after = try KernelModel.apply(plan, to: drifted)
                #expect(after.namespaces.keys.allSatisfy { !Ownership.ownsNamespace($0) }, "seed \(seed)")
                #expect(
                    after.publicSide.links.keys.allSatisfy { Ownership.networkID(ofWireGuard: $0) == nil },
                    "seed \(seed)")
                #expect(Self.foreign(after) == Self.foreign(drifted), "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)\n\(plan)")
            }
        }
    }
}
