public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// Deterministic identities and a valid sample deployment: three owners (alice required with weight
/// 2, bob and carol weight 1, 3 needed), two public nodes and one hidden node, a laptop peer.
/// Shared by DeploymentsTests and RegistryTests.
public enum Fixtures {
    public static func identity(_ n: UInt8) -> Identity {
        guard let identity = try? Identity(seed: [UInt8](repeating: n, count: 32)) else {
            preconditionFailure("a 32-byte seed makes an identity")
        }
        return identity
    }

    public static let alice = identity(1)
    public static let bob = identity(2)
    public static let carol = identity(3)
    public static let mallory = identity(4)
    public static let node1 = identity(11)
    public static let node2 = identity(12)
    public static let node3 = identity(13)

    /// A clamped WireGuard private key made of one repeated byte.
    public static func wireGuardKey(_ n: UInt8) -> PrivateKey {
        PrivateKey(WireGuardKey(bytes: [UInt8](repeating: n, count: 32)) ?? .zero).clamped
    }

    public static let laptopKey = WireGuardKeys.publicKey(for: wireGuardKey(0x40))

    public static func prefix(_ text: String) -> IPPrefix {
        guard let prefix = try? IPPrefix(text) else { preconditionFailure("bad fixture prefix \(text)") }
        return prefix
    }

    public static func endpoint(_ text: String) -> Endpoint {
        guard let endpoint = try? Endpoint(text) else { preconditionFailure("bad fixture endpoint \(text)") }
        return endpoint
    }

    public static func publicKey(_ n: UInt8) -> WireGuardKey { WireGuardKeys.publicKey(for: wireGuardKey(n)) }

    /// The sample deployment, unsigned (sealed keys are random: build it once per use).
    public static func deployment(version: UInt64 = 0, name: String = "office") -> Deployment {
        let n1 = WireGuardKeys.publicKey(for: wireGuardKey(0x31))
        let n2 = WireGuardKeys.publicKey(for: wireGuardKey(0x32))
        let n3 = WireGuardKeys.publicKey(for: wireGuardKey(0x33))
        do {
            let nodes = [
                try Deployment.Node(
                    node: node1.publicKey, subnet: prefix("10.20.1.0/24"), ipv6Subnet: prefix("fd12:3456:789a:1::/64"),
                    listenPort: 51820, privateKey: wireGuardKey(0x31),
                    peers: [
                        Deployment.Peer(
                            publicKey: n2,
                            allowedIPs: [
                                prefix("10.20.2.0/24"), prefix("100.64.20.2/32"), prefix("fd12:3456:789a:2::/64"),
                            ],
                            endpoint: endpoint("203.0.113.2:51821")),
                        Deployment.Peer(
                            publicKey: n3,
                            allowedIPs: [
                                prefix("10.20.3.0/24"), prefix("100.64.20.3/32"), prefix("fd12:3456:789a:3::/64"),
                            ]),
                        Deployment.Peer(
                            publicKey: laptopKey, allowedIPs: [prefix("10.20.200.0/24"), prefix("100.64.20.200/32")]),
                    ]),
                try Deployment.Node(
                    node: node2.publicKey, subnet: prefix("10.20.2.0/24"), ipv6Subnet: prefix("fd12:3456:789a:2::/64"),
                    listenPort: 51821, privateKey: wireGuardKey(0x32),
                    peers: [
                        Deployment.Peer(
                            publicKey: n1,
                            allowedIPs: [
                                prefix("10.20.1.0/24"), prefix("100.64.20.1/32"), prefix("fd12:3456:789a:1::/64"),
                                prefix("10.20.3.0/24"), prefix("100.64.20.3/32"), prefix("fd12:3456:789a:3::/64"),
                                prefix("10.20.200.0/24"), prefix("100.64.20.200/32"),
                            ],
                            endpoint: endpoint("[2001:db8::1]:51820"))
                    ]),
                try Deployment.Node(
                    node: node3.publicKey, subnet: prefix("10.20.3.0/24"), ipv6Subnet: prefix("fd12:3456:789a:3::/64"),
                    listenPort: 51822, privateKey: wireGuardKey(0x33),
                    peers: [
                        Deployment.Peer(
                            publicKey: n1,
                            allowedIPs: [
                                prefix("10.20.0.0/16"), prefix("100.64.0.0/16"), prefix("fd12:3456:789a::/48"),
                            ],
                            endpoint: endpoint("203.0.113.1:51820"), persistentKeepalive: 25)
                    ]),
            ]
            return Deployment(
                version: version, owner: alice.id,
                network: Deployment.Network(
                    name: name, ipv4Range: prefix("10.20.0.0/16"), ipv6Range: prefix("fd12:3456:789a::/48")),
                nodes: nodes,
                signatureRequirement: Deployment.SignatureRequirement(
                    requests: [
                        Deployment.SignatureRequest(twin: alice.id, weight: 2, required: true),
                        Deployment.SignatureRequest(twin: bob.id, weight: 1, required: false),
                        Deployment.SignatureRequest(twin: carol.id, weight: 1, required: false),
                    ],
                    weightRequired: 3))
        } catch {
            preconditionFailure("sealing to a valid key works: \(error)")
        }
    }

    /// The sample deployment signed by alice and bob (valid).
    public static func signedDeployment(version: UInt64 = 0) -> Deployment {
        var d = deployment(version: version)
        do {
            try d.sign(with: alice)
            try d.sign(with: bob)
        } catch {
            preconditionFailure("alice and bob are requested: \(error)")
        }
        return d
    }
}
