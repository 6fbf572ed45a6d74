import DeploymentTestSupport
import Deployments
import Firewall
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import Testing
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

extension Trait where Self == ConditionTrait {
    /// Root, a network namespace can be made, iproute2, nft and python3 present; otherwise skipped
    /// with the reason (``NetworkTestEnvironment/unavailableReason``).
    static var requiresNetworkPrivileges: Self {
        .enabled(
            if: NetworkTestEnvironment.isAvailable,
            Comment(
                rawValue: "needs root and the ability to create network namespaces: "
                    + (NetworkTestEnvironment.unavailableReason ?? "")))
    }
}

/// The reader against a node built with RouteNL and Firewall in this test's own namespaces: the
/// layout's prefix `zt-<tag>-` makes the reader see only them (other tests create namespaces at the
/// same time), and the public side (and the host side) is the test's `zt-<tag>-pub`, never the host.
@Suite("NodeReader", .requiresNetworkPrivileges, .serialized)
struct ReaderTests {
    /// The desired state of node 1 in the sample deployment, WireGuard born in the `pub` namespace.
    static func desired(network: String = "office") throws -> NodeDesiredState {
        let deployment = try Fixtures.deployment(name: network).validated()
        let input = NodeDesiredState.Input(deployment: deployment, privateKey: Fixtures.wireGuardKey(0x31))
        return try NodeDesiredState(node: Fixtures.node1.id, inputs: [input], publicSide: .named("pub"))
    }

    /// The test's node: namespaces `zt-<tag>-…`, public side and host side `zt-<tag>-pub` (never the
    /// machine's own namespace).
    static func layout(_ f: NamespaceFixture, socketDirectory: String = "/var/run/wireguard") -> NodeLayout {
        NodeLayout(
            namespacePrefix: f.namespaceName(""), publicSide: .named("pub"), wireGuardSocketDirectory: socketDirectory,
            hostSide: .named("pub"))
    }

    static func interfaceAddress(_ address: AssignedAddress) throws -> InterfaceAddress {
        try InterfaceAddress(address.address, prefixLength: address.prefixLength)
    }

    static func route(_ spec: RouteSpec) -> Route {
        Route(destination: spec.destination, gateway: spec.gateway, device: spec.device, metric: spec.metric)
    }

    /// Builds everything of `resource` but its WireGuard link (this kernel has none) and the routes
    /// through it, as the applier would; returns what the reader must recognise.
    static func build(_ resource: NetworkResourceState, _ f: NamespaceFixture) throws -> RecognisedTables {
        let ndmz = try f.namespace("ndmz")
        let nr = try f.namespace(resource.namespace)
        for namespace in [ndmz, nr] {
            try namespace.setSysctls([(.ipv4Forwarding, "1"), (.ipv6Forwarding, "1")])
        }
        let inside = try RouteNetlink(namespace: nr)
        let inNDMZ = try RouteNetlink(namespace: ndmz)
        try inside.createBridge(resource.bridge.name)
        try inside.createVeth(resource.uplink.name, peer: resource.ndmzEnd.name, peerNamespace: ndmz)
        for (routing, link) in [(inside, resource.bridge), (inside, resource.uplink), (inNDMZ, resource.ndmzEnd)] {
            for address in link.addresses {
                try routing.replaceAddress(Self.interfaceAddress(address), on: link.name)
            }
            try routing.setUp(link.name)
        }
        for route in resource.routes where route.device != resource.wireGuard.link.name {
            try inside.replaceRoute(Self.route(route))
        }
        try NFTablesContext(namespace: nr).apply(resource.egress)
        return try recognise(resource, f)
    }

    /// The applier's memory of the NR's egress table, as it would keep it right after applying it.
    static func recognise(_ resource: NetworkResourceState, _ f: NamespaceFixture) throws -> RecognisedTables {
        let nft = try NFTablesContext(namespace: .named(f.namespaceName(resource.namespace)))
        var tables = RecognisedTables()
        let listing = try #require(try nft.listTable(resource.egress.name))
        tables.remember(resource.egress, listing: listing, in: .named(resource.namespace))
        return tables
    }

    static func withoutLinkLocal(_ link: ObservedLink?) -> Set<AssignedAddress>? {
        link.map { $0.addresses.filter { !$0.isIPv6LinkLocal } }
    }

    @Test("reads the agent's namespaces, links, addresses, routes, tables and sysctls as built")
    func readsWhatWasBuilt() throws {
        try NamespaceFixture.with { f in
            let desired = try Self.desired()
            let resource = try #require(desired.resources.first)
            try f.namespace("pub")
            let tables = try Self.build(resource, f)
            // Foreign objects: a namespace with an NR-like but malformed name, a table zmesh does not
            // own in the NR, a non-`w-<id>` link on the public side.
            try f.namespace("n-foo")
            try ShellCommand.run(["ip", "-n", f.namespaceName("n-foo"), "link", "add", "fo-\(f.tag)", "type", "bridge"])
            let nrName = f.namespaceName(resource.namespace)
            try ShellCommand.run(["ip", "netns", "exec", nrName, "nft", "add", "table", "inet", "filter"])
            try ShellCommand.run(["ip", "-n", f.namespaceName("pub"), "link", "add", "x-\(f.tag)", "type", "bridge"])

            let snapshot = try NodeReader(layout: Self.layout(f), recognisedTables: tables).read()

            #expect(Set(snapshot.namespaces.keys) == ["ndmz", resource.namespace])
            #expect(snapshot.publicSide.links.isEmpty)
            let nr = try #require(snapshot.namespaces[resource.namespace])
            let ndmz = try #require(snapshot.namespaces["ndmz"])
            #expect(Set(nr.links.keys) == [Ownership.loopback, resource.bridge.name, resource.uplink.name])
            #expect(Set(ndmz.links.keys) == [Ownership.loopback, resource.ndmzEnd.name])
            for (namespace, link) in [(nr, resource.bridge), (nr, resource.uplink), (ndmz, resource.ndmzEnd)] {
                let observed = try #require(namespace.links[link.name])
                #expect(observed.kind == (link == resource.bridge ? "bridge" : "veth"))
                #expect(observed.isUp)
                #expect(observed.mtu == 1500)
                #expect(Self.withoutLinkLocal(observed) == link.addresses)
            }
            #expect(nr.links[Ownership.loopback]?.isUp == true)
            #expect(nr.links[Ownership.loopback]?.kind == nil)
            let statics = Set(nr.routes.filter { $0.routeProtocol == ObservedRoute.staticProtocol }.compactMap(\.spec))
            #expect(statics == Set(resource.routes.filter { $0.device != resource.wireGuard.link.name }))
            // The connected route of the bridge's IPv4 address, as the kernel made it.
            let connected = nr.routes.filter { $0.routeProtocol == ObservedRoute.kernelProtocol }
            #expect(connected.contains { $0.device == resource.bridge.name })
            #expect(nr.tables == [resource.egress.name: .content(resource.egress)])
            #expect(ndmz.tables.isEmpty)
            #expect(nr.wireGuard.isEmpty)
            for namespace in [nr, ndmz] {
                #expect(namespace.settings == [.ipv4Forwarding: "1", .ipv6Forwarding: "1"])
            }

            // Without the applier's memory the same table is there but unrecognised.
            let fresh = try NodeReader(layout: Self.layout(f)).read()
            #expect(fresh.namespaces[resource.namespace]?.tables == [resource.egress.name: .unrecognised])
        }
    }

    @Test("a node built to the desired state needs only its WireGuard link (absent: no WireGuard here)")
    func planFromReadSnapshot() throws {
        try NamespaceFixture.with { f in
            let desired = try Self.desired()
            let resource = try #require(desired.resources.first)
            try f.namespace("pub")
            let tables = try Self.build(resource, f)
            let snapshot = try NodeReader(layout: Self.layout(f), recognisedTables: tables).read()
            let plan = ReconcilePlan(from: snapshot, to: desired)
            #expect(plan.refused.isEmpty)
            let wireGuard = resource.wireGuard.link.name
            // Exactly the "w-<id> deleted" repair: created on the public side, moved, configured,
            // addressed, up, and its routes; nothing else differs from what was built.
            for action in plan.actions {
                #expect("\(action)".contains(wireGuard.rawValue), "unexpected action: \(action)")
            }
            let creates = plan.actions.filter { if case .createWireGuard = $0 { true } else { false } }
            #expect(creates == [.createWireGuard(.named("pub"), wireGuard, mtu: NetworkResourceState.wireGuardMTU)])
            let routesThroughWireGuard = resource.routes.filter { $0.device == wireGuard }.count
            let replaced = plan.actions.filter { if case .replaceRoute = $0 { true } else { false } }.count
            #expect(replaced == routesThroughWireGuard)
        }
    }

    @Test("a w-<id> left on the public side is read there, and nothing else of the public side")
    func publicSideLeftover() throws {
        try NamespaceFixture.with { f in
            let desired = try Self.desired()
            let resource = try #require(desired.resources.first)
            try f.namespace("pub")
            let pub = f.namespaceName("pub")
            // No dummy links in this kernel: a veth pair (`w-<id>` and a foreign peer) and a bridge.
            try ShellCommand.run([
                "ip", "-n", pub, "link", "add", resource.wireGuard.link.name.rawValue, "type", "veth", "peer", "name",
                "x-\(f.tag)",
            ])
            try ShellCommand.run(["ip", "-n", pub, "link", "add", "w-eth0", "type", "bridge"])
            let snapshot = try NodeReader(layout: Self.layout(f)).read()
            #expect(snapshot.namespaces.isEmpty)
            #expect(Set(snapshot.publicSide.links.keys) == [resource.wireGuard.link.name])
            #expect(snapshot.publicSide.links[resource.wireGuard.link.name]?.kind == "veth")
            #expect(snapshot.publicSide.links[resource.wireGuard.link.name]?.isUp == false)
        }
    }

    @Test("a namespace of the layout that is missing is an error naming it")
    func missingPublicSide() throws {
        try NamespaceFixture.with { f in
            let reader = NodeReader(layout: Self.layout(f))  // zt-<tag>-pub is never created
            #expect {
                try reader.read()
            } throws: { error in
                guard let error = error as? NodeReaderError else { return false }
                return error.namespace == "pub" && "\(error)".contains("pub")
            }
        }
    }
}
