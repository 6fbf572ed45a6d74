import DeploymentTestSupport
import Deployments
import Firewall
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import Testing
import WireGuardNL
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

/// The reader against a real wireguard-go: started on the test's public side, configured through
/// WireGuardNL, its TUN moved into the NR (create-then-move). wireguard-go's socket directory is fixed
/// (`/var/run/wireguard`, machine-wide), so the network is named after the fixture's tag: its id, and
/// with it `w-<id>` and the socket name, are unique to this test. Needs
/// root, `/dev/net/tun` and wireguard-go; skipped with the reason otherwise. Nothing leaves the
/// test's namespaces (the public side has no route anywhere).
@Suite(
    "NodeReader: wireguard-go", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable,
        Comment(
            rawValue: "needs root, ip netns, /dev/net/tun and wireguard-go: "
                + (WireGuardGoEnvironment.unavailableReason ?? ""))))
struct ReaderWireGuardGoTests {
    @Test("a node built with wireguard-go to the desired state reads back with an empty plan")
    func convergedWithWireGuardGo() throws {
        try NamespaceFixture.with { f in
            let desired = try ReaderTests.desired(network: "reader-\(f.tag)")
            let resource = try #require(desired.resources.first)
            let pub = try f.namespace("pub")
            _ = try ReaderTests.build(resource, f)
            let nr = NetworkNamespace.named(f.namespaceName(resource.namespace))

            let wireGuard = resource.wireGuard.link
            let daemon = try WireGuardGoProcess.start(wireGuard.name, in: pub)
            f.addCleanup("stop wireguard-go for \(wireGuard.name)") { try daemon.stop() }
            let client = WireGuardClient(choice: .userspace)
            try client.apply(resource.wireGuard.configuration, to: wireGuard.name)
            try daemon.moveInterface(to: nr)
            let routing = try RouteNetlink(namespace: nr)
            if let mtu = wireGuard.mtu { try routing.setMTU(wireGuard.name, mtu) }
            for address in wireGuard.addresses {
                try routing.replaceAddress(ReaderTests.interfaceAddress(address), on: wireGuard.name)
            }
            try routing.setUp(wireGuard.name)
            for route in resource.routes where route.device == wireGuard.name {
                try routing.replaceRoute(ReaderTests.route(route))
            }
            let tables = try ReaderTests.recognise(resource, f)

            let reader = NodeReader(layout: ReaderTests.layout(f), recognisedTables: tables)
            let snapshot = try reader.read()
            let namespace = try #require(snapshot.namespaces[resource.namespace])
            #expect(namespace.links[wireGuard.name]?.kind == "tun")
            #expect(namespace.wireGuard[wireGuard.name]?.configuration == resource.wireGuard.configuration)
            #expect(snapshot.publicSide.links.isEmpty, "the TUN was moved: nothing of ours is left on the public side")
            let plan = ReconcilePlan(from: snapshot, to: desired)
            #expect(plan.actions.isEmpty, "\(plan.actions.map(\.description))")

            // The WireGuard-only read (the handshake watch's): the same device, nothing else.
            let devices = try reader.readWireGuardDevices()
            #expect(Array(devices.namespaces.keys) == [resource.namespace], "only the NR, not the ndmz")
            let only = try #require(devices.namespaces[resource.namespace])
            // (Configurations: wireguard-go lists peers in no fixed order.)
            #expect(only.wireGuard.mapValues(\.configuration) == namespace.wireGuard.mapValues(\.configuration))
            #expect(only.wireGuard[wireGuard.name]?.configuration == resource.wireGuard.configuration)
            #expect(Array(only.links.keys) == [wireGuard.name] && only.routes.isEmpty && only.tables.isEmpty)
        }
    }
}
