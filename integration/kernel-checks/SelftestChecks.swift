import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

/// The kernel selftest's topology and counters (tools/testing/selftests/wireguard/netns.sh steps 1
/// and 2), configured through WireGuardNL only: both interfaces are born in ns0 (only `lo`) and moved
/// into ns1 and ns2, so their UDP sockets stay in ns0 and the peers talk over ns0's loopback.
enum SelftestChecks {
    static let all = [
        Check(name: "netns.sh 1-2: create-then-move topology, handshake, ping, exact transfer counters") {
            let (one, two) = try bornInNs0MovedToNs1AndNs2()
            let key1 = WireGuardKeys.generatePrivateKey()
            let key2 = WireGuardKeys.generatePrivateKey()
            let psk = WireGuardKeys.generatePresharedKey()
            try one.replace(name("wg1"), with: DeviceConfiguration(
                privateKey: key1, listenPort: 1,
                peers: [PeerConfiguration(
                    publicKey: WireGuardKeys.publicKey(for: key2), presharedKey: psk,
                    endpoint: try Endpoint("127.0.0.1:2"),
                    allowedIPs: [try IPPrefix("192.168.241.2/32"), try IPPrefix("fd00::2/128")])]))
            try two.replace(name("wg2"), with: DeviceConfiguration(
                privateKey: key2, listenPort: 2,
                peers: [PeerConfiguration(
                    publicKey: WireGuardKeys.publicKey(for: key1), presharedKey: psk,
                    endpoint: try Endpoint("127.0.0.1:1"),
                    allowedIPs: [try IPPrefix("192.168.241.1/32"), try IPPrefix("fd00::1/128")])]))
            for (ns, dev, v4, v6) in [("zm-ns1", "wg1", "192.168.241.1/24", "fd00::1/112"), ("zm-ns2", "wg2", "192.168.241.2/24", "fd00::2/112")] {
                try Shell.run(["ip", "-n", ns, "addr", "add", v4, "dev", dev])
                try Shell.run(["ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad"])
                try Shell.run(["ip", "-n", ns, "link", "set", dev, "up"])
            }
            // UDP sockets are in the birthplace: ns0 has ports 1 and 2 bound, ns1/ns2 do not need them.
            try expect(try one.device(name("wg1")).listenPort == 1, "listen port not 1")
            try Shell.run(["ip", "netns", "exec", "zm-ns1", "ping", "-c", "10", "-A", "-W", "2", "192.168.241.2"])
            let d1 = try one.device(name("wg1"))
            let d2 = try two.device(name("wg2"))
            let p1 = d1.peers[0]
            let p2 = d2.peers[0]
            try expect(p1.lastHandshake != nil && p2.lastHandshake != nil, "no handshake recorded")
            // netns.sh: rx 1372 = 92 (response) + 10 × 128; tx 1428 = 148 (initiation) + 10 × 128, or + 32 (keepalive).
            try expect(p1.receivedBytes == 1372, "ns1 rx \(p1.receivedBytes), want 1372")
            try expect(p1.transmittedBytes == 1428 || p1.transmittedBytes == 1460, "ns1 tx \(p1.transmittedBytes), want 1428 or 1460")
            try expect(p2.receivedBytes == p1.transmittedBytes && p2.transmittedBytes == p1.receivedBytes, "counters disagree across the tunnel")
            let wgTransfer = try Shell.run(["ip", "netns", "exec", "zm-ns1", "wg", "show", "wg1", "transfer"]).stdout
            try expect(wgTransfer == "\(p1.publicKey)\t\(p1.receivedBytes)\t\(p1.transmittedBytes)\n", "wg reports \(wgTransfer)")
            try Shell.run(["ip", "netns", "exec", "zm-ns2", "ping", "-c", "3", "-A", "-W", "2", "fd00::1"])
            try expect(try one.device(name("wg1")).configuration == d1.configuration, "configuration changed by traffic")
        },
        Check(name: "apply: one changed peer on a live tunnel keeps the session") {
            let (one, two) = try bornInNs0MovedToNs1AndNs2()
            let key1 = WireGuardKeys.generatePrivateKey()
            let key2 = WireGuardKeys.generatePrivateKey()
            let bystanders = (0..<50).map { i in
                PeerConfiguration(publicKey: WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey()),
                                  allowedIPs: [try! IPPrefix("10.50.\(i).0/24")])
            }
            var desired1 = DeviceConfiguration(privateKey: key1, listenPort: 11, peers: [PeerConfiguration(
                publicKey: WireGuardKeys.publicKey(for: key2), endpoint: try Endpoint("127.0.0.1:12"),
                allowedIPs: [try IPPrefix("192.168.242.2/32")])] + bystanders)
            try one.apply(desired1, to: name("wg1"))
            try two.apply(DeviceConfiguration(privateKey: key2, listenPort: 12, peers: [PeerConfiguration(
                publicKey: WireGuardKeys.publicKey(for: key1), endpoint: try Endpoint("127.0.0.1:11"),
                allowedIPs: [try IPPrefix("192.168.242.1/32")])]), to: name("wg2"))
            try Shell.run(["ip", "-n", "zm-ns1", "addr", "add", "192.168.242.1/24", "dev", "wg1"])
            try Shell.run(["ip", "-n", "zm-ns2", "addr", "add", "192.168.242.2/24", "dev", "wg2"])
            try Shell.run(["ip", "-n", "zm-ns1", "link", "set", "wg1", "up"])
            try Shell.run(["ip", "-n", "zm-ns2", "link", "set", "wg2", "up"])
            try Shell.run(["ip", "netns", "exec", "zm-ns1", "ping", "-c", "2", "-A", "-W", "2", "192.168.242.2"])
            let before = try one.device(name("wg1"))
            try expect(try one.apply(desired1, to: name("wg1")) == nil, "re-applying the same configuration sent something")
            desired1.peers[7].persistentKeepalive = 25
            let sent = try one.apply(desired1, to: name("wg1"))
            try expect(sent?.peers.count == 1 && sent?.replacePeers == false, "apply sent \(String(describing: sent))")
            let after = try one.device(name("wg1"))
            try expect(after.peers[0].lastHandshake == before.peers[0].lastHandshake, "the live peer's session was reset")
            try expect(after.configuration == desired1, "device does not match the desired configuration")
            try Shell.run(["ip", "netns", "exec", "zm-ns1", "ping", "-c", "2", "-A", "-W", "2", "192.168.242.2"])
        },
    ]

    /// netns.sh's topology: `wg1` and `wg2` created (through WireGuardNL) in zm-ns0, which has only
    /// `lo`, and moved into zm-ns1 and zm-ns2; returns backends opened in those two namespaces.
    static func bornInNs0MovedToNs1AndNs2() throws -> (KernelBackend, KernelBackend) {
        for ns in ["zm-ns0", "zm-ns1", "zm-ns2"] { try Shell.addNamespace(ns) }
        let born = try kernelBackend(in: "zm-ns0")
        try born.createInterface(name("wg1"))
        try born.createInterface(name("wg2"))
        try Shell.run(["ip", "-n", "zm-ns0", "link", "set", "wg1", "netns", "zm-ns1"])
        try Shell.run(["ip", "-n", "zm-ns0", "link", "set", "wg2", "netns", "zm-ns2"])
        return (try kernelBackend(in: "zm-ns1"), try kernelBackend(in: "zm-ns2"))
    }
}
