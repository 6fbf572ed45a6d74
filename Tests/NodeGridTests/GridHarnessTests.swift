import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The harness itself, before any agent runs on it: nodes are isolated from each other and from the
/// host where they must be (named namespaces, wireguard-go sockets, processes), reach the registry
/// over the LAN, and leave nothing behind.
@Suite("Grid harness", .requiresGrid, .serialized)
struct GridHarnessTests {
    /// A network id for hand-made network resources (13 characters of a–z, 2–7).
    static let network = try! NetworkID("gridharnessaa")

    /// Makes `n-<id>` with the bridge `b-<id>` (10.20.<k>.1/24, fd12:3456:789a:<k>::1/64) in `node`,
    /// as an agent would, so workloads can attach.
    static func fakeNetworkResource(on node: SimulatedNode, subnet k: Int) throws {
        let id = network.rawValue
        try node.shell(
            """
            set -e
            ip netns add n-\(id)
            ip -n n-\(id) link set lo up
            ip -n n-\(id) link add b-\(id) type bridge
            ip -n n-\(id) addr add 10.20.\(k).1/24 dev b-\(id)
            ip -n n-\(id) addr add fd12:3456:789a:\(k)::1/64 dev b-\(id) nodad
            ip -n n-\(id) link set b-\(id) up
            """)
    }

    @Test(.requiresUserspaceWireGuard(KernelSkip.runsWireGuardGo))
    func twoNodesRunWireGuardGoUnderTheSameNameWithoutClashing() throws {
        try Grid.with { grid in
            let nodes = try grid.addNodes(2)
            for node in nodes { try node.run(["wireguard-go", "w-test"]).output() }
            var pids: [pid_t] = []
            for node in nodes {
                #expect(try node.run(["ls", "/run/wireguard"]).output() == "w-test.sock\n", "\(node)")
                // wg finds the device through the node's own socket and configures it.
                try node.run(["wg", "set", "w-test", "listen-port", String(51820 + node.index)]).output()
                let port = try node.run(["wg", "show", "w-test", "listen-port"]).output()
                #expect(port == "\(51820 + node.index)\n", "\(node): each node configures its own w-test")
                let processes = node.wireGuardGoProcesses()
                #expect(processes.count == 1, "\(node): \(processes)")
                pids += processes.map(\.pid)
            }
            #expect(Set(pids).count == 2)
            #expect(!FileManager.default.fileExists(atPath: "/run/wireguard/w-test.sock"), "the host's /run/wireguard is untouched")
        }
    }

    @Test func aNodeReachesTheRegistryOverTheLAN() throws {
        try Grid.with { grid in
            let node = try grid.addNode()
            let code = try node.run([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", "\(grid.registryURL)/v1/twins/none",
            ])
            // An id of the wrong form: the registry's 400 is an answer from it.
            #expect(code.standardOutput == "400", "the registry answers from inside the node: \(code)")
            // The deployer's side (LAN namespace) registers a twin; the node reads it back.
            let alice = try grid.deployer("alice")
            let twin = try node.run(["curl", "-sf", "-m", "5", "\(grid.registryURL)/v1/twins/\(alice.id)"]).output()
            #expect(twin.contains(alice.id))
            // Nothing leaves the grid: neither the node nor the LAN has a default route.
            #expect(try node.run(["ip", "route", "show", "default"]).output() == "")
            #expect(try grid.runOnLAN(["ip", "route", "show", "default"]).output() == "")
        }
    }

    @Test func workloadsMadeInsideANodeAreInvisibleOutsideIt() throws {
        try Grid.with { grid in
            let nodes = try grid.addNodes(2)
            try Self.fakeNetworkResource(on: nodes[0], subnet: 1)
            let workload = try nodes[0].addWorkload(network: Self.network, number: 1)
            #expect(workload.ipv4 == "10.20.1.101")
            #expect(workload.ipv6 == "fd12:3456:789a:1::65")
            #expect(try nodes[0].namespaces() == ["n-gridharnessaa", "wl1"])
            #expect(try nodes[1].namespaces() == [])
            let host = try NetworkNamespace.namedNamespaces()
            #expect(!host.contains("wl1") && !host.contains("n-gridharnessaa"), "the host's /run/netns: \(host)")
            // The workload reaches its gateway (the bridge) over both families.
            #expect(workload.ping("10.20.1.1"))
            #expect(workload.ping("fd12:3456:789a:1::1"))
            #expect(!workload.ping("10.20.2.1"), "no route to another node's subnet without an agent")
        }
    }

    @Test func continuousPingCountsEveryLostPacket() throws {
        try Grid.with { grid in
            let node = try grid.addNode()
            try Self.fakeNetworkResource(on: node, subnet: 1)
            let a = try node.addWorkload(network: Self.network, number: 1)
            let b = try node.addWorkload(network: Self.network, number: 2)
            #expect(a.ping(b.ipv4))

            let steady = try a.startContinuousPing(to: b.ipv4)
            SpawnedProcess.sleep(.seconds(1))
            let quiet = try steady.stop()
            print("grid harness: continuous ping, nothing touched: \(quiet)")
            #expect(quiet.sent >= 5 && quiet.lostCount == 0, "\(quiet)")

            // Take b's bridge port down for a while: the ping must notice.
            let broken = try a.startContinuousPing(to: b.ipv4)
            SpawnedProcess.sleep(.milliseconds(300))
            try node.run(inNamespace: "n-gridharnessaa", ["ip", "link", "set", "wl2", "down"]).output()
            SpawnedProcess.sleep(.milliseconds(500))
            try node.run(inNamespace: "n-gridharnessaa", ["ip", "link", "set", "wl2", "up"]).output()
            SpawnedProcess.sleep(.milliseconds(500))
            let outage = try broken.stop()
            print("grid harness: continuous ping across a 500 ms outage: \(outage)")
            #expect(outage.lostCount >= 3 && outage.longestLoss >= 3, "\(outage)")

            let v6 = try a.startContinuousPing(to: try #require(b.ipv6))
            SpawnedProcess.sleep(.milliseconds(500))
            let six = try v6.stop()
            #expect(six.sent >= 3 && six.lostCount == 0, "IPv6: \(six)")

            #expect(try a.tcpTransfer(to: b, address: b.ipv4, bytes: 3 << 20) == 3 << 20)
        }
    }

    @Test func theRegistryStopsAndStartsAgainWithItsDatabase() throws {
        try Grid.with { grid in
            let alice = try grid.deployer("alice")
            let farm = try alice.createFarm()
            grid.registry.stop()
            #expect(try !grid.registry.answers())
            try grid.registry.start()
            let farm2 = try alice.createFarm("second")
            #expect(farm2 == farm + 1, "the farm made before the restart is still in the database")
        }
    }

    @Test(.requiresUserspaceWireGuard(KernelSkip.runsWireGuardGo))
    func everythingIsRemovedEvenWhenTheBodyThrows() throws {
        struct Planned: Error {}
        var tag = ""
        var processes: [ProcessTable.Entry] = []
        var directory = ""
        var registryAnswered = false
        #expect(throws: Planned.self) {
            try Grid.with { grid in
                tag = grid.tag
                directory = grid.directory
                for node in try grid.addNodes(2) {
                    try Self.fakeNetworkResource(on: node, subnet: node.index)
                    _ = try node.addWorkload(network: Self.network)
                    try node.run(["wireguard-go", "w-test"]).output()
                    // A process that would outlive a careless cleanup: detached, ignoring SIGTERM.
                    try node.run(["sh", "-c", "trap '' TERM; setsid sleep 1000 </dev/null >/dev/null 2>&1 &"]).output()
                    processes += node.processes()
                }
                registryAnswered = try grid.registry.answers()
                throw Planned()
            }
        }
        #expect(registryAnswered)
        // Both holders, both wireguard-go, both detached sleeps at least; none is alive.
        #expect(processes.count >= 6, "\(processes)")
        #expect(processes.filter(ProcessTable.isAlive).isEmpty)
        #expect(try NetworkNamespace.namedNamespaces().filter { $0.contains(tag) } == [])
        #expect(!FileManager.default.fileExists(atPath: directory))
        let links = try GridCommand(directory: NSTemporaryDirectory()).run(["ip", "-o", "link"]).output()
        #expect(!links.contains(tag))
    }
}
