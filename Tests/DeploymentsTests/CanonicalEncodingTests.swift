import Testing
import ZmeshCrypto

@testable import Deployments
import DeploymentTestSupport

@Suite struct CanonicalEncodingTests {
    /// Hex digits, ignoring whitespace and `#` comments.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1).first ?? "" }
            .joined().filter { $0.isHexDigit }
        var out: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            out.append(UInt8(digits[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    /// A document with one-letter values, so that every byte of the encoding can be written out.
    static let tiny = Deployment(
        schema: 1, version: 2, owner: "o", network: Deployment.Network(name: "n", ipv4Range: "4", ipv6Range: "6"),
        nodes: [
            Deployment.Node(
                id: "i", subnet: "s", ipv6Subnet: "t", listenPort: 51820, publicKey: "k", sealedPrivateKey: "x",
                peers: [
                    Deployment.Peer(publicKey: "p", allowedIPs: ["a", "b"], endpoint: "e", persistentKeepalive: nil)
                ])
        ],
        signatureRequirement: Deployment.SignatureRequirement(
            requests: [Deployment.SignatureRequest(twin: "w", weight: 3, required: true)], weightRequired: 3),
        signatures: [Deployment.Signature(twin: "w", publicKey: "q", signature: "z")])

    @Test func goldenBytes() {
        let expected = Self.hex(
            """
            7a6d657368206465706c6f796d656e7400   # "zmesh deployment" NUL
            0000000000000001                     # schema 1
            0000000000000002                     # version 2
            000000016f                           # owner "o"
            000000016e 0000000134 0000000136     # network name "n", ipv4_range "4", ipv6_range "6"
            00000001                             # 1 node
            0000000169 0000000173 0000000174     # id "i", subnet "s", ipv6_subnet "t"
            000000000000ca6c                     # listen_port 51820
            000000016b 0000000178                # public_key "k", sealed_private_key "x"
            00000001                             # 1 peer
            0000000170                           # public_key "p"
            00000002 0000000161 0000000162       # allowed_ips ["a", "b"]
            01 0000000165                        # endpoint present, "e"
            00                                   # persistent_keepalive absent
            00000001                             # 1 request
            0000000177 0000000000000003 01       # twin "w", weight 3, required
            0000000000000003                     # weight_required 3
            """)
        #expect(Self.tiny.canonicalBytes == expected)
        #expect(Self.tiny.digest == BLAKE2b.hash256(expected))
    }

    @Test func signaturesAreNotCovered() {
        var other = Self.tiny
        other.signatures = []
        #expect(other.canonicalBytes == Self.tiny.canonicalBytes)
        other.signatures = Array(repeating: Self.tiny.signatures[0], count: 3)
        #expect(other.digest == Self.tiny.digest)
    }

    @Test func integersAreTwosComplementAndOptionalsAreTagged() {
        var other = Self.tiny
        other.version = -1
        other.nodes[0].peers[0].endpoint = nil
        other.nodes[0].peers[0].persistentKeepalive = 25
        let bytes = other.canonicalBytes
        #expect(Array(bytes[25..<33]) == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        let tail = Self.hex("00 01 0000000000000019 00000001")
        #expect(bytes.firstRange(of: tail) != nil)
    }

    @Test func lengthPrefixesKeepFieldsApart() {
        // Moving a character from one field to the next changes the encoding.
        var a = Self.tiny
        a.network.name = "ab"
        a.network.ipv4Range = "c"
        var b = Self.tiny
        b.network.name = "a"
        b.network.ipv4Range = "bc"
        #expect(a.canonicalBytes != b.canonicalBytes)
        // So does moving an allowed IP from one peer to the next.
        var c = Self.tiny
        c.nodes[0].peers = [
            Deployment.Peer(publicKey: "p", allowedIPs: ["a", "b"]), Deployment.Peer(publicKey: "p", allowedIPs: []),
        ]
        var d = Self.tiny
        d.nodes[0].peers = [
            Deployment.Peer(publicKey: "p", allowedIPs: ["a"]), Deployment.Peer(publicKey: "p", allowedIPs: ["b"]),
        ]
        #expect(c.canonicalBytes != d.canonicalBytes)
    }

    @Test func jsonRoundTripKeepsTheDigest() throws {
        let deployment = Fixtures.signedDeployment()
        for pretty in [true, false] {
            let again = try Deployment(json: deployment.json(pretty: pretty))
            #expect(again == deployment)
            #expect(again.digest == deployment.digest)
        }
    }

    @Test func memberOrderAndWhitespaceDoNotMatter() throws {
        let a = try Deployment(json: Self.tinyJSON)
        let reordered = """
            {"signatures":[],"signature_requirement":{"weight_required":3,"requests":[{"required":true,"weight":3,"twin":"w"}]},
             "nodes":[{"peers":[{"endpoint":"e","allowed_ips":["a","b"],"public_key":"p"}],"sealed_private_key":"x",
             "public_key":"k","listen_port":51820,"ipv6_subnet":"t","subnet":"s","id":"i"}],
             "network":{"ipv6_range":"6","ipv4_range":"4","name":"n"},"owner":"\\u006f","version":2,"schema":1}
            """
        let b = try Deployment(json: reordered)
        #expect(a.canonicalBytes == b.canonicalBytes)
        #expect(a.canonicalBytes == Self.tiny.canonicalBytes)
    }

    static let tinyJSON = """
        {
          "schema": 1, "version": 2, "owner": "o",
          "network": {"name": "n", "ipv4_range": "4", "ipv6_range": "6"},
          "nodes": [{"id": "i", "subnet": "s", "ipv6_subnet": "t", "listen_port": 51820, "public_key": "k",
                     "sealed_private_key": "x", "peers": [{"public_key": "p", "allowed_ips": ["a", "b"], "endpoint": "e",
                     "persistent_keepalive": null}]}],
          "signature_requirement": {"requests": [{"twin": "w", "weight": 3, "required": true}], "weight_required": 3}
        }
        """
}
