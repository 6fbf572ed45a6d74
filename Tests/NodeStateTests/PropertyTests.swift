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
    /// host's links other than `w-<id>` and `ndmz`, its routes and tables other than `zmesh-host`),
    /// plus foreign links and routes inside the agent's namespaces `kept`, to compare before and after.
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
        // The model keeps node setup's part of the host in `host`; nothing else may appear there.
        out.hostLinks.merge(snapshot.host.links.filter { $0.key != Ownership.hostUplinkInterface }) { $1 }
        out.hostTables.merge(snapshot.host.tables.filter { $0.key != .host }) { $1 }
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

    /// Node setup's uplink, on or off at random.
    static func uplink(_ rng: inout SplitMix64) -> NDMZUplink? { Bool.random(using: &rng) ? Samples.uplink : nil }

    static func drift(_ snapshot: NodeSnapshot, _ rng: inout SplitMix64) -> NodeSnapshot {
        var model = KernelModel(snapshot)
        let ids = snapshot.namespaces.keys.compactMap(Ownership.networkID(ofNamespace:)).sorted()
        let ndmz = NamespaceRef.named("ndmz")
        // Drift of node setup's uplink: its ends, table, forwarding, route, address, the ndmz's policy.
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: try? model.apply(.deleteLink(.host, Ownership.hostUplinkInterface))
            case 1: try? model.apply(.deleteLink(ndmz, Ownership.ndmzUplinkInterface))
            case 2: try? model.apply(.deleteTable(.host, .host))
            case 3: try? model.apply(.setSysctl(.host, .ipv4Forwarding, "0"))
            case 4:
                if let route = model.named["ndmz"]?.routes.first(where: { $0.device == Ownership.ndmzUplinkInterface })?
                    .spec
                {
                    try? model.apply(.deleteRoute(ndmz, route))
                }
            case 5: try? model.apply(.addAddress(.host, Ownership.hostUplinkInterface, Samples.address("10.66.0.1/24")))
            case 6: model.hostNamespace.links[Ownership.hostUplinkInterface]?.isUp = false
            default: try? model.apply(.deleteTable(ndmz, .ndmz))
            }
        }
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
            guard
                let running = try? NodeDesiredState(
                    node: Samples.node, inputs: Self.inputs(Self.subset(&rng)), uplink: Self.uplink(&rng))
            else {
                Issue.record("seed \(seed): running state")
                return
            }
            let drifted = Self.drift(Samples.converged(running), &rng)
            let names = Self.subset(&rng)
            guard
                let desired = try? NodeDesiredState(
                    node: Samples.node, inputs: Self.inputs(names), uplink: Self.uplink(&rng), current: drifted)
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
                // With node setup, the host holds exactly the uplink; without it, the host's part is as it was.
                if let uplink = desired.ndmz.uplink {
                    let end = after.host.links[Ownership.hostUplinkInterface]
                    #expect(end?.kind == "veth" && end?.isUp == true, "seed \(seed)")
                    #expect(end?.addresses == uplink.hostEnd.addresses, "seed \(seed)")
                    #expect(after.host.tables[.host] == .content(uplink.hostTable), "seed \(seed)")
                    #expect(after.host.settings[.ipv4Forwarding] == "1", "seed \(seed)")
                    let ndmz = after.namespaces["ndmz"]
                    #expect(ndmz?.links[Ownership.ndmzUplinkInterface]?.addresses == uplink.ndmzEnd.addresses)
                    #expect(Set(uplink.routes).isSubset(of: Set(ndmz?.routes.compactMap(\.spec) ?? [])), "seed \(seed)")
                } else {
                    #expect(after.host == drifted.host, "seed \(seed)")
                }
            } catch {
                Issue.record("seed \(seed): \(error)\n\(plan)")
            }
        }
    }

    @Test func teardownRemovesAllThatIsOursAndNothingElse() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            guard
                let running = try? NodeDesiredState(
                    node: Samples.node, inputs: Self.inputs(Self.subset(&rng)), uplink: Self.uplink(&rng))
            else {
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
                // Node setup's part of the host is gone but for the forwarding setting, left as it was.
                #expect(after.host == NamespaceSnapshot(settings: drifted.host.settings), "seed \(seed)")
                #expect(Self.foreign(after) == Self.foreign(drifted), "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)\n\(plan)")
            }
        }
    }
}
