import Deployments
import Foundation
import GridSupport
import SystemSupport
import Testing

/// Issue 8, scenario 2: encryption on the wire. A network over three public nodes and two hidden
/// ones (one behind endpoint-independent NAT, one behind symmetric NAT; real agents, userspace
/// WireGuard); tcpdump captures every interface of the LAN namespace (the bridge, each public node's
/// port and each NAT router's WAN port) while a random marker is sent between every pair of
/// workloads over TCP and UDP, IPv4 and IPv6. Every captured IP packet must be WireGuard (a
/// well-formed WireGuard message) between two public nodes' listen ports or between a public node's
/// listen port and a NAT router's WAN address (a hidden node's tunnel, its port translated), an
/// agent's or deployer's HTTP to the registry, neighbour discovery, or the positive control; the
/// marker's bytes appear nowhere in the file. The capture is shown to work: it saw
/// WireGuard transport data while the marker was sent, and a control marker sent in clear across
/// the bridge (a ping's pattern) is found by the same byte search.
@Suite(
    "Wire encryption on a grid", .requiresGrid, .serialized,
    .enabled(if: GridEnvironment.hasTcpdump, "tcpdump is not installed (scripts/install-deps.sh)"))
struct WireEncryptionGridTests {
    static let port = 7200

    static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    @Test func tenantTrafficCrossesTheLANOnlyAsWireGuard() throws {
        try Grid.with { grid in
            let owner = try grid.deployer("alice")
            let farm = try owner.createFarm()
            let nodes = try grid.addNodes(3) + [try grid.addNode(hidden: .endpointIndependent), try grid.addNode(hidden: .symmetric)]
            for node in nodes { try node.startAgent(farm: farm) }
            try owner.waitForRegistration(nodes)
            let network = try GridNetwork(owner: owner)
            try network.submit(nodes)
            try network.waitUntilApplied()
            try network.attachWorkloads()
            let unreachable = network.unreachablePairs(ipv6: true)
            try #require(unreachable.isEmpty, "\(unreachable)\n\(grid.diagnostics())")
            let publicNodes = nodes.filter { !$0.isHidden }
            let ports = Set(try publicNodes.map { try #require(try $0.wireGuardListenPort(network: network.id)) })
            let nodeAddresses = Set(publicNodes.flatMap { [$0.ipv4, $0.ipv6] })
            let routerAddresses = Set(grid.routers.map(\.wanIPv4))
            let workloads = try nodes.map { try network.workload($0) }
            let servers = try workloads.map { try ProbeServer(at: .workload($0), port: Self.port) }
            defer { for server in servers { server.stop() } }

            let marker = "ZMESH-MARKER-" + Self.randomHex(16)
            let control = Self.randomHex(16)  // 16 bytes: ping -p's largest pattern
            let capture = try PacketCapture(grid: grid)
            let sendStart = Date().timeIntervalSince1970
            // Every ordered pair, TCP and UDP, IPv4 and IPv6: 80 sends.
            var expected: [(server: Int, proto: String, payload: String)] = []
            for (i, source) in workloads.enumerated() {
                for (j, target) in workloads.enumerated() where i != j {
                    for (family, address) in [("4", target.ipv4), ("6", target.ipv6 ?? target.ipv4)] {
                        for udp in [false, true] {
                            let payload = "\(marker)/\(udp ? "udp" : "tcp")\(family)/node\(i + 1)-node\(j + 1)"
                            let answer = GridPlace.workload(source).send(payload, to: address, port: Self.port, udp: udp, seconds: 10)
                            #expect(answer != nil, "\(payload) was not sent")
                            expected.append((j, udp ? "udp" : "tcp", payload))
                        }
                    }
                }
            }
            // Every payload arrived (UDP: at least one of its three datagrams).
            try Poll.require("every marker payload to arrive", timeout: .seconds(20)) {
                expected.allSatisfy { item in
                    servers[item.server].received().contains { $0.proto == item.proto && $0.payload == item.payload }
                }
            }
            let sendEnd = Date().timeIntervalSince1970
            // The positive control: the LAN pings node 1 with the control pattern, in clear.
            let ping = try grid.runOnLAN(["ping", "-n", "-c", "2", "-i", "0.2", "-p", control, nodes[0].ipv4])
            #expect(ping.succeeded, "\(ping)")
            let controlBytes = stride(from: 0, to: control.count, by: 2).map { i -> UInt8 in
                let start = control.index(control.startIndex, offsetBy: i)
                return UInt8(control[start...control.index(after: start)], radix: 16)!
            }
            // Everything sent before the control is in the file once the control is.
            let flushed = capture.waitFor(controlBytes)
            let (bytes, pcap, summary) = try capture.stop()

            var wireGuard: [PcapFile.Packet] = [], malformed: [PcapFile.Packet] = [], unexpected: [PcapFile.Packet] = []
            var registry = 0, neighbour = 0, controlPackets = 0, throughNAT = 0
            for packet in pcap.packets {
                let betweenNodes = nodeAddresses.contains(packet.source) && nodeAddresses.contains(packet.destination)
                let fromPublicPort = nodeAddresses.contains(packet.source) && ports.contains(packet.sourcePort)
                let toPublicPort = nodeAddresses.contains(packet.destination) && ports.contains(packet.destinationPort)
                let hiddenTunnel =
                    (fromPublicPort && routerAddresses.contains(packet.destination))
                    || (toPublicPort && routerAddresses.contains(packet.source))
                let registryEnd =
                    (packet.source == Grid.registryAddress && packet.sourcePort == Grid.registryPort)
                    || (packet.destination == Grid.registryAddress && packet.destinationPort == Grid.registryPort)
                let lanAndNode =
                    (packet.source == Grid.registryAddress && nodeAddresses.contains(packet.destination))
                    || (packet.destination == Grid.registryAddress && nodeAddresses.contains(packet.source))
                if packet.proto == 17, (betweenNodes && fromPublicPort && toPublicPort) || hiddenTunnel {
                    wireGuard.append(packet)
                    if hiddenTunnel { throughNAT += 1 }
                    if !packet.isWireGuardMessage { malformed.append(packet) }
                } else if packet.proto == 6, registryEnd {
                    registry += 1
                } else if packet.proto == 58, let type = packet.icmpType, [130, 131, 132, 133, 134, 135, 136, 143].contains(type) {
                    neighbour += 1
                } else if packet.proto == 1, let type = packet.icmpType, type == 0 || type == 8, lanAndNode {
                    controlPackets += 1
                } else {
                    unexpected.append(packet)
                }
            }
            let during = wireGuard.filter { $0.time >= sendStart - 1 && $0.time <= sendEnd + 1 }
            let transport = during.filter { $0.udpPayload.first == 4 }
            let markerFound = PcapFile.contains(bytes, Array(marker.utf8))
            let controlFound = PcapFile.contains(bytes, controlBytes)
            print("""
                grid: wire capture (tcpdump -i any in the LAN namespace, \(summary)): \(pcap.packets.count) IP packets \
                (\(bytes.count) bytes, link type \(pcap.linkType), \(pcap.otherFrames) non-IP frames): \
                \(wireGuard.count) WireGuard on public nodes' ports \(ports.sorted()) (\(throughNAT) of them with a NAT router's \
                WAN address \(routerAddresses.sorted()); \(during.count) during the \
                \(expected.count) marker sends, \(transport.count) of them transport data), \(registry) registry HTTP, \
                \(neighbour) neighbour discovery/MLD, \(controlPackets) control pings, \(unexpected.count) other; \
                marker found: \(markerFound), control pattern found: \(controlFound)
                """)
            #expect(!markerFound, "the marker \(marker) is in the capture \(capture.file)")
            #expect(unexpected.isEmpty, "unexpected packets: \(unexpected.prefix(20).map(\.description))")
            #expect(malformed.isEmpty, "UDP between WireGuard ports that is no WireGuard message: \(malformed.prefix(10).map(\.description))")
            // The capture can fail: it saw the tunnel carry the sends, and finds a marker sent in clear.
            #expect(transport.count >= expected.count, "WireGuard transport packets during the sends: \(transport.count)")
            #expect(flushed != nil && controlFound, "the control pattern sent in clear was not found: the byte search or the capture is broken")
            #expect(controlPackets >= 4, "control pings captured: \(controlPackets)")
            #expect(throughNAT > 0, "no WireGuard from the hidden nodes' routers was captured")
        }
    }
}
