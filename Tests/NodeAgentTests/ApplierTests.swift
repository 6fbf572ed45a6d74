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

#if canImport(Glibc)
import Glibc
#endif

/// The applier on one simulated node, userspace backend (real wireguard-go): the node's namespaces
/// are `zt-<tag>-…` (the layout's prefix), its public side the test's `zt-<tag>-pub`, and the
/// networks are named after the fixture's tag, so `w-<id>` and its socket in the machine-wide
/// `/var/run/wireguard` are unique to the test. Needs root, `/dev/net/tun` and wireguard-go.
@Suite(
    "NodeReconciler: wireguard-go", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable,
        Comment(
            rawValue: "needs root, ip netns, /dev/net/tun and wireguard-go: "
                + (WireGuardGoEnvironment.unavailableReason ?? ""))))
struct ApplierTests {
    @Test("an empty node converges in one pass; a second reconcile applies nothing")
    func emptyNodeConverges() throws {
        try NamespaceFixture.with { f in
            let node = try ApplierNode(f)
            let desired = try Applier.desired(networks: ["apply-\(f.tag)"])
            let resource = try #require(desired.resources.first)
            let wireGuard = resource.wireGuard.link.name
            node.watch(wireGuard)

            let start = ContinuousClock.now
            let outcome = node.reconciler.reconcile(to: desired)
            let elapsed = ContinuousClock.now - start
            print("applier: one network resource from an empty node (userspace) in \(elapsed), \(outcome.applied.count) actions")

            #expect(outcome.converged)
            #expect(outcome.passes == 1)
            #expect(outcome.failures.isEmpty)
            #expect(outcome.nodeFailure == nil)
            #expect(outcome.remaining.isEmpty)
            #expect(try node.plan(to: desired).isEmpty, "a fresh read with the reconciler's memory needs nothing")
            // Without the memory, only the table is unrecognised.
            let fresh = ReconcilePlan(from: try NodeReader(layout: node.layout).read(), to: desired)
            #expect(fresh.actions == [.applyTable(.named(resource.namespace), resource.egress)])
            let snapshot = try #require(outcome.snapshot)
            #expect(snapshot.namespaces[resource.namespace]?.wireGuard[wireGuard]?.configuration == resource.wireGuard.configuration)
            #expect(snapshot.namespaces[resource.namespace]?.links[wireGuard]?.kind == "tun")

            // One log line per applied action, naming it and its namespace; no secret anywhere.
            let applied = node.log.records.filter { $0.message == "applied" }
            #expect(applied.map { $0.metadata["action"] } == outcome.applied.map { "\($0)" })
            #expect(applied.allSatisfy { $0.metadata["namespace"] != nil })
            let secret = resource.wireGuard.configuration.privateKey.map(\.revealedBase64) ?? "-"
            let hex = resource.wireGuard.configuration.privateKey.map(\.revealedHex) ?? "-"
            for record in node.log.records {
                #expect(!record.line.contains(secret) && !record.line.contains(hex))
            }

            // The daemon outlives the agent: its own process group, output to a file, not a pipe.
            let pids = Applier.daemons(serving: wireGuard)
            #expect(pids.count == 1)
            if let pid = pids.first {
                #expect(getpgid(pid) != getpgrp())
                for fd in [1, 2] {
                    let target = (try? ShellCommand.run(["readlink", "/proc/\(pid)/fd/\(fd)"])) ?? ""
                    #expect(!target.hasPrefix("pipe:"), "fd \(fd) of wireguard-go is \(target)")
                }
            }

            node.log.clear()
            let again = node.reconciler.reconcile(to: desired)
            #expect(again.applied.isEmpty)
            #expect(again.passes == 0)
            #expect(again.converged)
            #expect(Applier.daemons(serving: wireGuard) == pids)
        }
    }

    @Test("drift is repaired by one reconcile: w-<id>, n-<id>, the table, a route")
    func driftRepaired() throws {
        try NamespaceFixture.with { f in
            let node = try ApplierNode(f)
            let desired = try Applier.desired(networks: ["drift-\(f.tag)"])
            let resource = try #require(desired.resources.first)
            let wireGuard = resource.wireGuard.link.name
            node.watch(wireGuard)
            #expect(node.reconciler.reconcile(to: desired).converged)
            let nr = node.hostName(resource.namespace)

            func repair(_ what: String, _ drift: () throws -> Void) throws -> ReconcileOutcome {
                try drift()
                let outcome = node.reconciler.reconcile(to: desired)
                #expect(outcome.converged, "\(what): \(outcome.remaining)")
                #expect(outcome.passes == 1, "\(what)")
                #expect(outcome.failures.isEmpty && outcome.nodeFailure == nil, "\(what): \(outcome.failures)")
                #expect(try node.plan(to: desired).isEmpty, "\(what)")
                #expect(Applier.daemons(serving: wireGuard).count == 1, "\(what): one wireguard-go for \(wireGuard)")
                return outcome
            }

            let link = try repair("w-<id> deleted") {
                try ShellCommand.run(["ip", "-n", nr, "link", "del", wireGuard.rawValue])
            }
            #expect(link.applied.contains(.createWireGuard(.named("pub"), wireGuard, mtu: NetworkResourceState.wireGuardMTU)))
            #expect(link.applied.allSatisfy { "\($0)".contains(wireGuard.rawValue) }, "\(link.applied)")

            let namespace = try repair("n-<id> deleted") {
                try NetworkNamespace.delete(named: nr)
            }
            #expect(namespace.applied.first == .createNamespace(resource.namespace))
            #expect(namespace.applied.allSatisfy { $0.owningNetwork == resource.id }, "\(namespace.applied)")

            let table = try repair("table deleted") {
                try NFTablesContext(namespace: .named(nr)).deleteTable(resource.egress.name)
            }
            #expect(table.applied == [.applyTable(.named(resource.namespace), resource.egress)])

            let defaultRoute = try #require(resource.routes.first { $0.destination.length == 0 })
            let route = try repair("route deleted") {
                try RouteNetlink(namespace: .named(nr)).deleteRoute(
                    Route(destination: defaultRoute.destination, gateway: defaultRoute.gateway, device: defaultRoute.device))
            }
            #expect(route.applied == [.replaceRoute(.named(resource.namespace), defaultRoute)])
        }
    }

    @Test("removing a network leaves nothing of it and no wireguard-go; teardown removes the ndmz, not foreign objects")
    func removalAndTeardown() throws {
        try NamespaceFixture.with { f in
            let node = try ApplierNode(f)
            let desired = try Applier.desired(networks: ["remove-\(f.tag)"])
            let resource = try #require(desired.resources.first)
            let wireGuard = resource.wireGuard.link.name
            node.watch(wireGuard)
            #expect(node.reconciler.reconcile(to: desired).converged)
            let pids = Applier.daemons(serving: wireGuard)
            #expect(pids.count == 1)
            // Foreign: a namespace with an NR-like name the agent does not own, a link on the public side.
            try f.namespace("n-foo")
            try ShellCommand.run(["ip", "-n", f.namespaceName("pub"), "link", "add", "x-\(f.tag)", "type", "bridge"])

            let empty = try Applier.desired(networks: [])
            let removal = node.reconciler.reconcile(to: empty)
            #expect(removal.converged)
            #expect(removal.applied.allSatisfy { $0.isRemoval }, "\(removal.applied)")
            #expect(!NetworkNamespace.exists(named: node.hostName(resource.namespace)))
            #expect(NetworkNamespace.exists(named: node.hostName("ndmz")))
            #expect(Applier.daemons(serving: wireGuard).isEmpty)
            for pid in pids { #expect(kill(pid, 0) == -1, "wireguard-go \(pid) exited and was reaped") }
            #expect(!UserspaceBackend().hasSocket(for: wireGuard))
            #expect(try node.plan(to: empty).isEmpty)

            let teardown = node.reconciler.teardown()
            #expect(teardown.converged)
            #expect(teardown.applied == [.deleteNamespace("ndmz")])
            #expect(!NetworkNamespace.exists(named: node.hostName("ndmz")))
            #expect(NetworkNamespace.exists(named: f.namespaceName("n-foo")))
            #expect(ShellCommand.succeeds(["ip", "-n", f.namespaceName("pub"), "link", "show", "x-\(f.tag)"]))
        }
    }

    @Test("a restarted agent adopts the running node: only the tables are applied again")
    func restartAdopts() throws {
        try NamespaceFixture.with { f in
            let node = try ApplierNode(f)
            let desired = try Applier.desired(networks: ["adopt-\(f.tag)"])
            let resource = try #require(desired.resources.first)
            let wireGuard = resource.wireGuard.link.name
            node.watch(wireGuard)
            #expect(node.reconciler.reconcile(to: desired).converged)
            let pids = Applier.daemons(serving: wireGuard)

            node.restart()
            let outcome = node.reconciler.reconcile(to: desired)
            #expect(outcome.converged)
            #expect(outcome.applied == [.applyTable(.named(resource.namespace), resource.egress)])
            #expect(Applier.daemons(serving: wireGuard) == pids, "the same wireguard-go, adopted")
            #expect(pids.count == 1)
            #expect(try node.plan(to: desired).isEmpty)

            // The restarted agent also removes what it adopted, daemon included.
            let removal = node.reconciler.reconcile(to: try Applier.desired(networks: []))
            #expect(removal.converged)
            #expect(Applier.daemons(serving: wireGuard).isEmpty)
        }
    }

    @Test("a failing network does not block another")
    func failingNetworkIsolated() throws {
        try NamespaceFixture.with { f in
            let node = try ApplierNode(f)
            let good = "good-\(f.tag)"
            let bad = "bad-\(f.tag)"
            let badPort: Int64 = 51830
            let desired = try Applier.desired(networks: [good, bad], ports: [bad: badPort])
            let goodResource = try #require(desired.resources.first { $0.wireGuard.configuration.listenPort == 51820 })
            let badResource = try #require(desired.resources.first { $0.wireGuard.configuration.listenPort == UInt16(badPort) })
            node.watch(goodResource.wireGuard.link.name)
            node.watch(badResource.wireGuard.link.name)
            // Someone else holds the bad network's UDP port on the public side.
            let holder = try node.publicSide.run { () throws -> Int32 in
                let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(badPort).bigEndian)
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard fd >= 0, rc == 0 else { throw SystemError("bind", "udp \(badPort)", errno: errno) }
                return fd
            }
            var held = true
            defer { if held { close(holder) } }

            let outcome = node.reconciler.reconcile(to: desired)
            #expect(!outcome.converged)
            #expect(outcome.passes == 3)
            #expect(Array(outcome.failures.keys) == [badResource.id])
            let message = outcome.failures[badResource.id] ?? ""
            #expect(message.contains(badResource.id.rawValue), "\(message)")
            #expect(message.contains("configure wireguard"), "\(message)")
            #expect(outcome.nodeFailure == nil)
            #expect(outcome.remaining.allSatisfy { $0.owningNetwork == badResource.id }, "\(outcome.remaining)")
            #expect(!outcome.remaining.isEmpty)
            let plan = try node.plan(to: desired)
            #expect(!plan.actions.contains { $0.owningNetwork == goodResource.id }, "the good network converged")
            #expect(Applier.daemons(serving: badResource.wireGuard.link.name).count == 1, "no daemon per attempt")
            print("applier: failing network reported as: \(message)")

            // Once the port is free, the next reconcile converges.
            close(holder)
            held = false
            let retry = node.reconciler.reconcile(to: desired)
            #expect(retry.converged)
            #expect(retry.failures.isEmpty)
        }
    }
}
