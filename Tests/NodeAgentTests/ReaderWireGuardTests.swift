import DeploymentTestSupport
import Deployments
import Firewall
import NodeAgent
import NodeState
import RouteNL
import SystemSupport
import Testing
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

/// The WireGuard part of the reader, without WireGuard in the kernel: `w-<id>` is a persistent TUN
/// device (`ip tuntap add`, link kind `tun` as wireguard-go's is) and its UAPI socket is the test
/// support's fake daemon serving the desired device, in a socket directory of the test's own.
@Suite("NodeReader: WireGuard", .requiresNetworkPrivileges, .serialized)
struct ReaderWireGuardTests {
    /// What wireguard-go answers to `get=1` for a device configured as `device`.
    static func uapiReply(_ device: DeviceConfiguration) -> String {
        var lines: [String] = []
        if let key = device.privateKey { lines.append("private_key=\(key.clamped.revealedHex)") }
        lines.append("listen_port=\(device.listenPort ?? 0)")
        if device.fwmark != 0 { lines.append("fwmark=\(device.fwmark)") }
        for peer in device.peers {
            lines.append("public_key=\(peer.publicKey.hex)")
            lines.append("preshared_key=\(peer.presharedKey?.hex ?? String(repeating: "0", count: 64))")
            lines.append("protocol_version=1")
            if let endpoint = peer.endpoint { lines.append("endpoint=\(endpoint)") }
            lines += ["last_handshake_time_sec=0", "last_handshake_time_nsec=0", "tx_bytes=0", "rx_bytes=0"]
            lines.append("persistent_keepalive_interval=\(peer.persistentKeepalive)")
            lines += peer.allowedIPs.map { "allowed_ip=\($0)" }
        }
        lines.append("errno=0")
        return lines.joined(separator: "\n") + "\n\n"
    }

    @Test("a node built exactly to the desired state reads back as a snapshot with an empty plan")
    func convergedNodeHasEmptyPlan() throws {
        try NamespaceFixture.with { f in
            let desired = try ReaderTests.desired()
            let resource = try #require(desired.resources.first)
            try f.namespace("pub")
            _ = try ReaderTests.build(resource, f)

            // w-<id>: a TUN device in the NR, as wireguard-go's is after the move; MTU, address, up,
            // routes through it; its UAPI socket answers with the desired device.
            let wireGuard = resource.wireGuard.link
            let nrName = f.namespaceName(resource.namespace)
            try ShellCommand.run(["ip", "-n", nrName, "tuntap", "add", "name", wireGuard.name.rawValue, "mode", "tun"])
            f.addCleanup("delete \(wireGuard.name) in \(nrName)") {
                try ShellCommand.run(["ip", "-n", nrName, "link", "del", wireGuard.name.rawValue])
            }
            let directory = try TemporaryDirectory()
            f.addCleanup("remove \(directory.path)") { directory.remove() }
            let reply = Self.uapiReply(resource.wireGuard.configuration)
            let server = try FakeUAPIServer(interface: wireGuard.name.rawValue, directory: directory.path) { request in
                request.hasPrefix("get=1") ? .reply(reply) : .closeWithoutReply
            }
            f.addCleanup("stop the fake UAPI server") { server.stop() }
            let routing = try RouteNetlink(namespace: .named(nrName))
            if let mtu = wireGuard.mtu { try routing.setMTU(wireGuard.name, mtu) }
            for address in wireGuard.addresses {
                try routing.replaceAddress(ReaderTests.interfaceAddress(address), on: wireGuard.name)
            }
            try routing.setUp(wireGuard.name)
            for route in resource.routes where route.device == wireGuard.name {
                try routing.replaceRoute(ReaderTests.route(route))
            }
            let tables = try ReaderTests.recognise(resource, f)

            let layout = ReaderTests.layout(f, socketDirectory: directory.path)
            let snapshot = try NodeReader(layout: layout, recognisedTables: tables).read()

            let nr = try #require(snapshot.namespaces[resource.namespace])
            let observed = try #require(nr.links[wireGuard.name])
            #expect(observed.kind == "tun")
            #expect(observed.mtu == NetworkResourceState.wireGuardMTU)
            #expect(observed.isUp)
            #expect(ReaderTests.withoutLinkLocal(observed) == wireGuard.addresses)
            let device = try #require(nr.wireGuard[wireGuard.name])
            #expect(device.configuration == resource.wireGuard.configuration)
            let statics = Set(nr.routes.filter { $0.routeProtocol == ObservedRoute.staticProtocol }.compactMap(\.spec))
            #expect(statics == Set(resource.routes))

            let plan = ReconcilePlan(from: snapshot, to: desired)
            #expect(plan.actions.isEmpty, "\(plan.actions.map(\.description))")
            #expect(plan.refused.isEmpty)
            #expect(server.requests.allSatisfy { $0.hasPrefix("get=1") }, "the reader only reads")
        }
    }

    @Test("a TUN w-<id> without a UAPI socket gets no device entry (unconfigured)")
    func tunWithoutSocket() throws {
        try NamespaceFixture.with { f in
            let desired = try ReaderTests.desired()
            let resource = try #require(desired.resources.first)
            try f.namespace("pub")
            try f.namespace(resource.namespace)
            let nrName = f.namespaceName(resource.namespace)
            let name = resource.wireGuard.link.name.rawValue
            try ShellCommand.run(["ip", "-n", nrName, "tuntap", "add", "name", name, "mode", "tun"])
            f.addCleanup("delete \(name) in \(nrName)") {
                try ShellCommand.run(["ip", "-n", nrName, "link", "del", name])
            }
            let directory = try TemporaryDirectory()
            f.addCleanup("remove \(directory.path)") { directory.remove() }
            let layout = ReaderTests.layout(f, socketDirectory: directory.path)
            let snapshot = try NodeReader(layout: layout).read()
            let namespace = try #require(snapshot.namespaces[resource.namespace])
            #expect(namespace.links[resource.wireGuard.link.name]?.kind == "tun")
            #expect(namespace.wireGuard.isEmpty)
        }
    }
}
