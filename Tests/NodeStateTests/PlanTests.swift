import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import Testing
import ZmeshCrypto
import ZmeshModel

@Suite struct PlanTests {
    /// Index of the first action matching `predicate`.
    func index(_ plan: ReconcilePlan, _ predicate: (NodeAction) -> Bool) throws -> Int {
        let found = plan.actions.firstIndex(where: predicate)
        return try #require(found)
    }

    @Test func anEmptyNodeGetsEverythingInAValidOrderAndConvergesInOnePass() throws {
        let desired = Samples.desired(["office"])
        let nr = try #require(desired.resources.first)
        let plan = ReconcilePlan(from: Samples.hostOnly, to: desired)
        #expect(plan.refused.isEmpty)
        let after = try KernelModel.apply(plan, to: Samples.hostOnly)  // refuses any out-of-order step
        #expect(ReconcilePlan(from: after, to: desired).isEmpty)

        let ns = NamespaceRef.named(nr.namespace)
        let w = nr.wireGuard.link.name
        let createNDMZ = try index(plan) { $0 == .createNamespace("ndmz") }
        let createNR = try index(plan) { $0 == .createNamespace(nr.namespace) }
        let veth = try index(plan) { if case .createVeth = $0 { true } else { false } }
        let createWG = try index(plan) { $0 == .createWireGuard(.host, w, mtu: 1420) }
        let move = try index(plan) { $0 == .moveLink(.host, w, to: ns) }
        let configure = try index(plan) { if case .configureWireGuard(ns, w, _) = $0 { true } else { false } }
        let address = try index(plan) { $0 == .addAddress(ns, w, Samples.address("100.64.20.1/16")) }
        let up = try index(plan) { $0 == .setUp(ns, w) }
        let route = try index(plan) { if case .replaceRoute(ns, let r) = $0 { r.device == w } else { false } }
        let table = try index(plan) { $0 == .applyTable(ns, nr.egress) }
        #expect(createNDMZ < veth && createNR < veth)
        #expect(createNR < createWG && createWG < move && move < configure && configure < up && address < up)
        #expect(up < route && route < table)
        // The WireGuard device is configured in full at once, and nothing replaces its peers.
        guard case .configureWireGuard(_, _, let update) = plan.actions[configure] else { return }
        #expect(
            update.peers.count == 3 && !update.replacePeers && update.listenPort == 51820 && update.privateKey != nil)
        // Nothing is done on the host but creating and moving the WireGuard link.
        #expect(
            plan.actions.filter { $0.namespace == .host } == [
                .createWireGuard(.host, w, mtu: 1420), .moveLink(.host, w, to: ns),
            ])
        #expect(after.publicSide == Samples.hostOnly.publicSide)
    }

    @Test func aConvergedNodeNeedsNothing() {
        for names in [["office"], ["a", "b", "c"], []] {
            let desired = Samples.desired(names)
            let running = Samples.converged(desired)
            #expect(ReconcilePlan(from: running, to: desired).actions == [], "\(names)")
        }
    }

    @Test func oneChangedPeerIsOneWireGuardUpdateOfThatPeer() throws {
        let before = Samples.desired(["office", "other"])
        let running = Samples.converged(before)
        let changed = Samples.deployment("office") { document in
            document.nodes[0].peers[1].endpoint = "198.51.100.7:51830"
        }
        let after = try NodeDesiredState(
            node: Samples.node,
            inputs: [Samples.input(changed), Samples.input(Samples.deployment("other", port: 51821))],
            current: running)
        let plan = ReconcilePlan(from: running, to: after)
        let nr = try #require(after.resources.first { $0.id == changed.network.id })
        let peer = changed.node(Samples.node)!.peers[1]
        #expect(
            plan.actions == [
                .configureWireGuard(
                    .named(nr.namespace), nr.wireGuard.link.name,
                    DeviceUpdate(peers: [PeerUpdate(publicKey: peer.publicKey, endpoint: peer.endpoint)]))
            ])
        let applied = try KernelModel.apply(plan, to: running)
        #expect(ReconcilePlan(from: applied, to: after).isEmpty)
    }

    @Test func addingAndRemovingAPeerTouchesOnlyThatPeer() throws {
        let running = Samples.converged(Samples.desired(["office"]))
        var desired = Samples.desired(["office"])
        let removed = desired.resources[0].wireGuard.configuration.peers.removeLast()
        let added = PeerConfiguration(
            publicKey: Fixtures.publicKey(0x50), allowedIPs: [Samples.prefix("10.20.201.0/24")])
        desired.resources[0].wireGuard.configuration.peers.append(added)
        let plan = ReconcilePlan(from: running, to: desired)
        #expect(plan.actions.count == 1)
        guard case .configureWireGuard(_, _, let update) = plan.actions.first else {
            Issue.record("expected one WireGuard update, got \(plan.actions)")
            return
        }
        #expect(update.peers == [.removing(removed.publicKey), PeerUpdate(creating: added)])
        #expect(update.privateKey == nil && update.listenPort == nil && !update.replacePeers)
    }

    @Test func driftIsRepairedWithExactlyTheMissingObjects() throws {
        let desired = Samples.desired(["office", "other"])
        let running = Samples.converged(desired)
        let nr = desired.resources[0]
        let ns = NamespaceRef.named(nr.namespace)
        let w = nr.wireGuard.link.name
        func plan(_ edit: (inout KernelModel) throws -> Void) throws -> ReconcilePlan {
            var model = KernelModel(running)
            try edit(&model)
            let plan = ReconcilePlan(from: model.snapshot, to: desired)
            let repaired = try KernelModel.apply(plan, to: model.snapshot)
            #expect(ReconcilePlan(from: repaired, to: desired).isEmpty)
            #expect(plan.refused.isEmpty)
            return plan
        }

        // `ip link del w-<id>`: created again on the public side, moved, configured, addressed, up, its routes back.
        let wireGuard = try plan { try $0.apply(.deleteLink(ns, w)) }
        let update = DeviceUpdate(from: DeviceStatus(name: w), to: nr.wireGuard.configuration)
        #expect(
            wireGuard.actions == [
                .createWireGuard(.host, w, mtu: 1420), .moveLink(.host, w, to: ns), .configureWireGuard(ns, w, update),
                .addAddress(ns, w, Samples.address("100.64.20.1/16")), .setUp(ns, w),
                .replaceRoute(ns, nr.routes[0]), .replaceRoute(ns, nr.routes[1]),
            ])

        // `ip route del 10.20.0.0/16`: that route only.
        let route = try plan { try $0.apply(.deleteRoute(ns, nr.routes[0])) }
        #expect(route.actions == [.replaceRoute(ns, nr.routes[0])])

        // `nft delete table inet zmesh-nr`: that table only.
        let table = try plan { try $0.apply(.deleteTable(ns, .networkResource)) }
        #expect(table.actions == [.applyTable(ns, nr.egress)])

        // An address removed from the bridge: that address.
        let address = try plan { model in
            try model.apply(.deleteAddress(ns, nr.bridge.name, Samples.address("10.20.1.1/24")))
        }
        #expect(address.actions == [.addAddress(ns, nr.bridge.name, Samples.address("10.20.1.1/24"))])

        // `ip netns del n-<id>`: that NR again, nothing for the other one.
        let namespace = try plan { try $0.apply(.deleteNamespace(nr.namespace)) }
        #expect(namespace.actions.first == .createNamespace(nr.namespace))
        #expect(
            namespace.actions.allSatisfy {
                $0.namespace == ns || $0.namespace == .host || $0.namespace == .named("ndmz")
            })
        #expect(namespace.actions.contains(.createWireGuard(.host, w, mtu: 1420)))
        #expect(!namespace.actions.contains { $0.isRemoval })

        // `ip netns del ndmz`: the ndmz and the veths of both NRs, nothing else.
        let ndmz = try plan { try $0.apply(.deleteNamespace("ndmz")) }
        #expect(ndmz.actions.first == .createNamespace("ndmz"))
        #expect(ndmz.actions.filter { if case .createVeth = $0 { true } else { false } }.count == 2)
        #expect(!ndmz.actions.contains { if case .createWireGuard = $0 { true } else { false } })
        #expect(!ndmz.actions.contains { $0.isRemoval })

        // Forwarding turned off in the NR: one sysctl.
        let sysctl = try plan { try $0.apply(.setSysctl(ns, .ipv4Forwarding, "0")) }
        #expect(sysctl.actions == [.setSysctl(ns, .ipv4Forwarding, "1")])
    }

    @Test func aStaleStaticRouteAndAStaleAddressOnOurLinksGoOthersStay() throws {
        let desired = Samples.desired(["office"])
        var running = Samples.converged(desired)
        let nr = desired.resources[0]
        let ns = NamespaceRef.named(nr.namespace)
        let stale = RouteSpec(destination: Samples.prefix("10.30.0.0/16"), device: nr.wireGuard.link.name)
        running.namespaces[nr.namespace]?.routes += [
            ObservedRoute(stale),
            ObservedRoute(destination: Samples.prefix("10.20.1.0/24"), device: nr.bridge.name, routeProtocol: 2),
        ]
        running.namespaces[nr.namespace]?.links[nr.bridge.name]?.addresses.formUnion([
            Samples.address("10.20.9.1/24"), Samples.address("fe80::1/64"),
        ])
        let plan = ReconcilePlan(from: running, to: desired)
        #expect(
            plan.actions == [
                .deleteAddress(ns, nr.bridge.name, Samples.address("10.20.9.1/24")), .deleteRoute(ns, stale),
            ])
    }

    @Test func aWireGuardLinkLeftOnThePublicSideIsAdoptedNotRecreated() throws {
        let desired = Samples.desired(["office"])
        let nr = desired.resources[0]
        var running = Samples.converged(desired)
        // An agent died between create and move: the link is on the host, configured.
        var model = KernelModel(running)
        try model.apply(.deleteLink(.named(nr.namespace), nr.wireGuard.link.name))
        try model.apply(.createWireGuard(.host, nr.wireGuard.link.name, mtu: 1420))
        running = model.snapshot
        let plan = ReconcilePlan(from: running, to: desired)
        #expect(!plan.actions.contains { if case .createWireGuard = $0 { true } else { false } })
        #expect(plan.actions.first == .moveLink(.host, nr.wireGuard.link.name, to: .named(nr.namespace)))
        #expect(ReconcilePlan(from: try KernelModel.apply(plan, to: running), to: desired).isEmpty)
    }

    @Test func removingANetworkDeletesExactlyWhatItCreated() throws {
        let both = Samples.desired(["office", "other"])
        let running = Samples.converged(both)
        let kept = Samples.desired(["office"])
        let gone = try #require(both.resources.first { $0.id != kept.resources[0].id })
        let plan = ReconcilePlan(from: running, to: kept)
        #expect(plan.actions == [.deleteLink(.named("ndmz"), gone.ndmzEnd.name), .deleteNamespace(gone.namespace)])
        let after = try KernelModel.apply(plan, to: running)
        #expect(after == Samples.converged(kept))
    }

    @Test func foreignObjectsAreNeverActedOn() throws {
        let desired = Samples.desired(["office"])
        var host = Samples.hostOnly
        Samples.addForeignObjects(to: &host, resource: nil)
        var running = Samples.converged(desired, host: host)
        Samples.addForeignObjects(to: &running, resource: desired.resources[0].id)
        #expect(ReconcilePlan(from: running, to: desired).actions == [])

        // Removing every network and tearing down touch none of them either.
        for plan in [ReconcilePlan(from: running, to: Samples.desired([])), ReconcilePlan.teardown(running)] {
            #expect(plan.refused.isEmpty)
            let after = try KernelModel.apply(plan, to: running)
            #expect(after.publicSide == running.publicSide)
            for name in ["cni-1234", "n-foo", "public-ish"] {
                #expect(after.namespaces[name] == running.namespaces[name])
            }
        }
        let torn = try KernelModel.apply(ReconcilePlan.teardown(running), to: running)
        #expect(Set(torn.namespaces.keys) == ["cni-1234", "n-foo", "public-ish"])
    }

    @Test func theOwnershipGuardRefusesForeignTargets() {
        let docker = Samples.name("docker0")
        let id = Samples.desired(["office"]).resources[0].id
        let foreign: [NodeAction] = [
            .deleteNamespace("cni-1234"), .deleteNamespace("n-foo"), .createNamespace("public"),
            .deleteLink(.host, docker), .setUp(.host, docker), .deleteLink(.host, Samples.name("w-eth0")),
            .deleteLink(.named("cni-1234"), Samples.name("ndmz")), .deleteTable(.host, .networkResource),
            .deleteTable(.named("cni-1234"), .networkResource),
            .deleteLink(.named(id.namespaceName), Samples.name("t-workload1")),
            .deleteLink(.named(id.namespaceName), Samples.name("lo")),
            .deleteRoute(
                .named(id.namespaceName),
                RouteSpec(destination: Samples.prefix("10.99.0.0/16"), device: Samples.name("t-workload1"))),
            .moveLink(.host, docker, to: .named(id.namespaceName)),
            .createWireGuard(.named(id.namespaceName), id.wireGuardInterface, mtu: 1420),
        ]
        for action in foreign { #expect(!Ownership.permits(action, publicSide: .host), "\(action)") }
        #expect(Ownership.permits(.deleteLink(.host, id.wireGuardInterface), publicSide: .host))
        #expect(!Ownership.permits(.deleteLink(.host, id.wireGuardInterface), publicSide: .named("public")))
    }
}
