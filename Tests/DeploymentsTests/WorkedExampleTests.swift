import Deployments
import Testing
import ZmeshCrypto
import ZmeshModel
import DeploymentTestSupport

/// The worked example of `docs/deployments.md`, byte for byte: if this test changes, the document must too.
@Suite struct WorkedExampleTests {
    static let json = #"""
        {
          "schema": 1,
          "version": 0,
          "owner": "7plmynh7anhh76wzoanflznnyy",
          "network": {
            "name": "office",
            "ipv4_range": "10.20.0.0/16",
            "ipv6_range": "fd12:3456:789a::/48"
          },
          "nodes": [
            {
              "id": "zyn63wgekk4n5vi7zz2zew3v7i",
              "subnet": "10.20.1.0/24",
              "ipv6_subnet": "fd12:3456:789a:1::/64",
              "listen_port": 51820,
              "public_key": "BPXykWLDGo3voY5udCIk7oBvwXGKJ4voWbpWIEArjzo=",
              "sealed_private_key": "Z9fk7dadIDNEqEZhqI9fQ2K/nSzAlIEtC6ZgSZzP8zRkVRphNfmFShHuMevzx2+78zcefAFeDbujzuoaApiSB/IRPVqn3syjTQhV4kBWtTA=",
              "peers": [
                {
                  "public_key": "WdkiVHNFHv/+azbbyu/b97GJXeYghFCaf1tYvwHQZBg=",
                  "allowed_ips": ["10.20.2.0/24", "100.64.20.2/32", "fd12:3456:789a:2::/64"]
                },
                {
                  "public_key": "17XoHTNuV4sTuNcG6C0GHjA4yWvOZs3PUNVmuW3buhA=",
                  "allowed_ips": ["10.20.200.0/24", "100.64.20.200/32"]
                }
              ]
            },
            {
              "id": "cgouul3qkjtav24avljmxaeefa",
              "subnet": "10.20.2.0/24",
              "ipv6_subnet": "fd12:3456:789a:2::/64",
              "listen_port": 51820,
              "public_key": "WdkiVHNFHv/+azbbyu/b97GJXeYghFCaf1tYvwHQZBg=",
              "sealed_private_key": "9xrKPlpY08LMelh32YkzB+n6auvGsmdkxh6Px0fAQhDaLWATv+/RNXLXx9iegPlLPZXOeE3ZMdC0X5cc6FAYHTR5eHB6ULzDCTK/cFPQskI=",
              "peers": [
                {
                  "public_key": "BPXykWLDGo3voY5udCIk7oBvwXGKJ4voWbpWIEArjzo=",
                  "allowed_ips": ["10.20.0.0/16", "100.64.0.0/16", "fd12:3456:789a::/48"],
                  "endpoint": "203.0.113.10:51820",
                  "persistent_keepalive": 25
                }
              ]
            }
          ],
          "signature_requirement": {
            "requests": [
              {
                "twin": "7plmynh7anhh76wzoanflznnyy",
                "weight": 1,
                "required": true
              },
              {
                "twin": "cku3746py55ctvrmz7kvthyyha",
                "weight": 1,
                "required": false
              },
              {
                "twin": "b3bpite7e7qpknrymehvfnqfwu",
                "weight": 1,
                "required": false
              }
            ],
            "weight_required": 2
          },
          "signatures": [
            {
              "twin": "7plmynh7anhh76wzoanflznnyy",
              "public_key": "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=",
              "signature": "RTr+RD06cth4tKGESaSE/NIWsSWRP/oWlcPWmZlIGfIwS+lbq0sF03+12SOZ5LOgq8uXT4o4+MYkA5ga7UwBCg=="
            },
            {
              "twin": "cku3746py55ctvrmz7kvthyyha",
              "public_key": "gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5Q=",
              "signature": "WPphOXsOXe+evVF6sDtEXWTEVMHhYVrnTa3/O1q53RUWTgZxSEa/6592J6OohwPm7lLZRsqn7z/hVYtpO2MgCQ=="
            }
          ]
        }
        """#

    static let digest = "495ad46e08013eb82252e6fd00aaa4d1dc28fa5fad629f7934f991f19e705c0f"

    @Test func identitiesOfTheExampleSeeds() {
        #expect(Fixtures.identity(1).id.rawValue == "7plmynh7anhh76wzoanflznnyy")
        #expect(Fixtures.identity(1).publicKey.base64 == "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=")
        #expect(Fixtures.identity(2).id.rawValue == "cku3746py55ctvrmz7kvthyyha")
        #expect(Fixtures.identity(3).id.rawValue == "b3bpite7e7qpknrymehvfnqfwu")
        #expect(Fixtures.identity(11).id.rawValue == "zyn63wgekk4n5vi7zz2zew3v7i")
        #expect(Fixtures.identity(12).id.rawValue == "cgouul3qkjtav24avljmxaeefa")
    }

    @Test func theExampleVerifies() throws {
        let deployment = try Deployment(json: Self.json)
        #expect(deployment.digest.hex == Self.digest)
        #expect(deployment.canonicalBytes.count == 1076)
        #expect(deployment.json() == Self.json + "\n")
        let report = try deployment.verifySignatures()
        #expect(report.signedWeight == 2)
        #expect(report.signers == [Fixtures.identity(1).id, Fixtures.identity(2).id])
        let validated = try deployment.validated()
        #expect(validated.network.id.rawValue == "x6a3cxcmi5bts")
        #expect(validated.network.id.wireGuardInterface.description == "w-x6a3cxcmi5bts")
    }

    @Test func eachNodeOpensItsOwnKey() throws {
        let validated = try Deployment(json: Self.json).validated()
        let nodes = [
            (Fixtures.identity(11), Fixtures.wireGuardKey(0x31)), (Fixtures.identity(12), Fixtures.wireGuardKey(0x32)),
        ]
        for (identity, expected) in nodes {
            let node = try #require(validated.node(identity.id))
            #expect(try node.openPrivateKey(with: identity) == expected)
        }
    }
}
