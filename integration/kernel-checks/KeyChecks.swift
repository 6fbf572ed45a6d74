import WireGuardNL
import ZmeshCrypto
import ZmeshModel

/// Key semantics of netns.sh step 15, set through WireGuardNL and read back by both WireGuardNL and wg.
enum KeyChecks {
    static let all = [
        Check(name: "netns.sh 15: private key and preshared key round trip and removal") {
            let backend = try kernelBackend()
            let link = try createLink("zmk2", backend: backend)
            let key = WireGuardKeys.generatePrivateKey()
            let peer = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
            let psk = WireGuardKeys.generatePresharedKey()
            try backend.set(link, DeviceUpdate(privateKey: .some(key), peers: [PeerUpdate(publicKey: peer, presharedKey: .some(psk))]))
            let device = try backend.device(link)
            try expect(device.privateKey == key, "private key did not round-trip")
            try expect(device.publicKey == WireGuardKeys.publicKey(for: key), "kernel public key differs from libsodium's")
            try expect(device.peers.first?.configuration.presharedKey == psk, "preshared key did not round-trip")
            try expect(try Shell.run(["wg", "show", "zmk2", "private-key"]).stdout == key.revealedBase64 + "\n", "wg reads another private key")
            try expect(try Shell.run(["wg", "show", "zmk2", "preshared-keys"]).stdout == "\(peer)\t\(psk)\n", "wg reads another psk")
            try backend.set(link, DeviceUpdate(privateKey: .some(nil), peers: [PeerUpdate(publicKey: peer, presharedKey: .some(nil))]))
            let cleared = try backend.device(link)
            try expect(cleared.privateKey == nil && cleared.publicKey == nil, "private key not removed")
            try expect(cleared.peers.first?.configuration.presharedKey == nil, "psk not removed")
            try expect(try Shell.run(["wg", "show", "zmk2", "private-key"]).stdout == "(none)\n", "wg still sees a private key")
            try expect(try Shell.run(["wg", "show", "zmk2", "preshared-keys"]).stdout == "\(peer)\t(none)\n", "wg still sees a psk")
        },
        Check(name: "netns.sh 15: keys are clamped ('/' comes back as '+')") {
            let backend = try kernelBackend()
            let link = try createLink("zmk3", backend: backend)
            let base = WireGuardKeys.generatePrivateKey().revealedBase64
            let unclamped = try PrivateKey("/" + base.dropFirst())
            try backend.set(link, DeviceUpdate(privateKey: .some(unclamped)))
            let read = try backend.device(link).privateKey?.revealedBase64 ?? ""
            try expect(read == "+" + base.dropFirst(), "read back \(read.prefix(1))…, want '+…'")
            // Our diff compares clamped keys, so applying the unclamped key again changes nothing.
            try expect(try backend.apply(DeviceConfiguration(privateKey: unclamped), to: link) == nil, "diff saw a clamping difference")
        },
        Check(name: "netns.sh 15: a peer equal to the device's own key is ignored; a new private key evicts that peer") {
            let backend = try kernelBackend()
            let link = try createLink("zmk4", backend: backend)
            let own = WireGuardKeys.generatePrivateKey()
            let other = WireGuardKeys.generatePrivateKey()
            try backend.set(link, DeviceUpdate(privateKey: .some(own), peers: [
                PeerUpdate(publicKey: WireGuardKeys.publicKey(for: own)),
                PeerUpdate(publicKey: WireGuardKeys.publicKey(for: other)),
            ]))
            try expect(try backend.device(link).peers.map(\.publicKey) == [WireGuardKeys.publicKey(for: other)], "own key was added as a peer")
            try backend.set(link, DeviceUpdate(privateKey: .some(other)))
            try expect(try backend.device(link).peers.isEmpty, "peer with the new device key survived")
        },
        Check(name: "netns.sh 15: replacing allowed IPs with an overlapping v4/v6 set") {
            let backend = try kernelBackend()
            let link = try createLink("zmk5", backend: backend)
            let peer = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
            let first = try ["192.168.0.0/16", "10.0.0.0/8", "fd00::/48", "fd00:1::/64"].map { try IPPrefix($0) }
            let second = try ["192.168.1.0/24", "10.0.0.0/8", "172.16.0.0/12", "fd00::/64", "fd00:1::/48"].map { try IPPrefix($0) }
            try backend.set(link, DeviceUpdate(peers: [PeerUpdate(publicKey: peer, allowedIPs: first)]))
            try backend.set(link, DeviceUpdate(peers: [PeerUpdate(publicKey: peer, replaceAllowedIPs: true, allowedIPs: second)]))
            let read = try backend.device(link).peers.first?.configuration.allowedIPs ?? []
            try expect(Set(read) == Set(second) && read.count == second.count, "allowed IPs \(read), want \(second)")
            // Update-only never creates a peer.
            let ghost = WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey())
            try backend.set(link, DeviceUpdate(peers: [PeerUpdate(publicKey: ghost, updateOnly: true, allowedIPs: [try IPPrefix("10.9.9.9/32")])]))
            try expect(try backend.device(link).peers.count == 1, "update-only created a peer")
        },
    ]
}
