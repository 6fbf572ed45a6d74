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

/// Node setup's uplink built with RouteNL and Firewall as the applier would, in this test's own
/// namespaces: the host side is the test's `zt-<tag>-host` (never the machine's own namespace).
enum UplinkBuild {
    /// The test's node with WireGuard born on the host side, as on a node without a public config.
    static func layout(_ f: NamespaceFixture, socketDirectory: String = "/var/run/wireguard") -> NodeLayout {
        NodeLayout(
            namespacePrefix: f.namespaceName(""), publicSide: .host, wireGuardSocketDirectory: socketDirectory,
            hostSide: .named("host"))
    }

    /// The desired state of node 1 of the sample deployment `network` with node setup's uplink.
    static func desired(network: String = "office", port: Int64 = 51820, uplink: NDMZUplink) throws
        -> NodeDesiredState
    {
        var document = Fixtures.deployment(name: network)
        document.nodes[0].listenPort = port
        let input = NodeDesiredState.Input(deployment: try document.validated(), privateKey: Fixtures.wireGuardKey(0x31))
        return try NodeDesiredState(node: Fixtures.node1.id, inputs: [input], publicSide: .host, uplink: uplink)
    }

    /// The veth host `ndmz` ↔ ndmz `host` with its addresses, both up, the ndmz's default route, forwarding
    /// on the host side, `zmesh-host` there and the ndmz policy in the ndmz (which must exist); returns
    /// the applier's memory of both tables.
    static func build(_ desired: NodeDesiredState, _ f: NamespaceFixture, into tables: inout RecognisedTables) throws {
        let uplink = try #require(desired.ndmz.uplink)
        let policy = try #require(desired.ndmz.policy)
        let host = NetworkNamespace.named(f.namespaceName("host"))
        let ndmz = NetworkNamespace.named(f.namespaceName("ndmz"))
        try host.setSysctl(.ipv4Forwarding, to: "1")
        let onHost = try RouteNetlink(namespace: host)
        let inNDMZ = try RouteNetlink(namespace: ndmz)
        try onHost.createVeth(uplink.hostEnd.name, peer: uplink.ndmzEnd.name, peerNamespace: ndmz)
        for (routing, link) in [(onHost, uplink.hostEnd), (inNDMZ, uplink.ndmzEnd)] {
            for address in link.addresses {
                try routing.replaceAddress(ReaderTests.interfaceAddress(address), on: link.name)
            }
            try routing.setUp(link.name)
        }
        for route in uplink.routes { try inNDMZ.replaceRoute(ReaderTests.route(route)) }
        for (namespace, ref, table) in [(host, NamespaceRef.host, uplink.hostTable), (ndmz, .named("ndmz"), policy)] {
            let nft = try NFTablesContext(namespace: namespace)
            try nft.apply(table)
            tables.remember(table, listing: try #require(try nft.listTable(table.name)), in: ref)
        }
    }

    /// `w-<id>` as a TUN in the NR (as wireguard-go's after the move) at its MTU, addressed, up, with
    /// its routes, and a fake UAPI daemon answering with the desired device (socket in `directory`).
    static func fakeWireGuard(_ resource: NetworkResourceState, _ f: NamespaceFixture, directory: String) throws {
        let wireGuard = resource.wireGuard.link
        let nrName = f.namespaceName(resource.namespace)
        try ShellCommand.run(["ip", "-n", nrName, "tuntap", "add", "name", wireGuard.name.rawValue, "mode", "tun"])
        f.addCleanup("delete \(wireGuard.name) in \(nrName)") {
            try ShellCommand.run(["ip", "-n", nrName, "link", "del", wireGuard.name.rawValue])
        }
        let reply = ReaderWireGuardTests.uapiReply(resource.wireGuard.configuration)
        let server = try FakeUAPIServer(interface: wireGuard.name.rawValue, directory: directory) { request in
            request.hasPrefix("get=1") ? .reply(reply) : .closeWithoutReply
        }
        f.addCleanup("stop the fake UAPI server") { server.stop() }
        let routing = try RouteNetlink(namespace: .named(nrName))
        if let mtu = wireGuard.mtu { try routing.setMTU(wireGuard.name, mtu) }
        for address in wireGuard.addresses {
            try routing.replaceAddress(ReaderTests.interfaceAddress(address), on: wireGuard.name)
        }
        try routing.setUp(wireGuard.name)
        for route in resource.routes where route.device == wireGuard.name {
            try routing.replaceRoute(ReaderTests.route(route))
        }
    }
}

@Suite("NodeReader: node setup's uplink", .requiresNetworkPrivileges, .serialized)
struct ReaderUplinkTests {
    static let uplink = NDMZUplink(
        protectedDestinations: [Fixtures.prefix("198.51.100.0/24"), Fixtures.prefix("198.51.100.1/32")])

    @Test("reads node setup's part of the host side, and nothing else of it")
    func readsTheHostPart() throws {
        try NamespaceFixture.with { f in
            let desired = try UplinkBuild.desired(uplink: Self.uplink)
            let resource = try #require(desired.resources.first)
            let uplink = try #require(desired.ndmz.uplink)
            let host = f.namespaceName("host")
            try f.namespace("host")
            var tables = try ReaderTests.build(resource, f)
            try UplinkBuild.build(desired, f, into: &tables)
            // Foreign objects on the host side: a link named like ours but not it, a zmesh-looking
            // table that is not `zmesh-host`, a table that is not zmesh's, a static route.
            try ShellCommand.run(["ip", "-n", host, "link", "add", "ndmzx", "type", "bridge"])
            try ShellCommand.run(["ip", "-n", host, "link", "set", "ndmzx", "up"])
            try ShellCommand.run(["ip", "-n", host, "address", "add", "192.0.2.10/24", "dev", "ndmzx"])
            try ShellCommand.run(["ip", "-n", host, "route", "add", "203.0.113.0/24", "via", "192.0.2.1"])
            try ShellCommand.run(["ip", "netns", "exec", host, "nft", "add", "table", "inet", "zmesh-elsewhere"])
            try ShellCommand.run(["ip", "netns", "exec", host, "nft", "add", "table", "inet", "filter"])

            let snapshot = try NodeReader(layout: UplinkBuild.layout(f), recognisedTables: tables).read()

            #expect(Set(snapshot.host.links.keys) == [uplink.hostEnd.name])
            let end = try #require(snapshot.host.links[uplink.hostEnd.name])
            #expect(end.kind == "veth" && end.isUp && end.mtu == 1500)
            #expect(ReaderTests.withoutLinkLocal(end) == uplink.hostEnd.addresses)
            #expect(snapshot.host.tables == [.host: .content(uplink.hostTable)])
            #expect(snapshot.host.settings == [.ipv4Forwarding: "1"])
            #expect(snapshot.host.routes.isEmpty && snapshot.host.wireGuard.isEmpty)
            #expect(snapshot.publicSide.links.isEmpty, "the public side (the host) has no w-<id>")
            let ndmz = try #require(snapshot.namespaces["ndmz"])
            let ndmzEnd = try #require(ndmz.links[uplink.ndmzEnd.name])
            #expect(ndmzEnd.kind == "veth" && ndmzEnd.isUp)
            #expect(ReaderTests.withoutLinkLocal(ndmzEnd) == uplink.ndmzEnd.addresses)
            let statics = ndmz.routes.filter { $0.routeProtocol == ObservedRoute.staticProtocol }.compactMap(\.spec)
            #expect(statics == uplink.routes)
            #expect(ndmz.tables == [.ndmz: .content(try #require(desired.ndmz.policy))])

            // After a restart (no memory) both tables are there but unrecognised.
            let fresh = try NodeReader(layout: UplinkBuild.layout(f)).read()
            #expect(fresh.host.tables == [.host: .unrecognised])
            #expect(fresh.namespaces["ndmz"]?.tables == [.ndmz: .unrecognised])

            // What node setup learns of the host side to protect it: its address and LAN, its gateway.
            let facts = try NodeReader(layout: UplinkBuild.layout(f)).hostUplink()
            #expect(facts.protectedDestinations == [Fixtures.prefix("192.0.2.0/24"), Fixtures.prefix("192.0.2.10/32")])
            #expect(facts.defaultGateways.isEmpty, "no default route on the host side yet")
            try ShellCommand.run(["ip", "-n", host, "route", "add", "default", "via", "192.0.2.1"])
            let withGateway = try NodeReader(layout: UplinkBuild.layout(f)).hostUplink()
            #expect(withGateway.defaultGateways == [try IPAddress("192.0.2.1")])
        }
    }

    @Test("a node built with its uplink reads back with an empty plan; the reader sees the uplink's drift")
    func convergedNodeWithUplinkHasEmptyPlan() throws {
        try NamespaceFixture.with { f in
            let desired = try UplinkBuild.desired(uplink: Self.uplink)
            let resource = try #require(desired.resources.first)
            let uplink = try #require(desired.ndmz.uplink)
            let host = try f.namespace("host")
            var tables = try ReaderTests.build(resource, f)
            try UplinkBuild.build(desired, f, into: &tables)
            let directory = try TemporaryDirectory()
            f.addCleanup("remove \(directory.path)") { directory.remove() }
            try UplinkBuild.fakeWireGuard(resource, f, directory: directory.path)
            let reader = NodeReader(
                layout: UplinkBuild.layout(f, socketDirectory: directory.path), recognisedTables: tables)

            let plan = ReconcilePlan(from: try reader.read(), to: desired)
            #expect(plan.actions.isEmpty, "\(plan.actions.map(\.description))")
            #expect(plan.refused.isEmpty)

            // Drift on the host side, as the reader sees it: exactly the repair.
            try host.setSysctl(.ipv4Forwarding, to: "0")
            try NFTablesContext(namespace: host).deleteTable(.host)
            let drift = ReconcilePlan(from: try reader.read(), to: desired)
            #expect(drift.actions == [.applyTable(.host, uplink.hostTable), .setSysctl(.host, .ipv4Forwarding, "1")])
            // The host's end deleted (the ndmz's end goes with it): the pair, addresses, up, the route.
            try RouteNetlink(namespace: host).deleteLink(uplink.hostEnd.name)
            let gone = ReconcilePlan(from: try reader.read(), to: desired)
            #expect(gone.actions.contains(.createVeth(.host, uplink.hostEnd.name, peer: uplink.ndmzEnd.name, peerNamespace: .named("ndmz"))))
            #expect(gone.actions.contains(.replaceRoute(.named("ndmz"), uplink.routes[0])))
            #expect(!gone.actions.contains { $0.isRemoval })
        }
    }

    @Test("a host side that does not exist is an error naming it")
    func missingHostSide() throws {
        try NamespaceFixture.with { f in
            let reader = NodeReader(layout: UplinkBuild.layout(f))  // zt-<tag>-host is never created
            #expect {
                try reader.readHost()
            } throws: { error in
                guard let error = error as? NodeReaderError else { return false }
                return error.namespace == "host" && "\(error)".contains("host")
            }
        }
    }
}
