import DeploymentTestSupport
import Deployments
import Logging
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

/// The node agent's reconciler with the kernel backend: `w-<id>` a kernel WireGuard link created on
/// the public side and moved into the NR, configured over generic netlink from inside the NR. Two
/// nodes of the sample deployment (node 1 and node 2), each with its own namespace prefix and public
/// side, their public sides joined by a veth carrying the deployment's endpoints.
enum NodeAgentChecks {
    static let all: [Check] = [
        Check(name: "node agent: kernel backend converges, re-reads empty, adopts, repairs and tears down") {
            try withNodes { a, b in
                for node in [a, b] {
                    let outcome = node.reconciler.reconcile(to: node.desired)
                    try expect(outcome.converged && outcome.failures.isEmpty && outcome.nodeFailure == nil,
                        "\(node.prefix): not converged: \(outcome.failures) \(outcome.nodeFailure ?? "") remaining \(outcome.remaining.map(\.description))")
                    try expect(outcome.applied.contains { if case .createWireGuard = $0 { true } else { false } },
                        "\(node.prefix): no WireGuard link created")
                }
                let snapshot = try a.reconciler.read()
                let nr = try a.resource.namespace
                try expect(snapshot.namespaces[nr]?.links[a.wireGuard]?.kind == "wireguard",
                    "w-<id> is \(snapshot.namespaces[nr]?.links[a.wireGuard]?.kind ?? "missing"), not a kernel wireguard link")
                try expect(snapshot.namespaces[nr]?.wireGuard[a.wireGuard]?.configuration == a.desired.resources[0].wireGuard.configuration,
                    "the device read back differs from the desired configuration")
                try expect(ReconcilePlan(from: snapshot, to: a.desired).isEmpty, "a fresh read still plans work")
                try expect(snapshot.publicSide.links.isEmpty, "a w-<id> was left on the public side")

                // Traffic between the two NRs over kernel WireGuard (their WireGuard addresses).
                try ping(from: a.prefix + nr, to: "100.64.20.2")
                let handshake = try a.reconciler.read().namespaces[nr]?.wireGuard[a.wireGuard]?.peers
                    .first { $0.configuration.publicKey == Fixtures.publicKey(0x32) }?.lastHandshake
                try expect((handshake?.seconds ?? 0) > 0, "no handshake with node 2 after a ping")

                // A restarted agent (new reconciler, empty memory) re-applies only the tables.
                let restarted = NodeReconciler(layout: a.layout, backend: .kernel, logger: a.logger)
                let again = restarted.reconcile(to: a.desired)
                try expect(again.converged && again.applied.allSatisfy { if case .applyTable = $0 { true } else { false } },
                    "a restarted reconciler did more than re-apply tables: \(again.applied.map(\.description))")

                // Drift: the link deleted behind the agent's back comes back configured.
                try RouteNetlink(namespace: .named(a.prefix + nr)).deleteLink(a.wireGuard)
                let repaired = restarted.reconcile(to: a.desired)
                try expect(repaired.converged, "w-<id> not repaired: \(repaired.remaining.map(\.description))")
                try ping(from: a.prefix + nr, to: "100.64.20.2")

                // Teardown leaves nothing with the prefix.
                for node in [a, b] {
                    let down = node.reconciler.teardown()
                    try expect(down.converged, "\(node.prefix): teardown did not finish: \(down.remaining.map(\.description))")
                    let left = try NetworkNamespace.namedNamespaces().filter { $0.hasPrefix(node.prefix) && $0 != node.prefix + "pub" }
                    try expect(left.isEmpty, "\(node.prefix): namespaces left after teardown: \(left)")
                }
            }
        }
    ]

    struct Node {
        let prefix: String
        let layout: NodeLayout
        let reconciler: NodeReconciler
        let desired: NodeDesiredState
        let logger: Logger
        var resource: NetworkResourceState { get throws {
            guard let first = desired.resources.first else { throw CheckFailure(description: "no resource") }
            return first
        } }
        var wireGuard: InterfaceName { desired.resources[0].wireGuard.link.name }
    }

    static func withNodes(_ body: (Node, Node) throws -> Void) throws {
        var logger = Logger(label: "zmesh.kernel-checks")
        logger.logLevel = .warning
        let deployment = try Fixtures.deployment(name: "kernel").validated()
        func node(_ prefix: String, _ identity: UInt8, key: UInt8) throws -> Node {
            let layout = NodeLayout(namespacePrefix: prefix, publicSide: .named("pub"), hostSide: .named("pub"))
            let input = NodeDesiredState.Input(deployment: deployment, privateKey: Fixtures.wireGuardKey(key))
            let desired = try NodeDesiredState(
                node: Fixtures.identity(identity).id, inputs: [input], publicSide: .named("pub"))
            return Node(
                prefix: prefix, layout: layout, reconciler: NodeReconciler(layout: layout, backend: .kernel, logger: logger),
                desired: desired, logger: logger)
        }
        let a = try node("ka-", 11, key: 0x31)
        let b = try node("kb-", 12, key: 0x32)
        try Shell.addNamespace("ka-pub")
        try Shell.addNamespace("kb-pub")
        defer {
            for node in [a, b] { _ = node.reconciler.teardown() }
        }
        // The wire: node 1 at 203.0.113.1 / 2001:db8::1, node 2 at 203.0.113.2 / 2001:db8::2.
        try Shell.run(["ip", "-n", "ka-pub", "link", "add", "wire", "type", "veth", "peer", "name", "wire", "netns", "kb-pub"])
        for (ns, v4, v6) in [("ka-pub", "203.0.113.1/24", "2001:db8::1/64"), ("kb-pub", "203.0.113.2/24", "2001:db8::2/64")] {
            try Shell.run(["ip", "-n", ns, "addr", "add", v4, "dev", "wire"])
            try Shell.run(["ip", "-n", ns, "addr", "add", v6, "dev", "wire", "nodad"])
            try Shell.run(["ip", "-n", ns, "link", "set", "wire", "up"])
        }
        try body(a, b)
    }

    static func ping(from namespace: String, to address: String) throws {
        let result = try Shell.run(
            ["ip", "netns", "exec", namespace, "/bb/ping", "-c", "3", "-W", "5", address], allowFailure: true)
        try expect(result.status == 0, "ping \(address) from \(namespace) failed: \(result.stdout) \(result.stderr)")
    }
}
