import ArgumentParser
import Testing
@testable import ZmeshCommands
import ZmeshModel

enum Keys {
    static let a = "ERERERERERERERERERERERERERERERERERERERERERE="
    static let b = "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="
    static let c = "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM="
    static let d = "REREREREREREREREREREREREREREREREREREREREREQ="

    static func key(_ base64: String) throws -> WireGuardKey { try #require(WireGuardKey(base64: base64)) }
}

@Suite("Parsing zmesh wg command lines")
struct WGCommandParsingTests {
    /// Command lines that must be refused at parse time, and what the message must name.
    static let refused: [([String], [String])] = [
        (["wg", "show", "sixteen-bytes-xx"], ["sixteen-bytes-xx", "16 bytes", "15"]),
        (["wg", "show", "wg0", "bogus"], ["bogus"]),
        (["wg", "show", "interfaces", "dump"], ["interfaces", "dump"]),
        (["wg", "showconf", "a/b"], ["a/b"]),
        (["wg", "showconf"], ["interface"]),
        (["wg", "setconf", "averyveryverylongname", "wg0.conf"], ["averyveryverylongname"]),
        (["wg", "addconf", "wg0"], ["configuration-file"]),
        (["wg", "set", "wg0"], ["wg0", "nothing to set"]),
        (["wg", "set", "wg0", "peer", "notakey"], ["wg0", "peer public key", "(7 characters, not shown)"]),
        (["wg", "set", "wg0", "peer", Keys.a, "allowed-ips", "10.0.0.0/33"], ["wg0", "10.0.0.0/33", "0–32"]),
        (["wg", "set", "wg0", "peer", Keys.a, "allowed-ips", "10.0.0.0/8,fd00::/200"], ["wg0", "fd00::/200", "0–128"]),
        (["wg", "set", "wg0", "peer", Keys.a, "allowed-ips", "10.0.0.300"], ["wg0", "10.0.0.300"]),
        (["wg", "set", "wg0", "listen-port", "65536"], ["wg0", "65536"]),
        (["wg", "set", "wg0", "fwmark", "0xfffffffff"], ["wg0", "0xfffffffff"]),
        (["wg", "set", "wg0", "listen-port"], ["wg0", "'listen-port' needs a value"]),
        (["wg", "set", "wg0", "peer", Keys.a, "listen-port", "1"], ["wg0", "before the first 'peer'"]),
        (["wg", "set", "wg0", "endpoint", "192.0.2.1:5"], ["wg0", "must follow 'peer KEY'"]),
        (["wg", "set", "wg0", "peer", Keys.a, "endpoint", "vpn.example.com:51820"], ["wg0", "vpn.example.com:51820", "host names"]),
        (["wg", "set", "wg0", "peer", Keys.a, "persistent-keepalive", "often"], ["wg0", "often"]),
        (["wg", "set", "wg0", "frobnicate"], ["wg0", "frobnicate"]),
        (["wg", "set", "this-name-is-too-long", "listen-port", "1"], ["this-name-is-too-long"]),
        (["wg", "--backend", "bogus", "show"], ["bogus"]),
        (["wg", "genkey", "extra"], ["extra"]),
    ]

    @Test(arguments: refused)
    func refusedWithAMessageNamingTheValue(arguments: [String], fragments: [String]) {
        do {
            _ = try ZmeshCommand.parseAsRoot(arguments)
            Issue.record("parsed: \(arguments)")
        } catch {
            let message = ZmeshCommand.message(for: error)
            for fragment in fragments {
                #expect(message.contains(fragment), "\(arguments): \(message)")
            }
        }
    }

    @Test func keysAreNeverEchoedInErrors() {
        let almostKey = String(Keys.a.dropLast(2)) + "=="  // not canonical base64
        for arguments in [["wg", "set", "wg0", "peer", almostKey], ["wg", "set", "wg0", almostKey]] {
            do {
                _ = try ZmeshCommand.parseAsRoot(arguments)
                Issue.record("parsed: \(arguments)")
            } catch {
                #expect(!ZmeshCommand.message(for: error).contains("ERERERERERER"))
            }
        }
    }

    @Test(arguments: [
        ([String](["wg"]), nil as String?, nil as String?),
        (["wg", "show"], nil, nil),
        (["wg", "show", "all", "dump"], "all", "dump"),
        (["wg", "show", "interfaces"], "interfaces", nil),
        (["wg", "show", "wg0", "allowed-ips"], "wg0", "allowed-ips"),
    ])
    func showCommandLines(arguments: [String], target: String?, field: String?) throws {
        let show = try #require(try ZmeshCommand.parseAsRoot(arguments) as? WGShow)
        #expect(show.target == target)
        #expect(show.field == field)
    }

    @Test(arguments: [
        (["wg", "--backend", "userspace", "show"], WGBackendOption.userspace),
        (["wg", "--backend", "kernel", "showconf", "wg0"], .kernel),
        (["wg", "show", "wg0"], .automatic),
    ])
    func backendOption(arguments: [String], expected: WGBackendOption) throws {
        let command = try ZmeshCommand.parseAsRoot(arguments)
        let options = try #require((command as? WGShow)?.wg.options ?? (command as? WGShowconf)?.wg.options)
        #expect(options.backend == expected)
    }

    @Test func setArgumentsFollowWgGrammar() throws {
        let command = try #require(
            try ZmeshCommand.parseAsRoot([
                "wg", "set", "wg0", "listen-port", "51820", "fwmark", "off", "private-key", "/etc/wg/key",
                "peer", Keys.a, "remove",
                "peer", Keys.b, "endpoint", "[2001:db8::1]:1", "allowed-ips", " 10.0.0.0/8, fd00::/64 ",
                "persistent-keepalive", "off", "preshared-key", "/dev/null",
                "peer", Keys.c, "allowed-ips", "",
            ]) as? WGSet)
        #expect(command.interface.rawValue == "wg0")
        let parsed = try WGSetArguments(parsing: command.settings)
        #expect(parsed.listenPort == 51820)
        #expect(parsed.fwmark == 0)
        #expect(parsed.privateKeyFile == "/etc/wg/key")
        #expect(parsed.peers.count == 3)
        #expect(parsed.peers[0] == WGSetArguments.Peer(publicKey: try Keys.key(Keys.a), remove: true))
        #expect(
            parsed.peers[1]
                == WGSetArguments.Peer(
                    publicKey: try Keys.key(Keys.b), endpoint: try Endpoint("[2001:db8::1]:1"),
                    allowedIPs: [try IPPrefix("10.0.0.0/8"), try IPPrefix("fd00::/64")], persistentKeepalive: 0,
                    presharedKeyFile: "/dev/null"))
        #expect(parsed.peers[2] == WGSetArguments.Peer(publicKey: try Keys.key(Keys.c), allowedIPs: []))
    }
}
