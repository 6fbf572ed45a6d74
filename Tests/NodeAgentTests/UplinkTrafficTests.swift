import DeploymentTestSupport
import Deployments
import Firewall
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

/// Node setup by traffic: a node built by the applier (`NodeReconciler.reconcile`, wireguard-go as
/// the WireGuard backend) with its ndmz uplink and two network resources, on a host side that is
/// this test's namespace `zt-<tag>-host` (never the machine's own), wired to an "internet"
/// namespace `zt-<tag>-inet`:
///
/// ```
/// workload ─ b-<a> [n-<a>] ndmz ─ n-<a> [ndmz] host ─ ndmz [host] wan ─ isp [inet] 203.0.113.5 (lo)
///                    [n-<b>] ndmz ─ n-<b>                198.51.100.1/24     198.51.100.2 (gateway), .3 (LAN)
/// ```
///
/// Every address lives in a namespace the test made; wireguard-go's handshakes towards the sample
/// peers (203.0.113.1/.2) end in `inet`, which has no route back.
@Suite(
    "Node setup: traffic through the ndmz uplink", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable && NetworkTestEnvironment.isAvailable,
        Comment(
            rawValue: "needs root, ip netns, nft, python3, /dev/net/tun and wireguard-go: "
                + (WireGuardGoEnvironment.unavailableReason ?? NetworkTestEnvironment.unavailableReason ?? ""))))
struct UplinkTrafficTests {
    static let port = 8080
    static let server = "203.0.113.5"
    static let hostAddress = "198.51.100.1"
    static let gateway = "198.51.100.2"
    static let neighbour = "198.51.100.3"

    struct TeardownFailed: Error { let detail: String }

    /// The host side and the internet, wired; the host's default route via the internet's gateway.
    static func wireHost(_ f: NamespaceFixture) throws -> (host: NetworkNamespace, inet: NetworkNamespace) {
        let host = try f.namespace("host")
        let inet = try f.namespace("inet")
        let wan = try f.linkName("wan")
        let isp = try f.linkName("isp")
        let onHost = try RouteNetlink(namespace: host)
        let inInternet = try RouteNetlink(namespace: inet)
        try onHost.createVeth(wan, peer: isp, peerNamespace: inet, up: true)
        try inInternet.setUp(isp)
        try onHost.addAddress(InterfaceAddress("\(hostAddress)/24"), to: wan)
        for address in [gateway, neighbour] { try inInternet.addAddress(InterfaceAddress("\(address)/24"), to: isp) }
        try inInternet.addAddress(InterfaceAddress("\(server)/32"), to: InterfaceName("lo"))
        try onHost.addRoute(Route(destination: IPPrefix("0.0.0.0/0"), gateway: IPAddress(gateway)))
        // The internet's best attempt inwards: the ndmz range and the tenants' range towards the host.
        for prefix in ["100.127.0.0/16", "10.20.0.0/16"] {
            try inInternet.addRoute(Route(destination: IPPrefix(prefix), gateway: IPAddress(hostAddress)))
        }
        return (host, inet)
    }

    /// The desired state of node 1 for two copies of the sample deployment (named after the tag),
    /// WireGuard born on the host side, with the uplink `uplink`.
    static func desired(_ f: NamespaceFixture, uplink: NDMZUplink) throws -> NodeDesiredState {
        let inputs = try [("a", Int64(51820)), ("b", 51821)].map { suffix, port in
            var document = Fixtures.deployment(name: "up\(suffix)-\(f.tag)")
            document.nodes[0].listenPort = port
            return NodeDesiredState.Input(deployment: try document.validated(), privateKey: Fixtures.wireGuardKey(0x31))
        }
        return try NodeDesiredState(node: Fixtures.node1.id, inputs: inputs, publicSide: .host, uplink: uplink)
    }

    /// A workload namespace `zt-<tag>-wl` behind the NR's bridge at 10.20.1.2/24.
    static func workload(_ resource: NetworkResourceState, _ f: NamespaceFixture, layout: NodeLayout) throws -> String {
        let workload = try f.namespace("wl")
        let nr = try #require(layout.namespace(.named(resource.namespace)))
        let inside = try f.linkName("wl")
        let outside = try f.linkName("wb")
        try RouteNetlink(namespace: nr).createVeth(
            outside, peer: inside, peerNamespace: workload, master: resource.bridge.name, up: true)
        let routing = try RouteNetlink(namespace: workload)
        try routing.setUp(inside)
        try routing.addAddress(InterfaceAddress("10.20.1.2/24"), to: inside)
        try routing.addRoute(Route(destination: IPPrefix("0.0.0.0/0"), gateway: IPAddress("10.20.1.1")))
        return f.namespaceName("wl")
    }

    /// Who `from` reaches at `address` (a listener in `listenerNamespace`): the peer address the
    /// listener saw, or how the attempt ended.
    ///
    /// A listener or client killed by SIGKILL before it could answer is tried again, 3 s later, for
    /// up to about 30 s: nothing in this test kills them while it still needs them, but another
    /// test's cleanup that kills processes by namespace inode for seconds can hit them (inodes of
    /// freed namespaces are reused at once, and every `ip netns exec` makes a mount namespace). A real
    /// outcome — connected, timed out, refused — is never retried.
    static func probe(from: String, to address: String, listeningIn listenerNamespace: String) throws -> String {
        var attempt = 1
        while true {
            do {
                return try probeOnce(from: from, to: address, listeningIn: listenerNamespace)
            } catch let failure as ShellCommand.Failure where failure.status == SIGKILL && attempt < 10 {
                attempt += 1
                SpawnedProcess.sleep(.seconds(3))
            }
        }
    }

    static func probeOnce(from: String, to address: String, listeningIn listenerNamespace: String) throws -> String {
        let listener = try TCPProbe.listen(in: listenerNamespace, address: address, port: port)
        let outcome = try TCPProbe.connect(from: from, to: address, port: port)
        guard outcome == .connected else {
            listener.stop()
            return "\(outcome)"
        }
        return listener.result()?.peer ?? "connected, but the listener saw nobody"
    }

    @Test("an NR reaches the internet masqueraded to the host's address, and nothing it must not reach")
    func egressAndIsolation() throws {
        try NamespaceFixture.with { f in
            let (_, _) = try Self.wireHost(f)
            let sockets = try TemporaryDirectory(prefix: "zmesh-uplink")
            f.addCleanup("remove \(sockets.path)") { sockets.remove() }
            let layout = NodeLayout(
                namespacePrefix: f.namespaceName(""), publicSide: .host, wireGuardSocketDirectory: sockets.path,
                hostSide: .named("host"))
            let logger = Logger(label: "uplink-traffic") { _ in SwiftLogNoOpLogHandler() }
            let reconciler = NodeReconciler(layout: layout, backend: .userspace, logger: logger)
            f.addCleanup("tear down the node") {
                let outcome = reconciler.teardown()
                guard outcome.converged else {
                    throw TeardownFailed(detail: "\(outcome.failures) \(outcome.nodeFailure ?? "")")
                }
            }

            // The daemon's flow: the host side's facts, then the desired state, then one reconcile.
            let uplink = try NodeReader(layout: layout).hostUplink()
            #expect(uplink.defaultGateways == [try IPAddress(Self.gateway)])
            #expect(uplink.protectedDestinations.contains(try IPPrefix("\(Self.hostAddress)/32")))
            let desired = try Self.desired(f, uplink: uplink)
            let outcome = reconciler.reconcile(to: desired)
            #expect(outcome.converged, "\(outcome.failures) \(outcome.nodeFailure ?? "")")
            #expect(outcome.failures.isEmpty && outcome.nodeFailure == nil)
            #expect(try ReconcilePlan(from: reconciler.read(), to: desired).isEmpty)

            let a = desired.resources[0]
            let b = desired.resources[1]
            let nrA = f.namespaceName(a.namespace)
            let nrB = f.namespaceName(b.namespace)
            let ndmz = f.namespaceName("ndmz")
            let host = f.namespaceName("host")
            let inet = f.namespaceName("inet")
            let workload = try Self.workload(a, f, layout: layout)
            func odd(_ resource: NetworkResourceState) throws -> String {
                try #require(resource.uplink.addresses.first).address.description
            }

            // Out: a workload behind NR a, and a process in NR b, reach the internet; the far side sees
            // the host's address (NAT in the NR, the ndmz and the host). The default gateway is allowed.
            #expect(try Self.probe(from: workload, to: Self.server, listeningIn: inet) == Self.hostAddress)
            #expect(try Self.probe(from: nrB, to: Self.server, listeningIn: inet) == Self.hostAddress)
            #expect(try Self.probe(from: workload, to: Self.gateway, listeningIn: inet) == Self.hostAddress)

            // Not: the host's address, the host's end of the uplink, the ndmz, the operator's LAN.
            let timedOut = "\(TCPProbe.Outcome.timedOut)"
            #expect(try Self.probe(from: workload, to: Self.hostAddress, listeningIn: host) == timedOut)
            #expect(try Self.probe(from: nrB, to: Self.hostAddress, listeningIn: host) == timedOut)
            #expect(try Self.probe(from: workload, to: "100.127.0.0", listeningIn: host) == timedOut)
            #expect(try Self.probe(from: workload, to: "100.127.0.1", listeningIn: ndmz) == timedOut)
            #expect(try Self.probe(from: workload, to: Self.neighbour, listeningIn: inet) == timedOut)

            // Not between NRs, either way.
            #expect(try Self.probe(from: nrA, to: try odd(b), listeningIn: nrB) == timedOut)
            #expect(try Self.probe(from: nrB, to: try odd(a), listeningIn: nrA) == timedOut)

            // In: nothing from the internet reaches the ndmz (the host's end is on a connected route
            // of the host: dropped by zmesh-host), an NR or the workload (the host has no route to
            // them at all: the attempt loops back to the internet until its TTL runs out).
            #expect(try Self.probe(from: inet, to: "100.127.0.1", listeningIn: ndmz) == timedOut)
            for (address, namespace) in [(try odd(a), nrA), ("10.20.1.2", workload)] {
                let seen = try Self.probe(from: inet, to: address, listeningIn: namespace)
                #expect(seen == timedOut || seen.hasPrefix("failed"), "\(address): \(seen)")
            }

            // Control: without the ndmz policy NR a reaches NR b (the path is there: the policy is
            // what blocks it); the next reconcile puts the policy back and the path is closed again.
            try NFTablesContext(namespace: .named(ndmz)).deleteTable(.ndmz)
            #expect(try Self.probe(from: nrA, to: try odd(b), listeningIn: nrB) == (try odd(a)))
            let repair = reconciler.reconcile(to: desired)
            #expect(repair.converged)
            #expect(repair.applied == [.applyTable(.named("ndmz"), try #require(desired.ndmz.policy))])
            #expect(try Self.probe(from: nrA, to: try odd(b), listeningIn: nrB) == timedOut)
        }
    }
}
