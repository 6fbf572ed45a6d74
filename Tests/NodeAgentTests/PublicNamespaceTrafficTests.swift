import DeploymentTestSupport
import Deployments
import Logging
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import Testing
import WireGuardNL
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Node setup's `public` namespace, built by the applier (`NodeReconciler.reconcile`, wireguard-go)
/// for node 1 of the sample deployment on a host side that is this test's `zt-<tag>-ahost`: its
/// public interface `wan` (a veth) leads to `zt-<tag>-bpub`, the "internet", which is also node 2's
/// public side (node 2: a plain node on the `pub` layout of the applier tests).
///
/// ```
/// [apublic] public (macvlan on wan) 203.0.113.1/24, 2001:db8::1/64 ── wan [ahost] ── isp [bpub] 203.0.113.2, 2001:db8::2
/// ```
@Suite(
    "Node setup: the public namespace", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable && NetworkTestEnvironment.isAvailable,
        Comment(
            rawValue: "needs root, ip netns, nft, python3, /dev/net/tun and wireguard-go: "
                + (WireGuardGoEnvironment.unavailableReason ?? NetworkTestEnvironment.unavailableReason ?? ""))))
struct PublicNamespaceTrafficTests {
    struct TeardownFailed: Error { let detail: String }

    @Test("WireGuard sockets live in the public namespace, which lets in WireGuard and nothing else")
    func onlyWireGuardGetsIn() throws {
        try NamespaceFixture.with { f in
            let network = "pubns-\(f.tag)"
            // Node 1's host side and its public interface, wired to the internet (node 2's public side).
            let host = try f.namespace("ahost")
            let b = try ApplierNode(f, role: "b", socketDirectory: "/tmp/zmesh-public-\(f.tag)-b")
            let internet = f.namespaceName("bpub")
            let wan = try f.linkName("wan")
            let isp = try f.linkName("isp")
            try RouteNetlink(namespace: host).createVeth(wan, peer: isp, peerNamespace: b.publicSide, up: true)
            let inInternet = try RouteNetlink(namespace: b.publicSide)
            try inInternet.setUp(isp)
            try ShellCommand.run(["ip", "-n", internet, "addr", "add", "203.0.113.2/24", "dev", isp.rawValue])
            try ShellCommand.run(["ip", "-n", internet, "addr", "add", "2001:db8::2/64", "dev", isp.rawValue, "nodad"])

            let sockets = "/tmp/zmesh-public-\(f.tag)-a"
            let layout = NodeLayout(
                namespacePrefix: f.namespaceName("a"), publicSide: .named("public"), wireGuardSocketDirectory: sockets,
                hostSide: .named("host"))
            let logger = Logger(label: "public-namespace") { _ in SwiftLogNoOpLogHandler() }
            let reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: logger)
            f.addCleanup("tear down node a") {
                let outcome = reconciler.teardown()
                rmdir(sockets)
                guard outcome.converged else {
                    throw TeardownFailed(detail: "\(outcome.remaining) \(outcome.failures) \(outcome.nodeFailure ?? "")")
                }
            }

            let config = try PublicConfig(
                parent: wan, ipv4: AssignedAddress("203.0.113.1/24"), gateway4: IPAddress("203.0.113.2"),
                ipv6: AssignedAddress("2001:db8::1/64"), gateway6: IPAddress("2001:db8::2"))
            var document = Fixtures.deployment(name: network)
            document.nodes[0].listenPort = 51820
            let desiredA = try NodeDesiredState(
                node: Fixtures.node1.id,
                inputs: [NodeDesiredState.Input(deployment: try document.validated(), privateKey: Fixtures.wireGuardKey(0x31))],
                public: config)
            #expect(desiredA.publicSide == .named("public"))
            let desiredB = try Applier.desired(node: 1, networks: [network])
            let resourceA = try #require(desiredA.resources.first)
            let resourceB = try #require(desiredB.resources.first)
            let wireGuard = resourceA.wireGuard.link.name
            b.watch(wireGuard)

            let outcome = reconciler.reconcile(to: desiredA)
            #expect(outcome.converged, "\(outcome.remaining) \(outcome.failures) \(outcome.nodeFailure ?? "")")
            #expect(outcome.failures.isEmpty && outcome.nodeFailure == nil)
            #expect(outcome.applied.contains(.createNamespace("public")))
            #expect(outcome.applied.contains(.createWireGuard(.named("public"), wireGuard, mtu: 1420)))
            let fresh = NodeReader(layout: layout, recognisedTables: reconciler.recognisedTables)
            let plan = ReconcilePlan(from: try fresh.read(), to: desiredA)
            #expect(plan.isEmpty, "a fresh read plans nothing: \(plan)")
            #expect(b.reconciler.reconcile(to: desiredB).converged)

            // The WireGuard link lives in the NR; its UDP socket (wireguard-go's) in `public`.
            let publicName = f.namespaceName("apublic")
            let nrName = layout.hostName(of: resourceA.namespace)
            let sockets1 = try ShellCommand.run(["ip", "netns", "exec", publicName, "ss", "-Hlun"])
            #expect(sockets1.contains(":51820"), "\(sockets1)")
            for other in [nrName, f.namespaceName("ahost")] {
                let there = try ShellCommand.run(["ip", "netns", "exec", other, "ss", "-Hlun"])
                #expect(!there.contains(":51820"), "\(other): \(there)")
            }
            let links = try IPRouteOracle.links(in: publicName).map(\.ifname).sorted()
            #expect(links == ["lo", "public"])
            #expect(try IPRouteOracle.link(wireGuard.rawValue, in: nrName)?.kind == "tun")

            // Node 2 reaches node 1's WireGuard port (its endpoint [2001:db8::1]:51820): node 2's
            // workload pings first, so node 2 starts the handshake, inbound through `zmesh-public`.
            let workloadA = try ApplierNode.workload(f, layout: layout, role: "a", on: resourceA, address: "10.20.1.10")
            let workloadB = try b.workload(on: resourceB, address: "10.20.2.10")
            #expect(Applier.ping(from: workloadB, "10.20.1.10"), "node 2's workload reaches node 1's through WireGuard")
            #expect(Applier.ping(from: workloadA, "10.20.2.10"), "and back")

            // Nothing else gets in: a TCP listener in `public` (on the WireGuard port number and on
            // another) is not reached from the internet; it is reached from inside `public`.
            for port in [51820, 7800] {
                let listener = try TCPProbe.listen(in: publicName, address: "203.0.113.1", port: port)
                #expect(try TCPProbe.connect(from: internet, to: "203.0.113.1", port: port) == .timedOut, "TCP \(port)")
                listener.stop()
            }
            let inside = try TCPProbe.listen(in: publicName, address: "203.0.113.1", port: 7801)
            #expect(try TCPProbe.connect(from: publicName, to: "203.0.113.1", port: 7801) == .connected)
            _ = inside.result()
            #expect(!ShellCommand.succeeds(["ip", "netns", "exec", internet, "ping", "-c", "1", "-W", "1", "203.0.113.1"]))

            // Drift: the macvlan deleted comes back with one reconcile.
            try RouteNetlink(namespace: .named(publicName)).deleteLink(try InterfaceName("public"))
            let repair = reconciler.reconcile(to: desiredA)
            #expect(repair.converged)
            #expect(
                repair.applied.first
                    == .createMacvlan(.host, try InterfaceName("public"), parent: wan, linkNamespace: .named("public")))
            #expect(Applier.ping(from: workloadA, "10.20.2.10"), "through the new macvlan")

            // Teardown removes the NR and the public namespace; the host side keeps its interface.
            let torn = reconciler.teardown()
            #expect(torn.converged)
            #expect(!NetworkNamespace.exists(named: publicName))
            #expect(!NetworkNamespace.exists(named: nrName))
            #expect(try IPRouteOracle.link(wan.rawValue, in: f.namespaceName("ahost")) != nil)
        }
    }
}

extension ApplierNode {
    /// ``workload(on:address:)`` for a node that is not an ``ApplierNode``.
    static func workload(
        _ fixture: NamespaceFixture, layout: NodeLayout, role: String, on resource: NetworkResourceState, address: String
    ) throws -> String {
        let namespace = fixture.namespaceName(role + "wl")
        try fixture.namespace(role + "wl")
        let inside = "wl\(role)-\(fixture.tag)"
        let outside = "wb\(role)-\(fixture.tag)"
        let nr = layout.hostName(of: resource.namespace)
        try ShellCommand.run(["ip", "-n", namespace, "link", "add", inside, "type", "veth", "peer", "name", outside, "netns", nr])
        try ShellCommand.run(["ip", "-n", nr, "link", "set", outside, "master", resource.bridge.name.rawValue, "up"])
        try ShellCommand.run(["ip", "-n", namespace, "addr", "add", "\(address)/24", "dev", inside])
        try ShellCommand.run(["ip", "-n", namespace, "link", "set", inside, "up"])
        let gateway = try #require(resource.bridge.addresses.first { $0.address.isIPv4 }).address
        try ShellCommand.run(["ip", "-n", namespace, "route", "add", "default", "via", "\(gateway)"])
        return namespace
    }
}
