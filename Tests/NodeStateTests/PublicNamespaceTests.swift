import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import PropertyBased
import Testing
import ZmeshModel

/// Node setup's `public` namespace (`PublicConfig`, `PublicNamespaceState`): validation, the desired
/// objects, the plan's order, drift, ownership, teardown, and a property over random drift.
@Suite(.shrinking(false)) struct PublicNamespaceTests {
    static let publicRef = NamespaceRef.named("public")
    static let macvlan = Samples.name("public")
    static let parent = Samples.name("eth1")

    static let config: PublicConfig = {
        do {
            return try PublicConfig(
                parent: parent, ipv4: Samples.address("203.0.113.10/24"), gateway4: Samples.ip("203.0.113.1"),
                ipv6: Samples.address("2001:db8:1::10/64"), gateway6: Samples.ip("fe80::1"))
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    static func desired(_ names: [String], uplink: NDMZUplink? = nil, public: PublicConfig? = config) throws
        -> NodeDesiredState
    {
        let inputs = names.enumerated().map { Samples.input(Samples.deployment($1, port: 51820 + Int64($0))) }
        return try NodeDesiredState(node: Samples.node, inputs: inputs, uplink: uplink, public: `public`)
    }

    /// A node with no zmesh object: the host's part (forwarding off) and a foreign namespace.
    static var empty: NodeSnapshot {
        NodeSnapshot(
            namespaces: ["cni-1234": NamespaceSnapshot(links: [ObservedLink(name: Samples.name("eth0"), kind: "veth")])],
            host: NamespaceSnapshot(settings: [.ipv4Forwarding: "0"]))
    }

    static func apply(_ plan: ReconcilePlan, to snapshot: NodeSnapshot) throws -> NodeSnapshot {
        try KernelModel.apply(plan, to: snapshot, publicSide: publicRef)
    }

    static func converged(_ desired: NodeDesiredState, from start: NodeSnapshot = empty) throws -> NodeSnapshot {
        try apply(ReconcilePlan(from: start, to: desired), to: start)
    }

    // MARK: - The configuration

    @Test func aValidConfigurationAndItsPublicAddresses() throws {
        #expect(Self.config.publicAddresses == [Samples.ip("203.0.113.10"), Samples.ip("2001:db8:1::10")])
        let v4Only = try PublicConfig(
            parent: Self.parent, ipv4: Samples.address("198.51.100.7/31"), gateway4: Samples.ip("198.51.100.6"))
        #expect(v4Only.publicAddresses == [Samples.ip("198.51.100.7")])
        _ = try PublicConfig(
            parent: Self.parent, ipv4: Samples.address("203.0.113.10/24"), gateway4: Samples.ip("203.0.113.1"),
            ipv6: Samples.address("2001:db8:1::10/64"), gateway6: Samples.ip("2001:db8:1::1"))
    }

    @Test(arguments: [
        ("2001:db8::5/64", "203.0.113.1", nil, nil, "public address 2001:db8::5/64"),
        ("203.0.113.10/32", "203.0.113.1", nil, nil, "public address 203.0.113.10/32"),
        ("203.0.113.10/24", "198.51.100.1", nil, nil, "public gateway 198.51.100.1"),
        ("203.0.113.10/24", "203.0.113.10", nil, nil, "public gateway 203.0.113.10"),
        ("203.0.113.10/24", "2001:db8::1", nil, nil, "public gateway 2001:db8::1"),
        ("203.0.113.10/24", "203.0.113.1", "2001:db8::5/64", nil, "public IPv6 address 2001:db8::5/64"),
        ("203.0.113.10/24", "203.0.113.1", nil, "fe80::1", "public IPv6 gateway fe80::1"),
        ("203.0.113.10/24", "203.0.113.1", "fe80::5/64", "fe80::1", "public IPv6 address fe80::5/64"),
        ("203.0.113.10/24", "203.0.113.1", "198.51.100.5/24", "198.51.100.1", "public IPv6 address 198.51.100.5/24"),
        ("203.0.113.10/24", "203.0.113.1", "2001:db8::5/64", "2001:db9::1", "public IPv6 gateway 2001:db9::1"),
    ] as [(String, String, String?, String?, String)])
    func refusedConfigurationsNameTheValue(_ sample: (String, String, String?, String?, String)) {
        let (ipv4, gateway4, ipv6, gateway6, named) = sample
        let error = #expect(throws: PublicConfigError.self) {
            try PublicConfig(
                parent: Self.parent, ipv4: Samples.address(ipv4), gateway4: Samples.ip(gateway4),
                ipv6: ipv6.map(Samples.address), gateway6: gateway6.map(Samples.ip))
        }
        #expect(error?.value == named, "\(String(describing: error))")
        #expect(error?.description.hasPrefix(named + ": ") == true)
    }

    // MARK: - Desired state

    @Test func theDesiredNamespaceAndThePublicSide() throws {
        let desired = try Self.desired(["office", "lab"])
        #expect(desired.publicSide == Self.publicRef)
        let state = try #require(desired.publicNamespace)
        #expect(state.namespace == "public")
        #expect(state.parent == Self.parent)
        #expect(
            state.link
                == LinkState(
                    name: Self.macvlan, mtu: nil,
                    addresses: [Samples.address("203.0.113.10/24"), Samples.address("2001:db8:1::10/64")]))
        #expect(
            state.routes == [
                RouteSpec(destination: Samples.prefix("0.0.0.0/0"), gateway: Samples.ip("203.0.113.1"), device: Self.macvlan),
                RouteSpec(destination: Samples.prefix("::/0"), gateway: Samples.ip("fe80::1"), device: Self.macvlan),
            ])
        #expect(state.table == (try PublicIngress(wireGuardPorts: [51820, 51821]).table()))
        #expect(state.table.name == Samples.table("zmesh-public"))
        // Without a configuration: no namespace, the public side as given.
        let plain = try Self.desired(["office"], public: nil)
        #expect(plain.publicNamespace == nil && plain.publicSide == .host)
        // With no network the table still stands, open to no UDP port.
        let bare = try #require(try Self.desired([]).publicNamespace)
        #expect(!bare.table.definition.contains("udp"))
    }

    // MARK: - The plan

    @Test func anEmptyNodeGetsTheNamespaceIsolatedBeforeItsLinkAndBeforeAnyWireGuard() throws {
        let desired = try Self.desired(["office", "lab"], uplink: Samples.uplink)
        let plan = ReconcilePlan(from: Self.empty, to: desired)
        #expect(plan.refused == [])
        let actions = plan.actions
        func index(_ match: (NodeAction) -> Bool) throws -> Int {
            let found = actions.firstIndex(where: match)
            return try #require(found)
        }
        let create = try index { $0 == .createNamespace("public") }
        let table = try index { if case .applyTable(Self.publicRef, _) = $0 { true } else { false } }
        let macvlan = try index {
            $0 == .createMacvlan(.host, Self.macvlan, parent: Self.parent, linkNamespace: Self.publicRef)
        }
        let up = try index { $0 == .setUp(Self.publicRef, Self.macvlan) }
        let firstWireGuard = try index { if case .createWireGuard = $0 { true } else { false } }
        #expect(create < table && table < macvlan && macvlan < up && up < firstWireGuard)
        #expect(actions.contains(.setSysctl(Self.publicRef, .ipv4Forwarding, "0")))
        #expect(actions.contains(.setSysctl(Self.publicRef, .ipv6Forwarding, "0")))
        #expect(actions.contains(.setUp(Self.publicRef, Samples.name("lo"))))
        // Every WireGuard link is born in `public` and moved from there.
        for action in actions {
            if case .createWireGuard(let ns, _, _) = action { #expect(ns == Self.publicRef) }
            if case .moveLink(let ns, _, _) = action { #expect(ns == Self.publicRef) }
        }
        let after = try Self.apply(plan, to: Self.empty)
        #expect(ReconcilePlan(from: after, to: desired).actions == [], "one pass converges")
        let ns = try #require(after.namespaces["public"])
        #expect(ns.links[Self.macvlan]?.kind == "macvlan" && ns.links[Self.macvlan]?.isUp == true)
        #expect(ns.links[Self.macvlan]?.addresses == desired.publicNamespace?.link.addresses)
        #expect(ns.settings == [.ipv4Forwarding: "0", .ipv6Forwarding: "0"])
        #expect(Set(ns.routes.compactMap(\.spec)) == Set(desired.publicNamespace?.routes ?? []))
        #expect(Array(ns.tables.keys) == [.publicIngress])
        #expect(after.namespaces["cni-1234"] == Self.empty.namespaces["cni-1234"])
        // Nothing of the networks stays in `public`: the links were moved on.
        #expect(ns.links.keys.allSatisfy { Ownership.networkID(ofWireGuard: $0) == nil })
    }

    @Test func driftIsRepairedWithExactlyTheMissingObjects() throws {
        let desired = try Self.desired(["office"])
        let running = try Self.converged(desired)
        let state = try #require(desired.publicNamespace)
        func plan(_ edit: (inout KernelModel) throws -> Void) throws -> [NodeAction] {
            var model = KernelModel(running, publicSide: Self.publicRef)
            try edit(&model)
            let plan = ReconcilePlan(from: model.snapshot, to: desired)
            #expect(plan.refused == [])
            let repaired = try Self.apply(plan, to: model.snapshot)
            #expect(ReconcilePlan(from: repaired, to: desired).actions == [])
            return plan.actions
        }
        #expect(try plan { try $0.apply(.deleteTable(Self.publicRef, .publicIngress)) } == [
            .applyTable(Self.publicRef, state.table)
        ])
        let v4Route = state.routes[0]
        #expect(try plan { try $0.apply(.deleteRoute(Self.publicRef, v4Route)) } == [.replaceRoute(Self.publicRef, v4Route)])
        #expect(
            try plan { try $0.apply(.setSysctl(Self.publicRef, .ipv4Forwarding, "1")) } == [
                .setSysctl(Self.publicRef, .ipv4Forwarding, "0")
            ])
        let stray = Samples.address("203.0.113.99/24")
        #expect(
            try plan { try $0.apply(.addAddress(Self.publicRef, Self.macvlan, stray)) } == [
                .deleteAddress(Self.publicRef, Self.macvlan, stray)
            ])
        // The macvlan deleted: made again on its parent, addressed, up, routed.
        let recreated = try plan { try $0.apply(.deleteLink(Self.publicRef, Self.macvlan)) }
        #expect(recreated.first == .createMacvlan(.host, Self.macvlan, parent: Self.parent, linkNamespace: Self.publicRef))
        #expect(recreated.filter { if case .replaceRoute = $0 { true } else { false } }.count == 2)
        // Something else called `public` in it: replaced.
        let replaced = try plan { model in
            try model.apply(.deleteLink(Self.publicRef, Self.macvlan))
            model.named["public"]?.links[Self.macvlan] = ObservedLink(name: Self.macvlan, kind: "dummy")
        }
        #expect(Array(replaced.prefix(2)) == [
            .deleteLink(Self.publicRef, Self.macvlan),
            .createMacvlan(.host, Self.macvlan, parent: Self.parent, linkNamespace: Self.publicRef),
        ])
        // The namespace deleted: all of it again.
        let again = try plan { try $0.apply(.deleteNamespace("public")) }
        #expect(again.first == .createNamespace("public"))
        // A new network opens its port in the table.
        let more = try Self.desired(["office", "lab"])
        let grown = ReconcilePlan(from: running, to: more).actions
        #expect(grown.contains(.applyTable(Self.publicRef, try PublicIngress(wireGuardPorts: [51820, 51821]).table())))
    }

    @Test func withoutAConfigurationANamespaceCalledPublicIsForeign() throws {
        var snapshot = Self.empty
        snapshot.namespaces["public"] = NamespaceSnapshot(links: [ObservedLink(name: Self.macvlan, kind: "macvlan")])
        let plain = try Self.desired(["office"], public: nil)
        let plan = ReconcilePlan(from: snapshot, to: plain)
        #expect(!plan.actions.contains { $0.namespace == Self.publicRef })
        #expect(!ReconcilePlan.teardown(snapshot).actions.contains { $0.namespace == Self.publicRef })
    }

    @Test func theOwnershipGuardAllowsExactlyThePublicNamespacesObjects() {
        let table = try? PublicIngress(wireGuardPorts: [51820]).table()
        let ours: [NodeAction] = [
            .createNamespace("public"), .deleteNamespace("public"), .setSysctl(Self.publicRef, .ipv4Forwarding, "0"),
            .createMacvlan(.host, Self.macvlan, parent: Self.parent, linkNamespace: Self.publicRef),
            .setUp(Self.publicRef, Self.macvlan), .setUp(Self.publicRef, Samples.name("lo")),
            .addAddress(Self.publicRef, Self.macvlan, Samples.address("203.0.113.10/24")),
            .deleteLink(Self.publicRef, Self.macvlan),
            .replaceRoute(
                Self.publicRef,
                RouteSpec(destination: Samples.prefix("0.0.0.0/0"), gateway: Samples.ip("203.0.113.1"), device: Self.macvlan)),
            .applyTable(Self.publicRef, table!), .deleteTable(Self.publicRef, .publicIngress),
        ]
        for action in ours {
            #expect(Ownership.permits(action, publicSide: Self.publicRef), "\(action)")
            // Not the agent's when the public side is elsewhere.
            #expect(!Ownership.permits(action, publicSide: .host), "\(action)")
        }
        let foreign: [NodeAction] = [
            .setSysctl(Self.publicRef, .ipv4Forwarding, "1"),
            .createMacvlan(.host, Samples.name("eth9"), parent: Self.parent, linkNamespace: Self.publicRef),
            .createMacvlan(.host, Self.macvlan, parent: Self.parent, linkNamespace: .named("ndmz")),
            .createMacvlan(.named("ndmz"), Self.macvlan, parent: Self.parent, linkNamespace: Self.publicRef),
            .deleteLink(Self.publicRef, Samples.name("lo")), .deleteLink(Self.publicRef, Samples.name("eth0")),
            .setUp(.host, Self.parent), .deleteLink(.host, Self.parent),
            .replaceRoute(
                Self.publicRef, RouteSpec(destination: Samples.prefix("10.0.0.0/8"), device: Samples.name("eth0"))),
            .createNamespace("public2"),
        ]
        for action in foreign { #expect(!Ownership.permits(action, publicSide: Self.publicRef), "\(action)") }
    }

    @Test func teardownRemovesTheNamespaceAfterTheNetworks() throws {
        let running = try Self.converged(try Self.desired(["office", "lab"], uplink: Samples.uplink))
        let plan = ReconcilePlan.teardown(running, publicSide: Self.publicRef)
        #expect(plan.refused == [])
        let last = try #require(plan.actions.lastIndex { if case .deleteNamespace(let n) = $0 { n.hasPrefix("n-") } else { false } })
        #expect(plan.actions.last == .deleteNamespace("public"))
        #expect(last < plan.actions.count - 1)
        let torn = try Self.apply(plan, to: running)
        #expect(Set(torn.namespaces.keys) == ["cni-1234"])
        #expect(torn.namespaces["cni-1234"] == Self.empty.namespaces["cni-1234"])
    }

    // MARK: - Property

    static let pool = ["p0", "p1", "p2", "p3", "p4"]

    static func inputs(_ names: [String]) -> [NodeDesiredState.Input] {
        names.map { Samples.input(Samples.deployment($0, port: 51820 + Int64(pool.firstIndex(of: $0) ?? 0))) }
    }

    static func drift(_ snapshot: NodeSnapshot, _ rng: inout SplitMix64) -> NodeSnapshot {
        var model = KernelModel(snapshot, publicSide: publicRef)
        let ids = snapshot.namespaces.keys.compactMap(Ownership.networkID(ofNamespace:)).sorted()
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let id = ids.randomElement(using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: try? model.apply(.deleteLink(publicRef, macvlan))
            case 1: try? model.apply(.deleteNamespace("public"))
            case 2: try? model.apply(.deleteTable(publicRef, .publicIngress))
            case 3: try? model.apply(.setSysctl(publicRef, .ipv6Forwarding, "1"))
            case 4:
                if let route = model.named["public"]?.routes.randomElement(using: &rng)?.spec {
                    try? model.apply(.deleteRoute(publicRef, route))
                }
            case 5: model.named["public"]?.links[macvlan]?.isUp = false
            case 6:
                // A foreign link in `public`, and a stray WireGuard link left there by a create-then-move.
                model.named["public"]?.links[Samples.name("eth7")] = ObservedLink(name: Samples.name("eth7"), kind: "dummy")
                if let id { try? model.apply(.createWireGuard(publicRef, id.wireGuardInterface, mtu: 1420)) }
            case 7: if let id { try? model.apply(.deleteNamespace(id.namespaceName)) }
            case 8: if let id { try? model.apply(.deleteLink(.named(id.namespaceName), id.wireGuardInterface)) }
            default: model.named["public"]?.tables[Samples.table("zmesh-other")] = .unrecognised
            }
        }
        return model.snapshot
    }

    @Test func anyDriftConvergesInOnePassAndTeardownLeavesOnlyForeignObjects() async {
        await propertyCheck(count: 150, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let sub = { (rng: inout SplitMix64) in Self.pool.filter { _ in Bool.random(using: &rng) } }
            guard
                let running = try? NodeDesiredState(
                    node: Samples.node, inputs: Self.inputs(sub(&rng)), uplink: Samples.uplink, public: Self.config),
                let start = try? Self.converged(running)
            else {
                Issue.record("seed \(seed): running state")
                return
            }
            let drifted = Self.drift(start, &rng)
            guard
                let desired = try? NodeDesiredState(
                    node: Samples.node, inputs: Self.inputs(sub(&rng)), uplink: Samples.uplink, current: drifted,
                    public: Self.config)
            else {
                Issue.record("seed \(seed): desired state")
                return
            }
            let plan = ReconcilePlan(from: drifted, to: desired)
            #expect(plan.refused == [], "seed \(seed)")
            do {
                let after = try Self.apply(plan, to: drifted)
                #expect(ReconcilePlan(from: after, to: desired).actions == [], "seed \(seed): not converged\n\(plan)")
                #expect(after.namespaces["cni-1234"] == drifted.namespaces["cni-1234"], "seed \(seed)")
                let ns = after.namespaces["public"]
                #expect(ns?.links[Self.macvlan]?.isUp == true, "seed \(seed)")
                #expect(ns?.tables[.publicIngress] == desired.publicNamespace.map { .content($0.table) }, "seed \(seed)")
                // A foreign link in `public` survives the repair (unless the namespace itself was re-made).
                if let eth7 = drifted.namespaces["public"]?.links[Samples.name("eth7")] {
                    #expect(ns?.links[Samples.name("eth7")] == eth7, "seed \(seed)")
                }
                #expect(
                    ns?.links.keys.allSatisfy { Ownership.networkID(ofWireGuard: $0) == nil } == true, "seed \(seed)")

                let teardown = ReconcilePlan.teardown(after, publicSide: Self.publicRef)
                #expect(teardown.refused == [], "seed \(seed)")
                let torn = try Self.apply(teardown, to: after)
                #expect(Set(torn.namespaces.keys) == ["cni-1234"], "seed \(seed)")
                #expect(torn.namespaces["cni-1234"] == drifted.namespaces["cni-1234"], "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)\n\(plan)")
            }
        }
    }
}
