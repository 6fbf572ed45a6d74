import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing

/// Issue 8, scenario 3: isolation. Two owners' networks over the same two nodes (alice's `office`
/// 10.20.0.0/16, bob's `lab` 10.30.0.0/16), real agents with node setup's ndmz uplink (as `zmesh
/// node` defaults), probe listeners (TCP and UDP, every address) in the workloads, in each node's
/// root namespace and ndmz, and on the LAN, which also has 203.0.113.5 as "a server on the internet"
/// (each node routes 203.0.113.0/24 via the LAN, so allowed egress has somewhere to go).
/// Every blocked probe has a control that shows the path or the listener is there.
@Suite("Isolation on a grid", .requiresGrid, .serialized)
struct IsolationGridTests {
    static let port = 7100
    static let internetServer = "203.0.113.5"

    struct Setup {
        let grid: Grid
        let alice: Deployer
        let bob: Deployer
        let nodes: [SimulatedNode]
        let office: GridNetwork
        let lab: GridNetwork
        /// bob's workloads (`wl2`), by node index.
        var labWorkloads: [Int: Workload] = [:]
        var servers: [ProbeServer] = []

        init(_ grid: Grid) throws {
            self.grid = grid
            alice = try grid.deployer("alice")
            bob = try grid.deployer("bob")
            let farm = try alice.createFarm()
            nodes = try grid.addNodes(2)
            // "The internet": 203.0.113.5 on the LAN, reached from the nodes through it.
            try grid.runOnLAN(["ip", "addr", "add", "\(IsolationGridTests.internetServer)/32", "dev", "lo"]).output()
            for node in nodes {
                try node.run(["ip", "route", "add", "203.0.113.0/24", "via", Grid.registryAddress]).output()
                try node.startAgent(farm: farm)
            }
            try alice.waitForRegistration(nodes)
            office = try GridNetwork(owner: alice, name: "office", ipv4Range: "10.20.0.0/16")
            lab = try GridNetwork(owner: bob, name: "lab", ipv4Range: "10.30.0.0/16")
            try office.submit(nodes)
            try lab.submit(nodes)
            try office.waitUntilApplied()
            try lab.waitUntilApplied()
            try office.attachWorkloads()
            for node in nodes {
                try Poll.require("\(lab.bridge) on \(node)", timeout: .seconds(60)) {
                    try node.bridgeAddresses(network: lab.id).ipv4 != nil
                }
                labWorkloads[node.index] = try node.addWorkload(network: lab.id, number: 2)
            }
            servers.append(try ProbeServer(at: .lan(grid), port: IsolationGridTests.port))
            for node in nodes {
                servers.append(try ProbeServer(at: .node(node), port: IsolationGridTests.port))
                servers.append(try ProbeServer(at: .namespace(node, "ndmz"), port: IsolationGridTests.port))
                servers.append(try ProbeServer(at: .workload(try office.workload(node)), port: IsolationGridTests.port))
                servers.append(try ProbeServer(at: .workload(labWorkloads[node.index]!), port: IsolationGridTests.port))
            }
        }

        var allWorkloads: [Workload] {
            get throws { try nodes.map { try office.workload($0) } + nodes.map { labWorkloads[$0.index]! } }
        }
    }

    /// Probes that must fail: a ping and a TCP connection to `address` from `place`; returns the ones
    /// that got through.
    static func leaks(from place: GridPlace, to addresses: [String], ping: Bool = true) -> [String] {
        var leaks: [String] = []
        for address in addresses {
            if ping, place.ping(address) { leaks.append("\(place) → \(address): ping answered") }
            if let answer = place.send("isolation", to: address, port: port, seconds: 1.5) {
                leaks.append("\(place) → \(address):\(port): TCP connected (\(answer))")
            }
        }
        return leaks
    }

    @Test func nothingCrossesBetweenTheInternetTheOwnersAndTheNodes() throws {
        try Grid.with { grid in
            let setup = try Setup(grid)
            let (one, two) = (setup.nodes[0], setup.nodes[1])
            let (office, lab) = (setup.office, setup.lab)
            let start = ContinuousClock.now

            // Controls: each workload's listener answers its own network's workload on the other node
            // (IPv4 and IPv6), so a refused probe below is the policy, not a missing listener.
            for network in [office, lab] {
                let workloads = try setup.nodes.map { node in
                    network === office ? try office.workload(node) : setup.labWorkloads[node.index]!
                }
                for (a, b) in [(workloads[0], workloads[1]), (workloads[1], workloads[0])] {
                    #expect(GridPlace.workload(a).send("own", to: b.ipv4, port: Self.port, seconds: 10) == "seen \(a.ipv4)")
                    if let v6 = b.ipv6, let from = a.ipv6 {
                        #expect(GridPlace.workload(a).send("own", to: v6, port: Self.port, seconds: 10) == "seen \(from)")
                    }
                }
            }

            // (a) The internet → tenants, with an attacker's routes to every tenant /24 and /64 and to
            // the ndmz range through each node's public address.
            let lan = GridPlace.lan(grid)
            var targets: [String] = []
            for node in setup.nodes {
                for network in [office.id, lab.id] {
                    let bridge = try node.bridgeAddresses(network: network)
                    let v4 = try #require(bridge.ipv4), v6 = try #require(bridge.ipv6)
                    let subnet4 = v4.address.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
                    let subnet6 = String(v6.address.dropLast(1)) + "/64"
                    try grid.runOnLAN(["ip", "route", "add", subnet4, "via", node.ipv4]).output()
                    try grid.runOnLAN(["ip", "-6", "route", "add", subnet6, "via", node.ipv6]).output()
                    targets.append(v4.address)
                    targets.append(v6.address)
                }
            }
            try grid.runOnLAN(["ip", "route", "add", "100.127.0.0/16", "via", one.ipv4]).output()
            for workload in try setup.allWorkloads {
                targets.append(workload.ipv4)
                if let v6 = workload.ipv6 { targets.append(v6) }
            }
            let link = try one.ndmzLink(network: office.id)
            targets += ["100.127.0.1", link.ndmz, link.resource]
            // Control: the attacker's path reaches the node itself (its listener answers).
            #expect(lan.send("control", to: one.ipv4, port: Self.port) == "seen \(Grid.registryAddress)")
            let fromInternet = Self.leaks(from: lan, to: targets)
            print("grid: isolation (a), the internet → \(targets.count) tenant, bridge and ndmz addresses with attacker routes: \(fromInternet.count) reached")
            #expect(fromInternet.isEmpty, "\(fromInternet)")

            // (b) Owner against owner, same node and across nodes, both ways, IPv4 and IPv6.
            var crossed: [String] = []
            for a in try setup.nodes.map({ try office.workload($0) }) {
                for b in setup.nodes.map({ setup.labWorkloads[$0.index]! }) {
                    crossed += Self.leaks(from: .workload(a), to: [b.ipv4] + (b.ipv6.map { [$0] } ?? []))
                    crossed += Self.leaks(from: .workload(b), to: [a.ipv4] + (a.ipv6.map { [$0] } ?? []))
                }
            }
            // Nor to the other owner's NR (its bridge, its end of the ndmz link).
            let labLink = try one.ndmzLink(network: lab.id)
            let labBridge = try #require(try one.bridgeAddresses(network: lab.id).ipv4).address
            crossed += Self.leaks(from: .workload(try office.workload(one)), to: [labBridge, labLink.resource])
            print("grid: isolation (b), alice's 10.20/16 ↔ bob's 10.30/16 on the same two nodes: \(crossed.count) probes crossed")
            #expect(crossed.isEmpty, "\(crossed)")

            // (c) A tenant → its node and the other node's host addresses, the LAN, the host's end of
            // the uplink: all dropped (protected destinations, docs/node-agent.md). IPv6 has no way
            // out of an NR at all (the ndmz is IPv4).
            let tenant = GridPlace.workload(try office.workload(one))
            let hostTargets = [one.ipv4, one.ipv6, two.ipv4, two.ipv6, Grid.registryAddress, Grid.lanIPv6, "100.127.0.0"]
            let toHosts = Self.leaks(from: tenant, to: hostTargets)
            #expect(toHosts.isEmpty, "\(toHosts)")
            // The ndmz's own addresses: nothing answers, not even its end of the NR's link (the NR's
            // gateway) to a ping (NDMZPolicy: resources get neighbour discovery only).
            let toNDMZ = Self.leaks(from: tenant, to: ["100.127.0.1", link.ndmz])
            #expect(toNDMZ.isEmpty, "\(toNDMZ)")
            let ndmz = GridPlace.namespace(one, "ndmz")
            #expect(ndmz.send("control", to: "127.0.0.1", port: Self.port) == "seen 127.0.0.1", "the ndmz's listener is there")
            // UDP into the ndmz and the host: never delivered.
            let udpTargets = [one.ipv4, "100.127.0.1", link.ndmz, two.ipv4]
            for address in udpTargets { _ = tenant.send("udp-probe", to: address, port: Self.port, udp: true) }
            // Allowed egress: the internet server, which sees the node's public address (three NATs).
            let egress = tenant.send("egress", to: Self.internetServer, port: Self.port, seconds: 10)
            #expect(egress == "seen \(one.ipv4)", "egress to 203.0.113.5: \(egress ?? "no connection")")
            #expect(tenant.ping(Self.internetServer))
            SpawnedProcess.sleep(.milliseconds(500))
            let udpArrived = setup.servers.flatMap { server in
                server.received().filter { $0.payload == "udp-probe" }.map { "\(server.place) got UDP from \($0.peer)" }
            }
            #expect(udpArrived.isEmpty, "\(udpArrived)")
            print("grid: isolation (c), tenant → \(hostTargets.count) host/LAN addresses and 2 ndmz addresses: \(toHosts.count + toNDMZ.count) reached; egress to the internet: \(egress ?? "-")")

            // (d) No listening TCP socket of zmesh (or its wireguard-go) in any namespace of any node.
            var zmeshListeners: [String] = []
            var seenPython = 0
            for node in setup.nodes {
                let names = try node.namespaces()
                #expect(names.contains("ndmz") && names.contains(office.namespace) && names.contains(lab.namespace))
                for namespace in [nil] + names.map(Optional.some) {
                    let sockets = try node.listeningTCPSockets(inNamespace: namespace)
                    let udp = try node.listeningUDPSockets(inNamespace: namespace)
                    print("grid: isolation (d), node\(node.index) \(namespace ?? "root"): TCP \(sockets.map(\.line)) UDP \(udp.map(\.line))")
                    seenPython += sockets.filter { $0.processes.contains { $0.hasPrefix("python") } }.count
                    zmeshListeners += sockets.filter { socket in
                        socket.processes.contains { $0 == "zmesh" || $0 == "wireguard-go" } || socket.processes.isEmpty
                    }.map { "node\(node.index) \(namespace ?? "root"): \($0.line)" }
                }
            }
            // Control: the matcher sees the probe listeners (root, ndmz, wl1, wl2 on each node).
            #expect(seenPython == 4 * setup.nodes.count, "probe listeners seen by ss: \(seenPython)")
            #expect(zmeshListeners.isEmpty, "listening TCP sockets of zmesh or without an owner: \(zmeshListeners)")
            print("grid: isolation checks took \((ContinuousClock.now - start).readable)")
            for server in setup.servers { server.stop() }
        }
    }
}
