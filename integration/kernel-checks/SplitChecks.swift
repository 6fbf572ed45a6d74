import WireGuardNL
import ZmeshCrypto
import ZmeshModel

/// Netlink split handling (netns.sh step 13): large configurations written by WireGuardNL in chunks,
/// read back by WireGuardNL (coalescing split peers) and by wg.
enum SplitChecks {
    static func randomKey() -> WireGuardKey { WireGuardKeys.publicKey(for: WireGuardKeys.generatePrivateKey()) }

    static let all = [
        Check(name: "netns.sh 13: one peer with 130,560 allowed IPs (default and 4 KiB budgets)") {
            var ips: [IPPrefix] = []
            ips.reserveCapacity(255 * 256 * 2)
            for a in 1...255 {
                for b in 0...255 {
                    ips.append(try IPPrefix("\(a).\(b).2.3/32"))
                    ips.append(try IPPrefix("abcd::\(String(a, radix: 16)):\(String(b, radix: 16)):2:3/128"))
                }
            }
            let peer = randomKey()
            for budget in [KernelBackend.defaultMessageBudget, 4096] {
                let backend = try KernelBackend(messageBudget: budget)
                let link = try createLink("zmk6", backend: backend)
                try backend.replace(link, with: DeviceConfiguration(
                    privateKey: WireGuardKeys.generatePrivateKey(), peers: [PeerConfiguration(publicKey: peer, allowedIPs: ips)]))
                let read = try backend.device(link)
                try expect(read.peers.count == 1, "\(read.peers.count) peers read back (split peer not coalesced?)")
                try expect(read.peers[0].configuration.allowedIPs.count == ips.count, "read \(read.peers[0].configuration.allowedIPs.count) IPs")
                try expect(Set(read.peers[0].configuration.allowedIPs) == Set(ips), "allowed IPs differ")
                let tokens = try Shell.run(["wg", "show", "zmk6", "allowed-ips"]).stdout.split(whereSeparator: \.isWhitespace).count
                try expect(tokens == 255 * 256 * 2 + 1, "wg show allowed-ips has \(tokens) tokens")
                try backend.deleteInterface(link)
                Shell.links.removeAll()
            }
        },
        Check(name: "netns.sh 13: 40 peers x 52 allowed IPs") {
            let backend = try kernelBackend()
            let link = try createLink("zmk7", backend: backend)
            let peers = (0..<40).map { p in
                PeerConfiguration(publicKey: randomKey(), allowedIPs: (0..<52).map { try! IPPrefix("10.\(p).\($0).1/32") })
            }
            let desired = DeviceConfiguration(privateKey: WireGuardKeys.generatePrivateKey(), peers: peers)
            try backend.replace(link, with: desired)
            let lines = try Shell.run(["wg", "show", "zmk7", "allowed-ips"]).stdout.split(separator: "\n")
            try expect(lines.count == 40, "\(lines.count) lines")
            try expect(lines.allSatisfy { $0.split(whereSeparator: \.isWhitespace).count == 53 }, "a line without 53 tokens")
            try expect(try backend.device(link).configuration == DeviceConfiguration(
                privateKey: desired.privateKey, listenPort: try backend.device(link).listenPort, peers: peers), "read-back differs")
        },
        Check(name: "netns.sh 13: 29 peers without IPs and one with two; a peer with 197 /128s and one with none") {
            let backend = try kernelBackend()
            let link = try createLink("zmk8", backend: backend)
            var peers = (0..<29).map { _ in PeerConfiguration(publicKey: randomKey()) }
            peers.append(PeerConfiguration(publicKey: randomKey(), allowedIPs: [try IPPrefix("10.0.0.1/32"), try IPPrefix("fd00::1/128")]))
            try backend.replace(link, with: DeviceConfiguration(privateKey: WireGuardKeys.generatePrivateKey(), peers: peers))
            try Shell.run(["wg", "showconf", "zmk8"])
            try expect(try backend.device(link).peers.count == 30, "peer count")
            let big = PeerConfiguration(publicKey: randomKey(), allowedIPs: (1...197).map { try! IPPrefix("fd00::\(String($0, radix: 16))/128") })
            let empty = PeerConfiguration(publicKey: randomKey())
            try backend.replace(link, with: DeviceConfiguration(peers: [big, empty]))
            let out = try Shell.run(["wg", "show", "zmk8", "allowed-ips"]).stdout
            let lines = Dictionary(uniqueKeysWithValues: out.split(separator: "\n").map { line in
                let tokens = line.split(whereSeparator: \.isWhitespace)
                return (String(tokens[0]), Array(tokens.dropFirst()))
            })
            try expect(lines[empty.publicKey.base64] == ["(none)"], "empty peer prints \(String(describing: lines[empty.publicKey.base64]))")
            try expect(lines[big.publicKey.base64]?.count == 197, "big peer has \(lines[big.publicKey.base64]?.count ?? 0) IPs")
        },
    ]
}
