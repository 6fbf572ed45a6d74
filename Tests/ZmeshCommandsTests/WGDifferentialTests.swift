import ArgumentParser
import Foundation
import Testing
import WireGuardNL
@testable import ZmeshCommands
import ZmeshModel

/// `zmesh wg` against the real `wg` (wireguard-tools) on wireguard-go devices: same devices, same
/// bytes. Peer order is normalised because wireguard-go lists peers in Go-map order, which changes
/// from one read to the next; everything else is compared byte for byte.
@Suite(
    "zmesh wg vs wireguard-tools on wireguard-go", .serialized,
    .enabled(if: WireGuardGoLab.isAvailable, "needs root, ip, nsenter, unshare, wg and wireguard-go"))
struct WGDifferentialTests {
    /// The `zmesh` executable built next to the test bundle, if any.
    static let zmeshBinary: String? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner may live inside a `.xctest` bundle directory.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("zmesh").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// Runs `zmesh wg ARGS` in this process, over the lab's UAPI sockets.
    static func zmeshInProcess(_ arguments: [String], lab: WireGuardGoLab) throws -> WGOutput {
        let devices = WGClientDevices(client: WireGuardClient(choice: .automatic, socketDirectory: lab.socketDirectory))
        var output = WGOutput()
        switch try ZmeshCommand.parseAsRoot(["wg"] + arguments) {
        case let show as WGShow:
            let environment = WGShowEnvironment(now: WGIO.now(), formatter: WireGuardShowFormatter())
            try show.execute(on: devices, environment: environment, output: &output)
        case let showconf as WGShowconf:
            try showconf.execute(on: devices, output: &output)
        case let other:
            throw LabError("not an output verb: \(other)")
        }
        return output
    }

    @Test func showAndShowconfPrintWhatWgPrints() throws {
        let lab = try WireGuardGoLab(interfaceCount: 4)
        defer { lab.close() }
        var random = RandomWireGuardConfig()
        let peerCounts = [0, 1, 12]
        for (name, peers) in zip(lab.interfaces, peerCounts) {
            random.used = []
            let path = try lab.file("\(name).conf", random.text(peers: peers, listenPort: UInt16.random(in: 20000...60000)))
            _ = try lab.output([WireGuardGoLab.wg, "setconf", name, path])
        }
        // The last interface stays as wireguard-go started it.

        func compare(_ arguments: [String], normalise: (String) -> String) throws {
            let theirs = try lab.output([WireGuardGoLab.wg] + arguments)
            let ours = try Self.zmeshInProcess(arguments, lab: lab)
            #expect(ours.exitCode == 0 && ours.standardError.isEmpty, "\(arguments): \(ours.standardError)")
            #expect(normalise(ours.standardOutput) == normalise(theirs), "zmesh wg \(arguments.joined(separator: " "))")
            if let binary = Self.zmeshBinary {
                let viaBinary = try lab.output([binary, "wg"] + arguments)
                #expect(normalise(viaBinary) == normalise(theirs), "zmesh binary: wg \(arguments.joined(separator: " "))")
            }
        }

        try compare(["show", "interfaces"]) { $0 }
        try compare(["show", "all", "dump"]) { PeerOrder.lines($0, withInterface: true, keepFirst: true) }
        try compare(["show"]) { PeerOrder.paragraphs($0) }
        try compare(["show", "all"]) { PeerOrder.paragraphs($0) }
        for field in WireGuardShowField.allCases where field != .endpoints {
            try compare(["show", "all", field.rawValue]) {
                PeerOrder.lines($0, withInterface: true, keepFirst: field == .dump)
            }
        }
        // wg prints the interface name once per device here (see the formatter); compare the order of
        // the names, then the lines without them.
        try compare(["show", "all", "endpoints"]) { PeerOrder.namesOnceLines($0, names: lab.interfaces) }
        for name in lab.interfaces {
            try compare(["show", name]) { PeerOrder.paragraphs($0) }
            try compare(["show", name, "dump"]) { PeerOrder.lines($0, withInterface: false, keepFirst: true) }
            try compare(["show", name, "allowed-ips"]) { PeerOrder.lines($0, withInterface: false, keepFirst: false) }
            try compare(["showconf", name]) { PeerOrder.paragraphs($0) }
        }
        // The devices really were what the comparison needs: several peers, both address families.
        let dump = try lab.output([WireGuardGoLab.wg, "show", "all", "dump"])
        #expect(dump.split(separator: "\n").count == lab.interfaces.count + peerCounts.reduce(0, +))
        #expect(dump.contains("]:") && dump.contains("203.0.113."))
    }

    /// Two devices that really handshake over the lab's loopback, so that handshake times, transfer
    /// counters, "… ago" and the handshake-first peer order of the pretty output are compared too.
    @Test func handshakesTransferAndPrettyOrderMatch() throws {
        let lab = try WireGuardGoLab(interfaceCount: 2)
        defer { lab.close() }
        let (a, b) = (lab.interfaces[0], lab.interfaces[1])
        let keyA = try lab.file("a.key", try lab.output([WireGuardGoLab.wg, "genkey"]))
        let keyB = try lab.file("b.key", try lab.output([WireGuardGoLab.wg, "genkey"]))
        let publicA = try lab.output(["/bin/sh", "-c", "\(WireGuardGoLab.wg) pubkey < \(keyA)"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let publicB = try lab.output(["/bin/sh", "-c", "\(WireGuardGoLab.wg) pubkey < \(keyB)"]).trimmingCharacters(in: .whitespacesAndNewlines)
        var random = RandomWireGuardConfig()
        var extra: [String] = []
        for i in 0..<5 { extra += ["peer", random.key(), "allowed-ips", "10.98.\(i).0/24"] }
        _ = try lab.output([WireGuardGoLab.ip, "link", "set", "lo", "up"])
        _ = try lab.output(
            [WireGuardGoLab.wg, "set", a, "listen-port", "51001", "private-key", keyA]
                + ["peer", publicB, "endpoint", "127.0.0.1:51002", "allowed-ips", "10.99.0.2/32", "persistent-keepalive", "1"]
                + extra)
        _ = try lab.output(
            [WireGuardGoLab.wg, "set", b, "listen-port", "51002", "private-key", keyB]
                + ["peer", publicA, "endpoint", "127.0.0.1:51001", "allowed-ips", "10.99.0.1/32"])
        // b first, so that a's first handshake initiation finds it listening (a retry takes 5 s).
        _ = try lab.output([WireGuardGoLab.ip, "link", "set", b, "up"])
        _ = try lab.output([WireGuardGoLab.ip, "link", "set", a, "up"])
        var handshaken = false
        for _ in 0..<150 where !handshaken {
            usleep(100_000)
            handshaken = try lab.output([WireGuardGoLab.wg, "show", a, "latest-handshakes"]).split(separator: "\n")
                .contains { $0.hasPrefix(publicB) && !$0.hasSuffix("\t0") }
        }
        try #require(handshaken, "no handshake between the lab's devices")
        _ = try lab.output([WireGuardGoLab.wg, "set", a, "peer", publicB, "persistent-keepalive", "off"])
        usleep(1_200_000)  // let the last keepalive land, so that the counters hold still

        /// The handshaken peer first (exactly), the never-handshaken ones in any order.
        func prettyNormalised(_ text: String) -> String {
            let paragraphs = text.components(separatedBy: "\n\n").map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }
            return (paragraphs.prefix(2) + paragraphs.dropFirst(2).sorted()).joined(separator: "\n")
        }
        // Time passes between the two reads; retry when a second boundary fell between them.
        for arguments in [["show", a], ["show", "all", "dump"], ["show", "all", "latest-handshakes"], ["show", "all", "transfer"]] {
            var matched = false
            var last = ("", "")
            for _ in 0..<5 where !matched {
                let theirs = try lab.output([WireGuardGoLab.wg] + arguments)
                let ours = try Self.zmeshInProcess(arguments, lab: lab).standardOutput
                let normalise: (String) -> String =
                    arguments.count == 2 ? prettyNormalised : { PeerOrder.lines($0, withInterface: true, keepFirst: arguments[2] == "dump") }
                matched = normalise(ours) == normalise(theirs)
                last = (theirs, ours)
            }
            #expect(matched, "\(arguments):\n--- wg\n\(last.0)\n--- zmesh\n\(last.1)")
        }
        let pretty = try lab.output([WireGuardGoLab.wg, "show", a])
        #expect(pretty.contains("latest handshake: ") && pretty.contains("transfer: "), "\(pretty)")
        #expect(pretty.components(separatedBy: "\n\n")[1].hasPrefix("peer: \(publicB)"))
    }

    @Test(.enabled(if: zmeshBinary != nil, "needs the zmesh executable built next to the tests"))
    func configuringWithZmeshMatchesConfiguringWithWg() throws {
        let lab = try WireGuardGoLab(interfaceCount: 2)
        defer { lab.close() }
        let binary = try #require(Self.zmeshBinary)
        let (viaWg, viaZmesh) = (lab.interfaces[0], lab.interfaces[1])
        var random = RandomWireGuardConfig()
        let privateKey = random.key()

        /// Runs the same verb with `wg` on one device and `zmesh wg` on the other, then checks both
        /// ended up with the same configuration, and that `zmesh wg showconf` prints `wg showconf`.
        /// `adjustWg` accounts for a documented difference from wg 1.0.20210914.
        func both(
            _ step: String, adjustWg: (inout DeviceConfiguration) throws -> Void = { _ in },
            _ arguments: (String) throws -> [String]
        ) throws {
            _ = try lab.output([WireGuardGoLab.wg] + arguments(viaWg))
            _ = try lab.output([binary, "wg"] + arguments(viaZmesh))
            let theirs = try lab.output([WireGuardGoLab.wg, "showconf", viaWg])
            let ours = try lab.output([WireGuardGoLab.wg, "showconf", viaZmesh])
            var a = try WireGuardConfigFile(parsing: theirs).configuration
            var b = try WireGuardConfigFile(parsing: ours).configuration
            (a.listenPort, b.listenPort) = (nil, nil)  // each device has its own port
            try adjustWg(&a)
            #expect(a == b, "after \(step):\n--- wg\n\(theirs)\n--- zmesh\n\(ours)")
            let showconf = try lab.output([binary, "wg", "showconf", viaZmesh])
            #expect(PeerOrder.paragraphs(showconf) == PeerOrder.paragraphs(ours), "zmesh wg showconf after \(step)")
        }

        // setconf: a random device.
        random.used = []
        let first = random.text(peers: 6, listenPort: nil, privateKey: privateKey, fwmark: false)
        let firstPath = try lab.file("first.conf", first)
        try both("setconf") { ["setconf", $0, firstPath] }
        let peers = try WireGuardConfigFile(parsing: first).peers.map(\.publicKey.base64)

        // addconf: two new peers, and an existing one re-listed without AllowedIPs (which clears them).
        let added = random.text(peers: 2, listenPort: nil, privateKey: privateKey, fwmark: false)
            + "\n[Peer]\nPublicKey = \(peers[0])\nEndpoint = 192.0.2.77:7777\n"
        let addedPath = try lab.file("added.conf", added)
        try both("addconf") { ["addconf", $0, addedPath] }

        // set: device settings and every peer option.
        let keyPath = try lab.file("private.key", random.key() + "\n")
        let pskPath = try lab.file("psk.key", random.key())
        let newPeer = random.key()
        try both("set") {
            [
                "set", $0, "fwmark", "0x42", "private-key", keyPath,
                "peer", peers[1], "allowed-ips", "10.200.0.0/16, fd77::/48,192.168.77.1", "endpoint", "[2001:db8::77]:77",
                "persistent-keepalive", "off", "preshared-key", "/dev/null",
                "peer", peers[2], "remove",
                "peer", newPeer, "endpoint", "198.51.100.7:1", "persistent-keepalive", "13", "preshared-key", pskPath,
                "peer", peers[3], "allowed-ips", "",
            ]
        }

        // syncconf: some peers kept (changed or not), others dropped, a new one added.
        var kept = try WireGuardConfigFile(parsing: try lab.output([WireGuardGoLab.wg, "showconf", viaWg]))
        kept.peers = Array(kept.peers.prefix(3))
        kept.peers[0].endpoint = try Endpoint("[2001:db8::1]:1")
        kept.peers[1].presharedKey = nil
        kept.peers[1].persistentKeepalive = nil
        kept.peers.append(WireGuardConfigFile.Peer(publicKey: try #require(WireGuardKey(base64: random.key())), allowedIPs: [try IPPrefix("10.250.0.0/24")]))
        kept.listenPort = nil
        let syncPath = try lab.file("sync.conf", WireGuardConfigText.render(kept.configuration))
        // wg 1.0.20210914's syncconf leaves a preshared key and a keepalive the file no longer has
        // (later wireguard-tools clear them); zmesh converges to the file, so the peer loses both.
        let trimmed = kept.peers[1].publicKey
        try both("syncconf", adjustWg: { wgResult in
            let index = try #require(wgResult.peers.firstIndex { $0.publicKey == trimmed })
            wgResult.peers[index].presharedKey = nil
            wgResult.peers[index].persistentKeepalive = 0
        }) { ["syncconf", $0, syncPath] }
        var synced = try WireGuardConfigFile(parsing: try lab.output([WireGuardGoLab.wg, "showconf", viaZmesh])).configuration
        synced.listenPort = nil
        #expect(synced == kept.configuration, "zmesh wg syncconf converges to the file")

        // setconf with no peers empties the device.
        let emptyPath = try lab.file("empty.conf", "[Interface]\nPrivateKey = \(privateKey)\n")
        try both("setconf (empty)") { ["setconf", $0, emptyPath] }
        #expect(try lab.output([binary, "wg", "show", viaZmesh, "peers"]).isEmpty)
    }

    @Test func badInputIsRefusedBeforeAnythingIsSent() throws {
        let lab = try WireGuardGoLab(interfaceCount: 1)
        defer { lab.close() }
        let name = lab.interfaces[0]
        let before = try lab.output([WireGuardGoLab.wg, "showconf", name])
        guard let binary = Self.zmeshBinary else { return }
        var random = RandomWireGuardConfig()
        let bad = try lab.file("bad.conf", "[Interface]\nListenPort = 4242\n[Peer]\nPublicKey = \(random.key())\nAllowedIPs = 10.0.0.0/33\n")
        for arguments in [
            ["wg", "setconf", name, bad],
            ["wg", "set", name, "listen-port", "4242", "peer", "bogus"],
            ["wg", "set", name, "listen-port", "4242", "peer", Keys.a, "allowed-ips", "fd00::/129"],
        ] {
            let result = try lab.run([binary] + arguments)
            #expect(result.status != 0)
            #expect(result.standardError.contains(name), "\(arguments): \(result.standardError)")
        }
        #expect(try lab.output([WireGuardGoLab.wg, "showconf", name]) == before)
        for (arguments, fragment) in [(["show", "zmtnosuchdev"], "'zmtnosuchdev' does not exist"), (["showconf", "lo"], "'lo' is not a WireGuard")] {
            let result = try lab.run([binary, "wg"] + arguments)
            #expect(result.status != 0 && result.standardError.contains(fragment), "\(arguments): \(result.standardError)")
        }
    }
}
