import Foundation
import GridSupport
import SystemSupport
import Testing

/// Issue 8's scenarios 1 (mesh) and 4 (hidden nodes): 3 public nodes on the internet bridge and 2
/// hidden nodes each behind its own NAT router (node 4 endpoint-independent, node 5 symmetric with
/// randomised ports), real agents, one network over all five.
@Suite("Hidden nodes behind NAT on a grid", .requiresGrid, .serialized)
struct HiddenNodeGridTests {
    /// Five nodes (1–3 public, 4 behind endpoint-independent NAT, 5 behind symmetric NAT) whose agents
    /// registered, the network `office` over all of them applied and a workload on each.
    struct Mesh {
        let grid: Grid
        let owner: GridSupport.Deployer
        let nodes: [SimulatedNode]
        let network: GridNetwork
        var hidden: [SimulatedNode] { nodes.filter(\.isHidden) }

        init(_ grid: Grid) throws {
            self.grid = grid
            owner = try grid.deployer("alice")
            let farm = try owner.createFarm()
            nodes = try grid.addNodes(3) + [try grid.addNode(hidden: .endpointIndependent), try grid.addNode(hidden: .symmetric)]
            for node in nodes { try node.startAgent(farm: farm) }
            try owner.waitForRegistration(nodes)
            network = try GridNetwork(owner: owner)
            try network.submit(nodes)
            try network.waitUntilApplied()
            try network.attachWorkloadsConcurrently()
        }
    }

    @Test func everyPairOfFiveNodesTwoOfThemHiddenPingsAndTransfersOverIPv4AndIPv6() throws {
        try Grid.with { grid in
            let mesh = try Mesh(grid)
            #expect(mesh.hidden.map(\.index) == [4, 5])
            // The hidden nodes registered without a public address: the plan serves them via an access node.
            let access = mesh.network.accessNodes
            #expect(Set(access.keys) == Set(mesh.hidden.map(\.id)), "hidden in the plan: \(mesh.network.submitOutput)")

            let matrix = try mesh.network.connectivity(timeout: .seconds(60), ipv6: true)
            print("grid: mesh of 5 (2 hidden), all pairs probed in \(matrix.elapsed.readable):\n\(matrix)")
            #expect(matrix.pairs.count == 20)
            #expect(matrix.pairs.allSatisfy { $0.ipv6Probed }, "every workload has IPv6")
            #expect(matrix.unreachable.isEmpty, "not answering: \(matrix.unreachable)\n\(grid.diagnostics())")

            // A TCP transfer for every unordered pair, over IPv4 and over IPv6.
            let bytes = 512 << 10
            var transfers: [String] = []
            for (i, a) in mesh.nodes.enumerated() {
                for b in mesh.nodes[(i + 1)...] {
                    let source = try mesh.network.workload(a), target = try mesh.network.workload(b)
                    for address in [target.ipv4, target.ipv6].compactMap({ $0 }) {
                        let received = try source.tcpTransfer(to: target, address: address, bytes: bytes)
                        #expect(received == bytes, "\(source) → \(address): \(received) of \(bytes) bytes")
                        transfers.append("node\(a.index)→node\(b.index) \(address.contains(":") ? "IPv6" : "IPv4")")
                    }
                }
            }
            #expect(transfers.count == 20)
            print("grid: mesh of 5 (2 hidden): \(transfers.count) TCP transfers of \(bytes) bytes arrived whole")
        }
    }

    @Test func hiddenNodesReachEachOtherOnlyThroughTheirAccessNodeAndTheirRoutersAcceptNothing() throws {
        try Grid.with { grid in
            let mesh = try Mesh(grid)
            let network = mesh.network
            let (four, five) = (mesh.hidden[0], mesh.hidden[1])
            let routers = try [four, five].map { try #require($0.router) }
            let access = network.accessNodes
            let accessNodes = try [four, five].map { hidden in
                let id = try #require(access[hidden.id], "\(hidden) has an access node in the plan")
                return try #require(mesh.nodes.first { $0.id == id && !$0.isHidden }, "the access node is a public member")
            }
            print("grid: access nodes: node4 via \(accessNodes[0]), node5 via \(accessNodes[1])")

            // Both directions between the hidden nodes work (and every other pair does).
            let matrix = try network.connectivity(timeout: .seconds(60), ipv6: true)
            #expect(matrix.unreachable.isEmpty, "\(matrix.unreachable)\n\(grid.diagnostics())")
            print("grid: hidden ↔ hidden: \(matrix.pair(4, 5).map(String.init(describing:)) ?? "-"); \(matrix.pair(5, 4).map(String.init(describing:)) ?? "-")")

            // Each hidden node has one peer, its access node, dialled at its internet address with a
            // keepalive that holds the NAT mapping open.
            for (hidden, accessNode) in zip([four, five], accessNodes) {
                let endpoints = try hidden.wireGuardEndpoints(network: network.id)
                let key = try accessNode.wireGuardPublicKey(network: network.id)
                let port = try #require(try accessNode.wireGuardListenPort(network: network.id))
                #expect(endpoints.count == 1 && endpoints[key] == "\(accessNode.ipv4):\(port)", "\(hidden): \(endpoints)")
                let keepalives = try hidden.wireGuardKeepalives(network: network.id)
                #expect(keepalives[key] ?? 0 > 0, "\(hidden): keepalive towards its access node: \(keepalives)")
            }
            // The access node knows each hidden node only where its NAT put it: the router's WAN
            // address; the endpoint-independent router kept the node's port, the symmetric one did not.
            for (hidden, (router, accessNode)) in zip([four, five], zip(routers, accessNodes)) {
                let key = try hidden.wireGuardPublicKey(network: network.id)
                let port = try #require(try hidden.wireGuardListenPort(network: network.id))
                let seen = try #require(try accessNode.wireGuardEndpoints(network: network.id)[key] ?? nil)
                #expect(seen.hasPrefix("\(router.wanIPv4):"), "\(accessNode) sees \(hidden) at \(seen)")
                if router.kind == .endpointIndependent {
                    #expect(seen == "\(router.wanIPv4):\(port)", "port kept by \(router): \(seen)")
                } else {
                    #expect(seen != "\(router.wanIPv4):\(port)", "port randomised by \(router): \(seen)")
                }
                print("grid: \(accessNode) sees \(hidden) (listening on \(port)) at \(seen) (\(router.kind))")
            }
            // No public node but the access node has an endpoint for a hidden node (none could dial it).
            for node in mesh.nodes where !node.isHidden {
                let endpoints = try node.wireGuardEndpoints(network: network.id)
                for hidden in [four, five] where accessNodes[hidden.index - 4].index != node.index {
                    let key = try hidden.wireGuardPublicKey(network: network.id)
                    #expect(endpoints[key] == nil, "\(node) has \(hidden) as a peer: \(endpoints)")
                }
            }
            // Neither router ever forwarded a packet to the other's WAN address: hidden ↔ hidden went
            // through the access node (plus the registry for the agents).
            let destinations = try routers.map { try $0.wanDestinations() }
            print("grid: WAN destinations: \(routers[0].namespace) \(destinations[0]), \(routers[1].namespace) \(destinations[1])")
            for (i, router) in routers.enumerated() {
                let other = routers[1 - i]
                #expect(!destinations[i].contains(other.wanIPv4), "\(router) sent to \(other.wanIPv4): \(destinations[i])")
                #expect(destinations[i].contains(accessNodes[i].ipv4), "\(router) forwarded to its access node")
                let allowed = Set([Grid.registryAddress] + accessNodes.map(\.ipv4))
                #expect(Set(destinations[i]).isSubset(of: allowed), "\(router): \(destinations[i])")
            }

            // Nothing unsolicited gets through either router, not even to the WireGuard port, and not
            // with a route to the node's private address. A listener in each hidden node proves it: the
            // router's own LAN side reaches it (the check can fail), the internet never does.
            for (hidden, router) in zip([four, five], routers) {
                let wireGuardPort = try #require(try hidden.wireGuardListenPort(network: network.id))
                let listener = try hidden.startListener(tcpPort: 7001, udpPort: 7002)
                defer { listener.stop() }
                try router.run([GridEnvironment.path("python3"), "-c", Self.controlSend, hidden.ipv4]).output()
                try Poll.require("the listener on \(hidden) to hear its router", timeout: .seconds(10), detail: {
                    "\(listener.received)"
                }) { listener.received.count == 2 }

                let inputBefore = try router.counter("input_drops"), forwardBefore = try router.counter("forward_drops")
                let toWAN = try grid.sendUnsolicited(to: router.wanIPv4, tcpPorts: [7001, 22], udpPorts: [7002, wireGuardPort])
                try grid.runOnLAN([GridEnvironment.path("ip"), "route", "add", router.lanSubnet, "via", router.wanIPv4]).output()
                let toNode = try grid.sendUnsolicited(to: hidden.ipv4, tcpPorts: [7001, 22], udpPorts: [7002, wireGuardPort])
                try grid.runOnLAN([GridEnvironment.path("ip"), "route", "delete", router.lanSubnet]).output()
                SpawnedProcess.sleep(.milliseconds(300))
                let inputDrops = try router.counter("input_drops") - inputBefore
                let forwardDrops = try router.counter("forward_drops") - forwardBefore
                print("grid: unsolicited to \(router.namespace): WAN \(toWAN), private address \(toNode); dropped: input +\(inputDrops), forward +\(forwardDrops)")
                #expect(toWAN.values.allSatisfy { $0 == "timeout" } && toWAN.count == 2, "to \(router.wanIPv4): \(toWAN)")
                #expect(toNode.values.allSatisfy { $0 == "timeout" } && toNode.count == 2, "to \(hidden.ipv4): \(toNode)")
                // 2 datagrams and at least 2 SYNs each way.
                #expect(inputDrops >= 4, "\(router): input drops +\(inputDrops)\n\(router.listing())")
                #expect(forwardDrops >= 4, "\(router): forward drops +\(forwardDrops)\n\(router.listing())")
                #expect(listener.received.count == 2, "only the router's own packets reached \(hidden): \(listener.received)")
            }
            // The network still works after the attempts.
            #expect(network.unreachablePairs(ipv6: true).isEmpty)
        }
    }

    @Test func aHiddenNodeWhoseSymmetricNATRebindsKeepsItsTunnel() throws {
        try Grid.with { grid in
            let mesh = try Mesh(grid)
            let network = mesh.network
            let five = mesh.hidden[1]
            let router = try #require(five.router)
            #expect(router.kind == .symmetric)
            let accessID = try #require(network.accessNodes[five.id])
            let access = try #require(mesh.nodes.first { $0.id == accessID })
            let target = try #require(mesh.nodes.first { !$0.isHidden && $0.id != accessID })
            let source = try network.workload(five)
            #expect(source.firstPing(try network.workload(target).ipv4) != nil)
            let key = try five.wireGuardPublicKey(network: network.id)
            let before = try #require(try access.wireGuardEndpoints(network: network.id)[key] ?? nil)
            #expect(before.hasPrefix("\(router.wanIPv4):"), "\(before)")

            // Node 5's outside address changes under a continuous ping from its workload; WireGuard
            // on the access node follows the authenticated packets to the new address and port.
            let ping = try source.startContinuousPing(to: try network.workload(target).ipv4)
            SpawnedProcess.sleep(.milliseconds(500))
            let old = router.wanIPv4
            try router.changeWANAddress(to: "198.51.100.199")
            var after: String?
            let roamed = Poll.until(timeout: .seconds(30), interval: .milliseconds(50)) {
                after = try access.wireGuardEndpoints(network: network.id)[key] ?? nil
                return after?.hasPrefix("198.51.100.199:") == true
            }
            SpawnedProcess.sleep(.seconds(1))
            let result = try ping.stop()
            print("grid: symmetric NAT rebinding \(old) → 198.51.100.199: \(access) sees \(five) at \(before) then \(after ?? "-") after \(roamed?.readable ?? "-"); continuous ping node5 → \(target): \(result)")
            #expect(roamed != nil, "\(access) still sees \(five) at \(after ?? "-")")
            #expect(source.firstPing(try network.workload(target).ipv4) != nil)
            #expect(try router.wanDestinations().allSatisfy { [Grid.registryAddress, access.ipv4].contains($0) })
            #expect(network.unreachablePairs(ipv6: true).isEmpty)
        }
    }

    /// Run in a router: one TCP connection and one datagram to the hidden node's listener (ports 7001, 7002).
    static let controlSend = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], 7001), timeout=5)
        s.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b"control", (sys.argv[1], 7002))
        """
}
