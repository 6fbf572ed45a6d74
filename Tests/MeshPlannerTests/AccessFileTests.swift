import MeshPlanner
import Testing
import ZmeshCrypto
import ZmeshModel

/// The wg-quick file of a user access.
@Suite struct AccessFileTests {
    static let spec = Fixtures.spec(
        range: "10.20.0.0/16", ipv6Range: "fd12:3456:789a::/48",
        nodes: [Fixtures.publicNode(1, ipv4: "203.0.113.10"), Fixtures.hiddenNode(2)],
        accesses: [Fixtures.access("alice-laptop", 1)])

    @Test func fileWithAPlaceholder() throws {
        let plan = try NetworkPlanner.plan(Self.spec)
        let node = plan.nodes[plan.index(of: Fixtures.id(1)) ?? 0]
        let access = try #require(plan.access("alice-laptop"))
        let text = try #require(plan.accessFile("alice-laptop"))
        #expect(
            text == """
                # zmesh access 'alice-laptop' to network office (id \(plan.network.id)) via node \(node.id)
                [Interface]
                # The private key whose public key is \(access.publicKey)
                PrivateKey = <paste-your-private-key-here>
                Address = \(access.address)/32, fd12:3456:789a:\(String(access.ipv6Subnet.description.split(separator: ":")[3]))::1/128

                [Peer]
                PublicKey = \(node.publicKey)
                AllowedIPs = 10.20.0.0/16, 100.64.0.0/16, fd12:3456:789a::/48
                Endpoint = 203.0.113.10:\(node.listenPort)
                PersistentKeepalive = 25

                """)
        #expect(access.subnet == Fixtures.prefix("10.20.2.0/24") && access.address == Fixtures.v4("100.64.20.2"))
        #expect(plan.accessFile("nobody") == nil)
    }

    @Test func fileWithThePrivateKey() throws {
        let plan = try NetworkPlanner.plan(Self.spec)
        let key = PrivateKey(Fixtures.key(77))
        let text = try #require(plan.accessFile("alice-laptop", privateKey: key))
        #expect(text.contains("PrivateKey = \(key.revealedBase64)\n"))
        #expect(!text.contains("paste"))
        let file = try WGQuickFile(parsing: text)
        #expect(file.peers.count == 1)
        #expect(file.peers[0].allowedIPs == plan.network.wholeNetwork)
        #expect(file.addresses.map(\.description) == plan.access("alice-laptop")?.interfaceAddresses.map(\.description))
    }

    @Test func theAccessNodeListsTheDevice() throws {
        let plan = try NetworkPlanner.plan(Self.spec)
        let i = try #require(plan.index(of: Fixtures.id(1)))
        let access = try #require(plan.access("alice-laptop"))
        let peer = try #require(plan.peers(ofNodeAt: i).first { $0.target == .access("alice-laptop") })
        #expect(peer.publicKey == access.publicKey && peer.endpoint == nil)
        #expect(peer.allowedIPs == [access.subnet, Fixtures.prefix("\(access.address)/32"), access.ipv6Subnet])
    }
}
