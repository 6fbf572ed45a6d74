import DeploymentTestSupport
import Deployments
import NodeAgent
import NodeState
import SystemSupport
import Testing
import WireGuardNL
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Two nodes of the sample deployment on one machine, each reconciled by its own NodeReconciler
/// (userspace backend): node 1 in `zt-<tag>-a…`, node 2 in `zt-<tag>-b…`. Their public sides are
/// joined by a veth carrying the deployment's endpoints (node 2 at 203.0.113.2, node 1 at
/// 2001:db8::1), and each node's wireguard-go daemons have their own socket directory (both serve
/// the same `w-<id>`). A workload on each NR's bridge pings the other through WireGuard. Nothing
/// leaves the test's namespaces.
@Suite(
    "NodeReconciler: two nodes", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable,
        Comment(
            rawValue: "needs root, ip netns, /dev/net/tun and wireguard-go: "
                + (WireGuardGoEnvironment.unavailableReason ?? ""))))
struct ApplierTwoNodeTests {
    @Test("two reconciled nodes carry a workload's ping through WireGuard; a restart adopts without a new handshake")
    func workloadsPingAcrossNodes() throws {
        try NamespaceFixture.with { f in
            let network = "pair-\(f.tag)"
            let a = try ApplierNode(f, role: "a", socketDirectory: "/tmp/zmesh-applier-\(f.tag)-a")
            let b = try ApplierNode(f, role: "b", socketDirectory: "/tmp/zmesh-applier-\(f.tag)-b")
            let desiredA = try Applier.desired(node: 0, networks: [network])
            let desiredB = try Applier.desired(node: 1, networks: [network])
            let resourceA = try #require(desiredA.resources.first)
            let resourceB = try #require(desiredB.resources.first)
            let wireGuard = resourceA.wireGuard.link.name
            #expect(resourceB.wireGuard.link.name == wireGuard)
            a.watch(wireGuard)
            b.watch(wireGuard)

            // The public sides' wire: the deployment's endpoints.
            let pubA = f.namespaceName("apub")
            let pubB = f.namespaceName("bpub")
            try ShellCommand.run(["ip", "-n", pubA, "link", "add", "pa-\(f.tag)", "type", "veth", "peer", "name", "pb-\(f.tag)", "netns", pubB])
            try ShellCommand.run(["ip", "-n", pubA, "addr", "add", "203.0.113.1/24", "dev", "pa-\(f.tag)"])
            try ShellCommand.run(["ip", "-n", pubA, "addr", "add", "2001:db8::1/64", "dev", "pa-\(f.tag)", "nodad"])
            try ShellCommand.run(["ip", "-n", pubB, "addr", "add", "203.0.113.2/24", "dev", "pb-\(f.tag)"])
            try ShellCommand.run(["ip", "-n", pubB, "addr", "add", "2001:db8::2/64", "dev", "pb-\(f.tag)", "nodad"])
            try ShellCommand.run(["ip", "-n", pubA, "link", "set", "pa-\(f.tag)", "up"])
            try ShellCommand.run(["ip", "-n", pubB, "link", "set", "pb-\(f.tag)", "up"])

            let outcomeA = a.reconciler.reconcile(to: desiredA)
            let outcomeB = b.reconciler.reconcile(to: desiredB)
            for outcome in [outcomeA, outcomeB] {
                #expect(outcome.converged, "\(outcome.remaining) \(outcome.failures) \(outcome.nodeFailure ?? "")")
                #expect(outcome.failures.isEmpty)
            }
            #expect(Applier.daemons(serving: wireGuard).count == 2, "one wireguard-go per node")
            #expect(UserspaceBackend(socketDirectory: a.layout.wireGuardSocketDirectory).hasSocket(for: wireGuard))
            #expect(UserspaceBackend(socketDirectory: b.layout.wireGuardSocketDirectory).hasSocket(for: wireGuard))
            #expect(!UserspaceBackend().hasSocket(for: wireGuard), "nothing in the machine-wide socket directory")

            let workloadA = try a.workload(on: resourceA, address: "10.20.1.10")
            let workloadB = try b.workload(on: resourceB, address: "10.20.2.10")
            #expect(try a.plan(to: desiredA).isEmpty, "a workload on the bridge is not the agent's business")
            #expect(Applier.ping(from: workloadA, "10.20.2.10"), "node 1's workload reaches node 2's through WireGuard")
            #expect(Applier.ping(from: workloadB, "10.20.1.10"), "and back")

            let deviceA = try #require(a.reconciler.read().namespaces[resourceA.namespace]?.wireGuard[wireGuard])
            let peerB = try #require(deviceA.peers.first { $0.publicKey == Fixtures.publicKey(0x32) })
            let handshake = try #require(peerB.lastHandshake, "node 1 completed a handshake with node 2")

            // Restart node 1's agent: it adopts everything, re-applies only its table.
            let pids = Applier.daemons(serving: wireGuard)
            a.restart()
            let adopted = a.reconciler.reconcile(to: desiredA)
            #expect(adopted.converged)
            #expect(adopted.applied == [.applyTable(.named(resourceA.namespace), resourceA.egress)])
            #expect(Applier.daemons(serving: wireGuard) == pids)
            let after = try #require(a.reconciler.read().namespaces[resourceA.namespace]?.wireGuard[wireGuard])
            #expect(after.peers.first { $0.publicKey == Fixtures.publicKey(0x32) }?.lastHandshake == handshake)
            #expect(Applier.ping(from: workloadA, "10.20.2.10"))
        }
    }
}
