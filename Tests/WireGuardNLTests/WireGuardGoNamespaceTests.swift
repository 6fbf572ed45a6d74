import Foundation
import RouteNL
import SystemSupport
import Testing
import ZmeshCrypto
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

/// Real wireguard-go daemons in namespaces the tests create, configured only through
/// ``UserspaceBackend``. Needs root, `ip netns` and wireguard-go; skipped with the reason otherwise.
/// Names carry a random suffix: namespace names and UAPI socket paths are machine-wide. All traffic
/// stays inside the test namespaces.
@Suite(
    "wireguard-go in network namespaces", .serialized,
    .enabled(
        if: WireGuardGoEnvironment.isAvailable,
        Comment(rawValue: "needs root, ip netns, /dev/net/tun and wireguard-go: \(WireGuardGoEnvironment.unavailableReason ?? "")")))
struct WireGuardGoNamespaceTests {
    let suffix = ScratchNamespace.randomSuffix()
    let backend = UserspaceBackend()

    /// Tunnel pings: the first may be spent on the handshake or on wireguard-go noticing the link is up.
    func ping(from namespace: ScratchNamespace, _ address: String) -> Bool {
        for _ in 0..<5 where ShellCommand.succeeds(["ip", "netns", "exec", namespace.name, "ping", "-c", "1", "-W", "2", address]) {
            return true
        }
        return false
    }

    /// UDP ports with a socket in `namespace` (`ss -Huan`).
    func udpPorts(in namespace: ScratchNamespace) throws -> Set<UInt16> {
        let output = try namespace.run(["ss", "-H", "-u", "-a", "-n"])
        var ports = Set<UInt16>()
        for line in output.split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 4, let colon = columns[3].lastIndex(of: ":"),
                let port = UInt16(columns[3][columns[3].index(after: colon)...])
            else { continue }
            ports.insert(port)
        }
        return ports
    }

    func linkExists(_ name: InterfaceName, in namespace: ScratchNamespace) -> Bool {
        ShellCommand.succeeds(["ip", "-n", namespace.name, "link", "show", "dev", name.rawValue])
    }

    func configuration(
        _ privateKey: PrivateKey, port: UInt16, peer: PrivateKey, endpoint: String?, allowed: String
    ) throws -> DeviceConfiguration {
        DeviceConfiguration(
            privateKey: privateKey, listenPort: port,
            peers: [
                PeerConfiguration(
                    publicKey: WireGuardKeys.publicKey(for: peer), endpoint: try endpoint.map { try Endpoint($0) },
                    allowedIPs: [try IPPrefix(allowed)])
            ])
    }

    /// Checks a device read back after traffic: keys, port, a handshake, bytes both ways.
    func expectTraffic(on name: InterfaceName, privateKey: PrivateKey, port: UInt16, peer: PrivateKey) throws {
        let device = try backend.device(name)
        #expect(device.publicKey == WireGuardKeys.publicKey(for: privateKey))
        #expect(device.privateKey == privateKey)
        #expect(device.listenPort == port)
        let status = try #require(device.peers.first)
        #expect(status.publicKey == WireGuardKeys.publicKey(for: peer))
        #expect(status.lastHandshake != nil)
        #expect(status.receivedBytes > 0)
        #expect(status.transmittedBytes > 0)
    }

    /// Two namespaces joined by a veth pair, one daemon in each (not moved), endpoints on the veth.
    @Test func tunnelBetweenTwoNamespacesOverVeth() throws {
        let a = try ScratchNamespace("zm-\(suffix)-a")
        defer { a.delete() }
        let b = try ScratchNamespace("zm-\(suffix)-b")
        defer { b.delete() }
        try a.ip("link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name)
        try a.ip("addr", "add", "10.78.0.1/24", "dev", "va")
        try b.ip("addr", "add", "10.78.0.2/24", "dev", "vb")
        try a.ip("link", "set", "va", "up")
        try b.ip("link", "set", "vb", "up")

        let wgA = try InterfaceName("zw\(suffix)a")
        let wgB = try InterfaceName("zw\(suffix)b")
        let daemonA = try WireGuardGoProcess.start(wgA, in: a.namespace)
        defer { _ = try? daemonA.stop() }
        let daemonB = try WireGuardGoProcess.start(wgB, in: b.namespace)
        defer { _ = try? daemonB.stop() }
        #expect(linkExists(wgA, in: a) && !linkExists(wgA, in: b))

        let keyA = WireGuardKeys.generatePrivateKey()
        let keyB = WireGuardKeys.generatePrivateKey()
        let portA = UInt16.random(in: 20000...40000)
        let portB = portA + 1
        let configA = try configuration(keyA, port: portA, peer: keyB, endpoint: "10.78.0.2:\(portB)", allowed: "10.79.0.2/32")
        // B has no endpoint for A: it learns it from A's handshake.
        let configB = try configuration(keyB, port: portB, peer: keyA, endpoint: nil, allowed: "10.79.0.1/32")
        try backend.replace(wgA, with: configA)
        try backend.replace(wgB, with: configB)

        try a.ip("addr", "add", "10.79.0.1/24", "dev", wgA.rawValue)
        try b.ip("addr", "add", "10.79.0.2/24", "dev", wgB.rawValue)
        try a.ip("link", "set", wgA.rawValue, "up")
        try b.ip("link", "set", wgB.rawValue, "up")

        #expect(ping(from: a, "10.79.0.2"))
        try expectTraffic(on: wgA, privateKey: keyA, port: portA, peer: keyB)
        try expectTraffic(on: wgB, privateKey: keyB, port: portB, peer: keyA)
        #expect(try backend.device(wgB).peers.first?.configuration.endpoint == (try Endpoint("10.78.0.1:\(portA)")))
        // Converged: applying the same configuration again sends nothing.
        #expect(try backend.apply(configA, to: wgA) == nil)
        #expect(try udpPorts(in: a).contains(portA))

        // The automatic client finds both devices through their sockets.
        let client = WireGuardClient(choice: .automatic)
        let listed = try client.interfaceNames()
        #expect(listed.contains(wgA) && listed.contains(wgB))
        #expect(try client.backend(for: wgA).kind == "userspace")
        #expect(try client.device(wgB).listenPort == portB)

        #expect(try daemonA.stop() == .exited(0))
        #expect(!backend.hasSocket(for: wgA))
        #expect(!linkExists(wgA, in: a))
        #expect(throws: WireGuardError.noSuchDevice(wgA)) { try backend.device(wgA) }
    }

    /// netns.sh's topology in userspace: both daemons born in ns0 (only loopback), their TUNs moved to
    /// ns1 and ns2; ciphertext flows over ns0's 127.0.0.1, cleartext exists only in ns1 and ns2.
    @Test func createThenMoveKeepsTheUDPSocketsInTheBirthNamespace() throws {
        let ns0 = try ScratchNamespace("zm-\(suffix)-0")
        defer { ns0.delete() }
        let ns1 = try ScratchNamespace("zm-\(suffix)-1")
        defer { ns1.delete() }
        let ns2 = try ScratchNamespace("zm-\(suffix)-2")
        defer { ns2.delete() }

        let wg1 = try InterfaceName("zw\(suffix)1")
        let wg2 = try InterfaceName("zw\(suffix)2")
        let daemon1 = try WireGuardGoProcess.start(wg1, in: ns0.namespace)
        defer { _ = try? daemon1.stop() }
        let daemon2 = try WireGuardGoProcess.start(wg2, in: ns0.namespace)
        defer { _ = try? daemon2.stop() }
        #expect(linkExists(wg1, in: ns0) && linkExists(wg2, in: ns0))

        try daemon1.moveInterface(to: ns1.namespace)
        try daemon2.moveInterface(to: ns2.namespace)
        #expect(daemon1.interfaceNamespace == ns1.namespace)
        #expect(daemon1.birthNamespace == ns0.namespace)
        #expect(!linkExists(wg1, in: ns0) && linkExists(wg1, in: ns1))
        #expect(!linkExists(wg2, in: ns0) && linkExists(wg2, in: ns2))
        #expect(daemon1.isRunning && daemon2.isRunning)

        let key1 = WireGuardKeys.generatePrivateKey()
        let key2 = WireGuardKeys.generatePrivateKey()
        let port1 = UInt16.random(in: 20000...40000)
        let port2 = port1 + 1
        try backend.replace(
            wg1, with: try configuration(key1, port: port1, peer: key2, endpoint: "127.0.0.1:\(port2)", allowed: "10.77.0.2/32"))
        try backend.replace(
            wg2, with: try configuration(key2, port: port2, peer: key1, endpoint: "127.0.0.1:\(port1)", allowed: "10.77.0.1/32"))

        try ns1.ip("addr", "add", "10.77.0.1/24", "dev", wg1.rawValue)
        try ns2.ip("addr", "add", "10.77.0.2/24", "dev", wg2.rawValue)
        try daemon1.setInterfaceUp()
        try daemon2.setInterfaceUp()
        #expect(try ns1.ip("link", "show", "dev", wg1.rawValue).contains(",UP"))

        #expect(ping(from: ns1, "10.77.0.2"))
        #expect(ping(from: ns2, "10.77.0.1"))
        try expectTraffic(on: wg1, privateKey: key1, port: port1, peer: key2)
        try expectTraffic(on: wg2, privateKey: key2, port: port2, peer: key1)

        let birthPorts = try udpPorts(in: ns0)
        #expect(birthPorts.contains(port1) && birthPorts.contains(port2), "ns0 UDP ports: \(birthPorts.sorted())")
        #expect(try udpPorts(in: ns1).isDisjoint(with: [port1, port2]))
        #expect(try udpPorts(in: ns2).isDisjoint(with: [port1, port2]))
        // No cleartext path from the birth namespace: the tunnel addresses do not exist there.
        #expect(!ShellCommand.succeeds(["ip", "netns", "exec", ns0.name, "ping", "-c", "1", "-W", "1", "10.77.0.2"]))
    }

    @Test func movingIntoANamespaceWithThatNameTakenFails() throws {
        let ns0 = try ScratchNamespace("zm-\(suffix)-m0")
        defer { ns0.delete() }
        let ns1 = try ScratchNamespace("zm-\(suffix)-m1")
        defer { ns1.delete() }
        let name = try InterfaceName("zw\(suffix)m")
        try ns1.ip("link", "add", name.rawValue, "type", "bridge")
        let daemon = try WireGuardGoProcess.start(name, in: ns0.namespace)
        defer { _ = try? daemon.stop() }
        let error = #expect(throws: WireGuardError.self) { try daemon.moveInterface(to: ns1.namespace) }
        guard case .links(let linkError) = error else {
            Issue.record("expected a link error, got \(String(describing: error))")
            return
        }
        #expect(linkError.code == .exists)  // EEXIST
        #expect(daemon.interfaceNamespace == ns0.namespace)
        #expect(linkExists(name, in: ns0))
    }
}
