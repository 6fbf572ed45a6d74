import Foundation
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

/// Differential checks against wireguard-tools on the same kernel: random configurations written by
/// `zmesh wg setconf` and read by `wg`, and written by `wg setconf` and read by `zmesh wg`; `show all
/// dump` and `showconf` must be byte-identical both ways.
enum DifferentialChecks {
    static let interfaces = ["zmd0", "zmd1", "zmd2", "zmd3"]

    static let all = [
        Check(name: "differential: zmesh wg setconf, then wg show all dump == zmesh wg show all dump") {
            try compareRandom(seed: 1, writer: ["zmesh", "wg"])
        },
        Check(name: "differential: wg setconf, then zmesh wg show all dump == wg show all dump") {
            try compareRandom(seed: 2, writer: ["wg"])
        },
        Check(name: "differential: zmesh wg syncconf changes only what differs") {
            let backend = try kernelBackend()
            let link = try createLink("zmd9", backend: backend)
            var rng = SplitMix64(seed: 3)
            var config = randomConfiguration(&rng, peers: 300)
            try write(config, to: "/tmp/zmd9.conf")
            try Shell.run(["zmesh", "wg", "setconf", "zmd9", "/tmp/zmd9.conf"])
            config.peers[5].endpoint = try Endpoint("[2001:db8::77]:4242")
            config.peers.remove(at: 9)
            try write(config, to: "/tmp/zmd9.conf")
            try Shell.run(["zmesh", "wg", "syncconf", "zmd9", "/tmp/zmd9.conf"])
            try expect(try backend.device(link).configuration == config, "syncconf result differs from the file")
            try expect(try Shell.run(["wg", "showconf", "zmd9"]).stdout == Shell.run(["zmesh", "wg", "showconf", "zmd9"]).stdout,
                       "showconf differs after syncconf")
        },
    ]

    static func compareRandom(seed: UInt64, writer: [String]) throws {
        let backend = try kernelBackend()
        var rng = SplitMix64(seed: seed)
        for (i, iface) in interfaces.enumerated() {
            _ = try createLink(iface, backend: backend)
            let config = randomConfiguration(&rng, peers: [0, 1, 17, 120][i])
            try write(config, to: "/tmp/\(iface).conf")
            try Shell.run(writer + ["setconf", iface, "/tmp/\(iface).conf"])
            let read = try backend.device(name(iface)).configuration
            try expect(read.peers.count == config.peers.count, "\(iface): \(read.peers.count) peers, want \(config.peers.count)")
            try expect(Set(read.peers) == Set(config.peers), "\(iface): peers differ from the file (seed \(seed))")
        }
        let theirs = try Shell.run(["wg", "show", "all", "dump"]).stdout
        let ours = try Shell.run(["zmesh", "wg", "show", "all", "dump"]).stdout
        try expect(theirs == ours, "show all dump differs (seed \(seed)):\n--- wg\n\(theirs.prefix(600))\n--- zmesh\n\(ours.prefix(600))")
        for iface in interfaces {
            let theirConf = try Shell.run(["wg", "showconf", iface]).stdout
            let ourConf = try Shell.run(["zmesh", "wg", "showconf", iface]).stdout
            try expect(theirConf == ourConf, "showconf \(iface) differs (seed \(seed))")
            for field in ["endpoints", "allowed-ips", "persistent-keepalive", "preshared-keys", "listen-port", "fwmark", "public-key"] {
                let a = try Shell.run(["wg", "show", iface, field]).stdout
                let b = try Shell.run(["zmesh", "wg", "show", iface, field]).stdout
                try expect(a == b, "show \(iface) \(field) differs (seed \(seed)):\n\(a.prefix(300))\n---\n\(b.prefix(300))")
            }
        }
    }

    static func randomConfiguration(_ rng: inout SplitMix64, peers count: Int) -> DeviceConfiguration {
        var used = Set<IPPrefix>()
        let peers = (0..<count).map { _ -> PeerConfiguration in
            let endpoint: Endpoint? =
                switch rng.next() % 3 {
                case 0: nil
                case 1: Endpoint(address: .v4(IPv4Address(UInt32(truncatingIfNeeded: rng.next()))), port: UInt16(1 + rng.next() % 65535))
                default: Endpoint(address: .v6(IPv6Address(high: rng.next(), low: rng.next())), port: UInt16(1 + rng.next() % 65535))
                }
            var ips: [IPPrefix] = []
            for _ in 0..<(rng.next() % 6) {
                let prefix: IPPrefix
                if rng.next() % 2 == 0 {
                    prefix = try! IPPrefix(.v4(IPv4Address(UInt32(truncatingIfNeeded: rng.next()))), length: Int(rng.next() % 33))
                } else {
                    prefix = try! IPPrefix(.v6(IPv6Address(high: rng.next(), low: rng.next())), length: Int(rng.next() % 129))
                }
                if used.insert(prefix).inserted { ips.append(prefix) }
            }
            return PeerConfiguration(
                publicKey: WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey()),
                presharedKey: rng.next() % 2 == 0 ? WireGuardKeys.generatePresharedKey() : nil, endpoint: endpoint,
                persistentKeepalive: rng.next() % 3 == 0 ? UInt16(rng.next() % 65536) : 0, allowedIPs: ips)
        }
        return DeviceConfiguration(
            privateKey: rng.next() % 5 == 0 ? nil : WireGuardKeys.generatePrivateKey(),
            listenPort: UInt16(20000 + rng.next() % 20000), fwmark: rng.next() % 2 == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()),
            peers: peers)
    }

    /// The `wg setconf` file for `config` (written here, independently of zmesh's own formatter).
    static func write(_ config: DeviceConfiguration, to path: String) throws {
        var text = "[Interface]\n"
        if let key = config.privateKey { text += "PrivateKey = \(key.revealedBase64)\n" }
        if let port = config.listenPort { text += "ListenPort = \(port)\n" }
        if config.fwmark != 0 { text += "FwMark = 0x\(String(config.fwmark, radix: 16))\n" }
        for peer in config.peers {
            text += "\n[Peer]\nPublicKey = \(peer.publicKey)\n"
            if let psk = peer.presharedKey { text += "PresharedKey = \(psk)\n" }
            if !peer.allowedIPs.isEmpty { text += "AllowedIPs = \(peer.allowedIPs.map(\.description).joined(separator: ", "))\n" }
            if let endpoint = peer.endpoint { text += "Endpoint = \(endpoint)\n" }
            if peer.persistentKeepalive != 0 { text += "PersistentKeepalive = \(peer.persistentKeepalive)\n" }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// A small deterministic generator so a failing seed can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
