import Deployments
import Foundation
import MeshPlanner
import NodeAgent
import NodeState
import RegistryClient
import SystemSupport
import Testing
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

/// The node agent in-process against a real registry (HTTP on 127.0.0.1) and the real reconciler in
/// the test's own namespaces, with wireguard-go.
@Suite(.serialized, .enabled(if: DaemonEnvironment.unavailableReason == nil, "\(DaemonEnvironment.unavailableReason ?? "")"))
struct NodeDaemonTests {
    /// Apply, refuse an update whose key does not open (the old configuration stays), admit the next
    /// version, catch up with an update submitted while the registry was down, restart without
    /// re-creating anything, and remove the network.
    @Test func deploymentLifecycle() async throws {
        try await DaemonHarness.with { h in
            try h.startDaemon()
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running }, "the agent registers and runs")
            try await h.registerPeer()

            // 1. Version 0 is applied: the NR exists with the device the document describes.
            let v0 = try h.draft(previous: nil)
            try await h.submit(v0)
            #expect(await eventually(seconds: 30) { h.device() != nil }, "the NR and its WireGuard device appear")
            let applied = try #require(h.device())
            let mine = try #require(try v0.validated().node(h.node.id))
            #expect(applied.listenPort == mine.listenPort)
            #expect(applied.publicKey == WireGuardKeys.publicKey(for: h.nodeKey))
            #expect(applied.peers.map(\.publicKey) == mine.peers.map(\.publicKey))
            _ = try await h.waitForStatus(.applied, version: 0)

            // 2. Version 1 carries a sealed key that does not open on this node: refused, version 0 runs on.
            var broken = try h.draft(previous: v0)
            let mineIndex = try #require(broken.nodes.firstIndex { $0.id == h.node.id.rawValue })
            let otherIndex = try #require(broken.nodes.firstIndex { $0.id == h.peer.id.rawValue })
            broken.nodes[mineIndex].sealedPrivateKey = broken.nodes[otherIndex].sealedPrivateKey
            broken.signatures = []
            broken = try broken.signed(by: h.owner)
            try await h.submit(broken)
            let refused = try await h.waitForStatus(.failed, version: 1)
            #expect(refused.error?.contains("sealed_private_key") == true, "\(refused.error ?? "")")
            #expect(h.device()?.publicKey == WireGuardKeys.publicKey(for: h.nodeKey), "version 0 still runs")
            #expect(h.device()?.listenPort == mine.listenPort)

            // 3. The owners' next version follows the refused one and is applied.
            var v2 = v0
            v2.version = 2
            v2.signatures = []
            v2 = try v2.signed(by: h.owner)
            try await h.submit(v2)
            _ = try await h.waitForStatus(.applied, version: 2)

            // 4. Registry down: the network keeps running; back up with an update made meanwhile
            //    (the peer leaves), the agent catches up.
            try await h.stopRegistry()
            try await Task.sleep(for: .seconds(3))
            #expect(h.device()?.peers.count == 1, "nothing changes while the registry is down")
            try await h.restartRegistry()
            let v3 = try h.draft(previous: v2, nodes: [h.node.id])
            try await h.submit(v3)
            #expect(await eventually(seconds: 30) { h.device()?.peers.isEmpty == true }, "the update is caught up")
            _ = try await h.waitForStatus(.applied, version: 3)

            // 5. Restart: a new agent with an empty memory adopts the NR without re-creating anything.
            await h.stopDaemon()
            #expect(h.device() != nil, "a stopped agent leaves the network running")
            try h.startDaemon(restart: true)
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await Task.sleep(for: .seconds(1))
            let actions = await h.daemon?.appliedActions() ?? []
            #expect(
                !actions.contains { if case .createWireGuard = $0 { true } else if case .createNamespace = $0 { true } else { false } },
                "after a restart nothing is re-created: \(actions)")
            #expect(h.device()?.listenPort == mine.listenPort)

            // 6. Removal: the NR goes, the registry hears `removed`.
            try await h.submit(DeploymentDraft.removal(of: v3).signed(by: h.owner))
            #expect(await eventually(seconds: 30) {
                !NetworkNamespace.exists(named: h.namespace)
            }, "the NR namespace is removed")
            // The registry lists only the latest version's nodes: the removal is seen in the agent's report.
            #expect(await eventually(seconds: 30) {
                await h.daemon?.networkStates().first?.state == .removed
                    && h.log.lines.last { $0.contains("status reported") } != nil
            })
            #expect(await h.daemon?.networkStates().first?.version == 4)

            // No secret in any log line.
            let secret = h.nodeKey.revealedBase64
            #expect(!h.log.lines.contains { $0.contains(secret) })
            #expect(h.log.lines.contains { $0.contains("deployment admitted") })
        }
    }

    /// A version that cannot be applied (its port is held by another process on the public side):
    /// the previous version is put back and keeps working, the network reports `failed`, and the
    /// next version is applied once the port is free.
    @Test func aFailedApplyKeepsThePreviousConfiguration() async throws {
        try await DaemonHarness.with { h in
            try h.startDaemon()
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await h.registerPeer()
            let v0 = try h.draft(previous: nil)
            try await h.submit(v0)
            _ = try await h.waitForStatus(.applied, version: 0)
            let oldPort = try #require(h.device()?.listenPort)

            let busy = UInt16(20000 + Int.random(in: 0..<20000))
            let holder = try HeldUDPPort(namespace: h.fixture.namespaceName("pub"), port: busy)
            defer { holder.release() }
            var v1 = v0
            v1.version = 1
            let mine = try #require(v1.nodes.firstIndex { $0.id == h.node.id.rawValue })
            v1.nodes[mine].listenPort = Int64(busy)
            v1.signatures = []
            try await h.submit(v1.signed(by: h.owner))
            let failed = try await h.waitForStatus(.failed, version: 1)
            #expect(failed.error?.contains("applying version 1 failed") == true, "\(failed.error ?? "")")
            #expect(h.device()?.listenPort == oldPort, "version 0's port is back")
            #expect(h.device()?.publicKey == WireGuardKeys.publicKey(for: h.nodeKey))
            #expect(h.device()?.peers.count == 1)

            holder.release()
            var v2 = v1
            v2.version = 2
            v2.signatures = []
            try await h.submit(v2.signed(by: h.owner))
            _ = try await h.waitForStatus(.applied, version: 2)
            #expect(h.device()?.listenPort == busy)
        }
    }

    /// Drift seen by events (the timer is too slow to matter): a deleted WireGuard link, a deleted
    /// address and a deleted route come back.
    @Test func driftIsRepairedOnEvents() async throws {
        try await DaemonHarness.with { h in
            try h.startDaemon(driftInterval: .seconds(600))
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await h.registerPeer()
            try await h.submit(try h.draft(previous: nil))
            #expect(await eventually(seconds: 30) { h.device() != nil })
            try await Task.sleep(for: .seconds(1))  // the agent's own events settle

            let wireGuard = h.networkID.wireGuardInterface.rawValue
            try ShellCommand.run(["ip", "-n", h.namespace, "link", "del", wireGuard])
            #expect(h.device() == nil)
            #expect(await eventually(seconds: 30) { h.device() != nil }, "w-<id> comes back")

            let bridge = h.networkID.bridgeInterface.rawValue
            try ShellCommand.run(["ip", "-n", h.namespace, "addr", "flush", "dev", bridge])
            #expect(await eventually(seconds: 30) {
                (try? ShellCommand.run(["ip", "-n", h.namespace, "-4", "addr", "show", "dev", bridge]))?.contains("10.77.") == true
            }, "the bridge's address comes back")

            try ShellCommand.run(["ip", "-n", h.namespace, "route", "del", "default"])
            #expect(await eventually(seconds: 30) {
                (try? ShellCommand.run(["ip", "-n", h.namespace, "route", "show", "default"]))?.contains("via 100.127.") == true
            }, "the default route comes back")
        }
    }

    /// Drift only the timer sees (no events watched): a deleted NR namespace and a deleted table come back.
    @Test func driftIsRepairedOnTheTimer() async throws {
        try await DaemonHarness.with { h in
            try h.startDaemon(driftInterval: .seconds(1), watchesEvents: false)
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await h.registerPeer()
            try await h.submit(try h.draft(previous: nil))
            #expect(await eventually(seconds: 30) { h.device() != nil })

            try ShellCommand.run(["ip", "netns", "exec", h.namespace, "nft", "delete", "table", "inet", "zmesh-nr"])
            #expect(await eventually(seconds: 30) {
                (try? ShellCommand.run(["ip", "netns", "exec", h.namespace, "nft", "list", "tables"]))?.contains("zmesh-nr") == true
            }, "the table comes back")

            try NetworkNamespace.delete(named: h.namespace)
            #expect(await eventually(seconds: 30) { h.device() != nil }, "n-<id> comes back")
            #expect(h.device()?.publicKey == WireGuardKeys.publicKey(for: h.nodeKey))
        }
    }

    /// Both nodes are public and dial each other; the peer never answers. Of such a pair only the
    /// node whose key orders first adds the peer again (first initiations that crossed would cross
    /// again if both did): the agent kicks three times when its key is first, never otherwise.
    @Test(arguments: [true, false])
    func ofTwoPublicNodesOnlyTheFirstKeyAddsAPeerAgain(agentFirst: Bool) async throws {
        try await DaemonHarness.with { h in
            try h.routeToNowhere("198.51.100.0/24")
            h.orderKeys(agentFirst: agentFirst)
            try h.startDaemon()
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await h.registerPeer()
            let document = try h.draft(previous: nil, peerPublic: true)
            let validated = try document.validated()
            let mine = try #require(validated.node(h.node.id)), other = try #require(validated.node(h.peer.id))
            #expect(mine.peers.first?.endpoint != nil && other.peers.first?.endpoint != nil, "they dial each other")
            #expect((mine.publicKey < other.publicKey) == agentFirst)
            try await h.submit(document)
            // Traffic for the peer (WireGuard has no keepalive between public nodes): pings from n-<id>
            // for 6 s, none answered (awaited at the end).
            #expect(await eventually(seconds: 30) { h.device() != nil })
            let target = try #require(other.wireGuardAddress)
            let traffic = Task.detached {
                _ = try? ShellCommand.run(["ip", "netns", "exec", h.namespace, "ping", "-c", "30", "-i", "0.2", "-W", "1", "\(target)"])
            }

            let kicked = { h.log.lines.filter { $0.contains("no first handshake yet") } }
            if agentFirst {
                #expect(await eventually(seconds: 30) { kicked().count >= 3 }, "kicked: \(kicked())")
            } else {
                // Sent something (its initiation) and no handshake: it would have been kicked within 1 s.
                #expect(await eventually(seconds: 30) { (h.device()?.peers.first?.transmittedBytes ?? 0) > 0 })
                try await Task.sleep(for: .seconds(3))
            }
            #expect(kicked().count == (agentFirst ? 3 : 0), "\(kicked())")
            #expect(h.device()?.peers.first?.configuration.publicKey == other.publicKey)
            await traffic.value
        }
    }

    /// The agent node is hidden and dials its access node, which never answers (its address leads
    /// to a veth in the test's public side whose other end has no such address): the agent adds the peer again, as it does when a
    /// first initiation was lost, at most three times, and the peer ends as the document has it.
    @Test func aDialledPeerThatNeverAnswersIsAddedAgainAtMostThreeTimes() async throws {
        try await DaemonHarness.with { h in
            try h.routeToNowhere("198.51.100.0/24")
            try h.startDaemon()
            #expect(await eventually(seconds: 30) { h.daemon?.phase == .running })
            try await h.registerPeer()
            let document = try h.draft(previous: nil, agentHidden: true)
            let mine = try #require(try document.validated().node(h.node.id))
            let access = try #require(mine.peers.first)
            #expect(access.endpoint != nil && access.persistentKeepalive > 0, "the hidden agent dials its access node")
            try await h.submit(document)

            let kicked = { h.log.lines.filter { $0.contains("no first handshake yet") } }
            #expect(await eventually(seconds: 30) { kicked().count >= 3 }, "kicked: \(kicked())")
            try await Task.sleep(for: .seconds(3))
            #expect(kicked().count == 3, "at most three times: \(kicked())")
            #expect(kicked().allSatisfy { $0.contains(access.publicKey.base64) && $0.contains(h.networkID.wireGuardInterface.rawValue) })
            let peer = try #require(h.device()?.peers.first?.configuration)
            #expect(h.device()?.peers.count == 1)
            #expect(peer.publicKey == access.publicKey && peer.endpoint == access.endpoint)
            #expect(peer.persistentKeepalive == access.persistentKeepalive && peer.allowedIPs == access.allowedIPs)
            #expect(!h.log.lines.contains { $0.contains("cannot add a peer again") })
        }
    }
}
