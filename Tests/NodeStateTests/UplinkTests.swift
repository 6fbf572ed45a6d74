import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import Testing
import ZmeshCrypto
import ZmeshModel

/// Node setup: the ndmz's uplink through the host (`NDMZUplink`, `NDMZUplinkState`), its policy, and
/// what the diff does with them.
@Suite struct UplinkTests {
    static let hostRef = NamespaceRef.host
    static let ndmzRef = NamespaceRef.named("ndmz")
    static let hostEnd = Samples.name("ndmz")
    static let ndmzEnd = Samples.name("host")

    /// Everything node setup wants on the host, as the snapshot's `host` part holds it.
    static func hostPart(_ uplink: NDMZUplinkState, forwarding: String = "1") -> NamespaceSnapshot {
        NamespaceSnapshot(
            links: [ObservedLink(name: hostEnd, kind: "veth", addresses: uplink.hostEnd.addresses)],
            tables: [.host: .content(uplink.hostTable)], settings: [.ipv4Forwarding: forwarding])
    }

    func isVeth(_ action: NodeAction) -> Bool { if case .createVeth = action { true } else { false } }

    // MARK: - Desired state

    @Test func theUplinkIsSlotZeroOfTheNDMZRangeWithTheHostTableAndThePolicy() throws {
        let desired = Samples.desired(["office"], uplink: Samples.uplink)
        let uplink = try #require(desired.ndmz.uplink)
        #expect(uplink.hostEnd == LinkState(name: Self.hostEnd, mtu: nil, addresses: [Samples.address("100.127.0.0/31")]))
        #expect(uplink.ndmzEnd == LinkState(name: Self.ndmzEnd, mtu: nil, addresses: [Samples.address("100.127.0.1/31")]))
        #expect(
            uplink.routes == [
                RouteSpec(destination: Samples.prefix("0.0.0.0/0"), gateway: Samples.ip("100.127.0.0"), device: Self.ndmzEnd)
            ])
        #expect(uplink.hostTable == (try HostUplink(uplink: Self.hostEnd, sources: [ReservedRanges.ndmz]).table()))
        #expect(
            uplink.hostTable.definition == """
                table inet zmesh-host {
                \tchain postrouting {
                \t\ttype nat hook postrouting priority 100; policy accept;
                \t\toifname != "ndmz" ip saddr 100.127.0.0/16 masquerade
                \t}

                \tchain forward {
                \t\ttype filter hook forward priority 0; policy accept;
                \t\toifname "ndmz" ct state established,related accept
                \t\toifname "ndmz" drop
                \t\tiifname "ndmz" ct state invalid drop
                \t\tiifname "ndmz" accept
                \t}

                \tchain input {
                \t\ttype filter hook input priority 0; policy accept;
                \t\tiifname "ndmz" ct state established,related accept
                \t\tiifname "ndmz" drop
                \t}
                }

                """)
        // The host's address and its LAN are protected (loopback and link-local are not
        // destinations to protect), the whole ndmz range too; the gateway stays reachable.
        #expect(
            desired.ndmz.policy
                == (try NDMZPolicy(
                    publicInterface: Self.ndmzEnd, resourceInterfaces: .prefix("n-"),
                    defaultGateways: [Samples.ip("192.0.2.1")],
                    protectedDestinations: [
                        Samples.prefix("100.127.0.0/16"), Samples.prefix("192.0.2.0/24"), Samples.prefix("192.0.2.10/32"),
                    ]
                ).table()))
        let policy = try #require(desired.ndmz.policy?.definition)
        #expect(policy.contains("oifname \"host\" masquerade"))
        #expect(policy.contains("iifname \"n-*\" oifname \"n-*\" drop"))
        #expect(policy.contains("ip daddr { 100.127.0.0/16, 192.0.2.0/24, 192.0.2.10 } drop"))
    }

    @Test func withoutAnUplinkNothingChangesAndAnExplicitPolicyWins() throws {
        let plain = Samples.desired(["office"])
        #expect(plain.ndmz.uplink == nil && plain.ndmz.policy == nil)
        let explicit = try NDMZPolicy(publicInterface: Samples.name("uplink0"), resourceInterfaces: .prefix("n-")).table()
        let desired = try NodeDesiredState(
            node: Samples.node, inputs: [Samples.input(Samples.deployment())], uplink: Samples.uplink,
            ndmzPolicy: explicit)
        #expect(desired.ndmz.policy == explicit)
        #expect(desired.ndmz.uplink != nil)
    }

    @Test func noNetworkResourceEverTakesTheUplinksSlot() throws {
        let desired = Samples.desired((0..<40).map { "net\($0)" }, uplink: Samples.uplink)
        let uplinkSlot = Samples.prefix("100.127.0.0/31")
        for nr in desired.resources {
            for address in nr.uplink.addresses.union(nr.ndmzEnd.addresses) {
                #expect(!uplinkSlot.contains(address.address), "\(nr.id) has \(address)")
            }
        }
        // An NR found on the uplink's /31 (someone put it there) is not adopted there.
        var running = Samples.converged(Samples.desired(["office"]))
        let id = try #require(running.namespaces.keys.compactMap(Ownership.networkID(ofNamespace:)).first)
        running.namespaces[id.namespaceName]?.links[Samples.name("ndmz")]?.addresses = [
            Samples.address("100.127.0.1/31")
        ]
        let again = try NodeDesiredState(
            node: Samples.node, inputs: [Samples.input(Samples.deployment())], uplink: Samples.uplink, current: running)
        #expect(again.resources.first?.uplink.addresses != [Samples.address("100.127.0.1/31")])
    }

    @Test func hostAddressesBecomeProtectedPrefixes() {
        let uplink = NDMZUplink(hostAddresses: [
            Samples.address("10.0.0.5/8"), Samples.address("2001:db8::5/64"), Samples.address("::1/128"),
            Samples.address("169.254.1.1/16"), Samples.address("100.127.0.0/31"), Samples.address("127.0.0.1/8"),
        ])
        #expect(
            uplink.protectedDestinations == [
                Samples.prefix("10.0.0.0/8"), Samples.prefix("10.0.0.5/32"), Samples.prefix("2001:db8::/64"),
                Samples.prefix("2001:db8::5/128"),
            ])
        #expect(uplink.defaultGateways.isEmpty)
    }

    // MARK: - Plans

    @Test func anEmptyNodeGetsIsolationBeforeItsWayOutAndConvergesInOnePass() throws {
        let desired = Samples.desired(["office"], uplink: Samples.uplink)
        let uplink = try #require(desired.ndmz.uplink)
        let policy = try #require(desired.ndmz.policy)
        let nr = desired.resources[0]
        let plan = ReconcilePlan(from: Samples.hostOnly, to: desired)
        #expect(plan.refused.isEmpty)
        let after = try KernelModel.apply(plan, to: Samples.hostOnly)
        #expect(ReconcilePlan(from: after, to: desired).isEmpty)

        // On the host: the table, forwarding, the veth, its address, up; then WireGuard's create and move.
        let w = nr.wireGuard.link.name
        #expect(
            plan.actions.filter { $0.namespace == .host } == [
                .applyTable(.host, uplink.hostTable), .setSysctl(.host, .ipv4Forwarding, "1"),
                .createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef),
                .addAddress(.host, Self.hostEnd, Samples.address("100.127.0.0/31")), .setUp(.host, Self.hostEnd),
                .createWireGuard(.host, w, mtu: 1420), .moveLink(.host, w, to: .named(nr.namespace)),
            ])
        let position = { (action: NodeAction) in plan.actions.firstIndex(of: action) ?? Int.max }
        let ndmz = position(.createNamespace("ndmz"))
        let policyApplied = position(.applyTable(Self.ndmzRef, policy))
        let hostTable = position(.applyTable(.host, uplink.hostTable))
        let veth = position(.createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef))
        let route = position(.replaceRoute(Self.ndmzRef, uplink.routes[0]))
        let firstNR = position(.createNamespace(nr.namespace))
        #expect(ndmz < policyApplied && policyApplied < veth && hostTable < veth && veth < route && route < firstNR)
        #expect(position(.setUp(Self.ndmzRef, Self.ndmzEnd)) < route)

        // The kernel afterwards: exactly the uplink on the host, the host's own objects as they were.
        #expect(after.host == Self.hostPart(uplink))
        #expect(after.publicSide == Samples.hostOnly.publicSide)
        let ndmzAfter = try #require(after.namespaces["ndmz"])
        #expect(ndmzAfter.links[Self.ndmzEnd]?.addresses == uplink.ndmzEnd.addresses)
        #expect(ndmzAfter.links[Self.ndmzEnd]?.isUp == true)
        #expect(ndmzAfter.tables == [.ndmz: .content(policy)])
    }

    @Test func aConvergedNodeWithItsUplinkNeedsNothing() {
        for names in [[], ["office"], ["a", "b", "c"]] {
            let desired = Samples.desired(names, uplink: Samples.uplink)
            let running = Samples.converged(desired)
            #expect(ReconcilePlan(from: running, to: desired).actions == [], "\(names)")
        }
    }

    @Test func uplinkDriftIsRepairedWithExactlyTheMissingObjects() throws {
        let desired = Samples.desired(["office"], uplink: Samples.uplink)
        let uplink = try #require(desired.ndmz.uplink)
        let running = Samples.converged(desired)
        let hostAddress = Samples.address("100.127.0.0/31")
        let ndmzAddress = Samples.address("100.127.0.1/31")
        func plan(_ edit: (inout KernelModel) throws -> Void) throws -> [NodeAction] {
            var model = KernelModel(running)
            try edit(&model)
            let plan = ReconcilePlan(from: model.snapshot, to: desired)
            #expect(plan.refused.isEmpty)
            let repaired = try KernelModel.apply(plan, to: model.snapshot)
            #expect(ReconcilePlan(from: repaired, to: desired).isEmpty)
            #expect(repaired == running)
            return plan.actions
        }

        // `ip link del ndmz` on the host (its peer goes with it): the pair again, addressed, up, the route.
        #expect(
            try plan { try $0.apply(.deleteLink(.host, Self.hostEnd)) } == [
                .createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef),
                .addAddress(.host, Self.hostEnd, hostAddress), .setUp(.host, Self.hostEnd),
                .addAddress(Self.ndmzRef, Self.ndmzEnd, ndmzAddress), .setUp(Self.ndmzRef, Self.ndmzEnd),
                .replaceRoute(Self.ndmzRef, uplink.routes[0]),
            ])
        // `nft delete table inet zmesh-host`: that table.
        #expect(try plan { try $0.apply(.deleteTable(.host, .host)) } == [.applyTable(.host, uplink.hostTable)])
        // Forwarding turned off on the host: on again.
        #expect(
            try plan { try $0.apply(.setSysctl(.host, .ipv4Forwarding, "0")) } == [
                .setSysctl(.host, .ipv4Forwarding, "1")
            ])
        // The ndmz's default route deleted: that route.
        #expect(
            try plan { try $0.apply(.deleteRoute(Self.ndmzRef, uplink.routes[0])) } == [
                .replaceRoute(Self.ndmzRef, uplink.routes[0])
            ])
        // The ndmz's policy deleted: that table.
        let policy = try #require(desired.ndmz.policy)
        #expect(try plan { try $0.apply(.deleteTable(Self.ndmzRef, .ndmz)) } == [.applyTable(Self.ndmzRef, policy)])
        // The host's end down, with a stray address: up, the address out.
        let stray = Samples.address("10.66.0.1/24")
        #expect(
            try plan { model in
                model.hostNamespace.links[Self.hostEnd]?.isUp = false
                try model.apply(.addAddress(.host, Self.hostEnd, stray))
            } == [.deleteAddress(.host, Self.hostEnd, stray), .setUp(.host, Self.hostEnd)])
        // `ip netns del ndmz`: the ndmz again with its policy and both ends of the uplink, nothing removed.
        let ndmz = try plan { try $0.apply(.deleteNamespace("ndmz")) }
        #expect(ndmz.first == .createNamespace("ndmz"))
        #expect(ndmz.contains(.createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef)))
        #expect(ndmz.contains(.applyTable(Self.ndmzRef, policy)))
        #expect(!ndmz.contains { $0.isRemoval })
        // The ndmz's end replaced by something else: it goes, the pair is made again.
        let replaced = try plan { model in
            try model.apply(.deleteLink(Self.ndmzRef, Self.ndmzEnd))
            model.named["ndmz"]?.links[Self.ndmzEnd] = ObservedLink(name: Self.ndmzEnd, kind: "dummy")
        }
        #expect(replaced.first == .deleteLink(Self.ndmzRef, Self.ndmzEnd))
        #expect(replaced.contains(.createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef)))
    }

    @Test func withoutAnUplinkInTheDesiredStateTheUplinkIsLeftAlone() throws {
        let running = Samples.converged(Samples.desired(["office"], uplink: Samples.uplink))
        let plan = ReconcilePlan(from: running, to: Samples.desired(["office"]))
        #expect(plan.actions == [])
    }

    @Test func aHostLinkNamedNDMZOfAnotherKindIsNotTheAgents() throws {
        let desired = Samples.desired([], uplink: Samples.uplink)
        var host = Samples.hostOnly
        host.host.links[Self.hostEnd] = ObservedLink(name: Self.hostEnd, kind: "bridge")
        let plan = ReconcilePlan(from: host, to: desired)
        let onIt = plan.actions.filter { "\($0)".contains("link ndmz in host") || "\($0)".contains("to ndmz in host") }
        #expect(onIt.isEmpty, "\(onIt)")
        #expect(!plan.actions.contains { $0 == .setUp(.host, Self.hostEnd) })
        // The veth is still attempted: the kernel refuses it ("File exists"), which names the conflict.
        #expect(plan.actions.contains(.createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef)))
        #expect(throws: KernelModel.Refusal.self) { try KernelModel.apply(plan, to: host) }
        // Teardown leaves it too.
        #expect(!ReconcilePlan.teardown(host).actions.contains { $0.namespace == .host })
    }

    @Test func aHostVethNamedNDMZWithoutItsPeerInTheNDMZIsSomeoneElses() throws {
        // Another agent's uplink on the same host (its ndmz is not ours), or a leftover whose peer is
        // elsewhere: this ndmz has no `host`.
        let desired = Samples.desired(["office"], uplink: Samples.uplink)
        var running = Samples.converged(Samples.desired(["office"]))
        let table = try #require(desired.ndmz.uplink?.hostTable)
        running.host.links[Self.hostEnd] = ObservedLink(name: Self.hostEnd, kind: "veth", addresses: [Samples.address("100.127.0.0/31")])
        running.host.tables[.host] = .content(table)
        let plan = ReconcilePlan(from: running, to: desired)
        #expect(!plan.actions.contains(.deleteLink(.host, Self.hostEnd)))
        #expect(plan.actions.contains(.createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef)))
        #expect(!plan.actions.contains { $0 == .setUp(.host, Self.hostEnd) || $0.namespace == Self.ndmzRef && "\($0)".contains("host") })
        let teardown = ReconcilePlan.teardown(running)
        #expect(!teardown.actions.contains { $0.namespace == .host }, "\(teardown.actions)")
        // Without any host `ndmz`, a `zmesh-host` left behind (an interrupted teardown) goes.
        running.host.links[Self.hostEnd] = nil
        #expect(ReconcilePlan.teardown(running).actions.contains(.deleteTable(.host, .host)))
    }

    @Test func teardownRemovesTheUplinkAndLeavesTheHostsForwardingAndForeignObjects() throws {
        let desired = Samples.desired(["office"], uplink: Samples.uplink)
        var host = Samples.hostOnly
        Samples.addForeignObjects(to: &host, resource: nil)
        var running = Samples.converged(desired, host: host)
        Samples.addForeignObjects(to: &running, resource: desired.resources[0].id)
        #expect(ReconcilePlan(from: running, to: desired).actions == [])

        let plan = ReconcilePlan.teardown(running)
        #expect(plan.refused.isEmpty)
        #expect(plan.actions.contains(.deleteLink(.host, Self.hostEnd)))
        #expect(plan.actions.contains(.deleteTable(.host, .host)))
        #expect(!plan.actions.contains { if case .setSysctl = $0 { true } else { false } })
        let torn = try KernelModel.apply(plan, to: running)
        #expect(torn.host == NamespaceSnapshot(settings: [.ipv4Forwarding: "1"]))
        #expect(torn.publicSide == running.publicSide)
        #expect(Set(torn.namespaces.keys) == ["cni-1234", "n-foo", "public-ish"])

        // Removing every network keeps the uplink (node setup stays) and every foreign object.
        let empty = Samples.desired([], uplink: Samples.uplink)
        let removal = ReconcilePlan(from: running, to: empty)
        let afterRemoval = try KernelModel.apply(removal, to: running)
        #expect(afterRemoval.host == running.host)
        #expect(afterRemoval.publicSide == running.publicSide)
        #expect(afterRemoval.namespaces["ndmz"] == running.namespaces["ndmz"].map { ndmz in
            var kept = ndmz
            kept.links[desired.resources[0].ndmzEnd.name] = nil
            return kept
        })
    }

    @Test func theOwnershipGuardAllowsExactlyTheUplinkOnTheHost() throws {
        let table = try #require(Samples.desired([], uplink: Samples.uplink).ndmz.uplink?.hostTable)
        let allowed: [NodeAction] = [
            .createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef),
            .deleteLink(.host, Self.hostEnd), .setUp(.host, Self.hostEnd),
            .addAddress(.host, Self.hostEnd, Samples.address("100.127.0.0/31")),
            .deleteAddress(.host, Self.hostEnd, Samples.address("10.0.0.1/24")),
            .setSysctl(.host, .ipv4Forwarding, "1"), .applyTable(.host, table), .deleteTable(.host, .host),
            .deleteLink(Self.ndmzRef, Self.ndmzEnd),
            .replaceRoute(
                Self.ndmzRef,
                RouteSpec(destination: Samples.prefix("0.0.0.0/0"), gateway: Samples.ip("100.127.0.0"), device: Self.ndmzEnd)),
        ]
        for action in allowed { #expect(Ownership.permits(action, publicSide: .host), "\(action)") }
        let eth0 = Samples.name("eth0")
        let refused: [NodeAction] = [
            .createVeth(.host, Self.hostEnd, peer: Self.ndmzEnd, peerNamespace: .named("cni-1234")),
            .createVeth(.host, Self.hostEnd, peer: Samples.name("eth1"), peerNamespace: Self.ndmzRef),
            .createVeth(.host, Samples.name("ndmz0"), peer: Self.ndmzEnd, peerNamespace: Self.ndmzRef),
            .deleteLink(.host, Samples.name("ndmz0")), .deleteLink(.host, Self.ndmzEnd), .setUp(.host, eth0),
            .addAddress(.host, eth0, Samples.address("100.127.0.0/31")),
            .setSysctl(.host, .ipv4Forwarding, "0"), .setSysctl(.host, .ipv6Forwarding, "1"),
            .applyTable(.host, try NetworkResourceEgress(uplink: eth0, sources: [Samples.prefix("10.0.0.0/8")]).table()),
            .deleteTable(.host, Samples.table("zmesh-elsewhere")),
            .replaceRoute(.host, RouteSpec(destination: Samples.prefix("100.127.0.0/16"), device: Self.hostEnd)),
            .deleteRoute(.host, RouteSpec(destination: Samples.prefix("0.0.0.0/0"), device: eth0)),
            .moveLink(.host, Self.hostEnd, to: Self.ndmzRef),
        ]
        for action in refused { #expect(!Ownership.permits(action, publicSide: .host), "\(action)") }
        // With a `public` namespace as the public side, the host's uplink is still the agent's.
        #expect(Ownership.permits(.setUp(.host, Self.hostEnd), publicSide: .named("public")))
        #expect(Ownership.ownsLink(Self.hostEnd, in: .host) && !Ownership.ownsLink(eth0, in: .host))
        #expect(Ownership.ownsLink(Self.ndmzEnd, in: Self.ndmzRef))
    }
}
