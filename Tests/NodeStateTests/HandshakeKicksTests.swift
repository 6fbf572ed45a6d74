import Deployments
import DeploymentTestSupport
import NodeState
import Testing
import ZmeshCrypto
import ZmeshModel

@Suite("Handshake kicks: peers whose first handshake was lost are added again")
struct HandshakeKicksTests {
    static let network = try! NetworkID("z5k7k2ekw2ecs")
    static let start = ContinuousClock.now

    /// One NR whose WireGuard device has `peers`.
    static func snapshot(_ peers: [PeerStatus], namespace: String = network.namespaceName) -> NodeSnapshot {
        let device = DeviceStatus(name: network.wireGuardInterface, peers: peers)
        return NodeSnapshot(namespaces: [namespace: NamespaceSnapshot(wireGuard: [network.wireGuardInterface: device])])
    }

    static func peer(
        _ byte: UInt8, endpoint: String? = "198.51.100.11:51820", sent: UInt64 = 148, handshake: Int64? = nil
    ) -> PeerStatus {
        PeerStatus(
            configuration: PeerConfiguration(
                publicKey: WireGuardKey(bytes: [UInt8](repeating: byte, count: 32))!, endpoint: endpoint.map(Fixtures.endpoint), persistentKeepalive: 25,
                allowedIPs: [Fixtures.prefix("10.20.\(byte).0/24")]),
            lastHandshake: handshake.map { Timestamp(seconds: $0) }, transmittedBytes: sent)
    }

    static func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func aPeerDialledWithoutAnswerIsRemovedAndCreatedAgainAfterTheGrace() {
        var kicks = HandshakeKicks(grace: .milliseconds(750), maximumKicks: 3)
        let lost = Self.peer(1)
        let snapshot = Self.snapshot([lost])
        #expect(kicks.due(in: snapshot, at: Self.at(0)).isEmpty, "first seen: not yet")
        #expect(kicks.isWaiting)
        #expect(kicks.due(in: snapshot, at: Self.at(500)).isEmpty, "within the grace")
        let actions = kicks.due(in: snapshot, at: Self.at(800))
        let ref = NamespaceRef.named(Self.network.namespaceName)
        #expect(
            actions == [
                .configureWireGuard(ref, Self.network.wireGuardInterface, DeviceUpdate(peers: [.removing(lost.configuration.publicKey)])),
                .configureWireGuard(ref, Self.network.wireGuardInterface, DeviceUpdate(peers: [PeerUpdate(creating: lost.configuration)])),
            ])
        // The grace starts again from the kick.
        #expect(kicks.due(in: snapshot, at: Self.at(1200)).isEmpty)
        #expect(kicks.due(in: snapshot, at: Self.at(1600)).count == 2)
    }

    @Test func aPeerIsKickedAtMostMaximumKicksTimes() {
        var kicks = HandshakeKicks(grace: .milliseconds(100), maximumKicks: 2)
        let snapshot = Self.snapshot([Self.peer(1)])
        var total = 0
        for step in 0..<20 { total += kicks.due(in: snapshot, at: Self.at(step * 200)).count }
        #expect(total == 4, "two kicks of two actions each")
        #expect(!kicks.isWaiting, "a peer that is down is left to WireGuard")
    }

    @Test(arguments: [
        ("a hidden peer (no endpoint: it dials us)", peer(1, endpoint: nil)),
        ("a peer never tried (nothing sent)", peer(1, sent: 0)),
        ("a peer with a handshake", peer(1, handshake: 1_790_000_000)),
    ])
    func peersThatLostNothingAreNeverTouched(_ what: String, _ peer: PeerStatus) {
        var kicks = HandshakeKicks(grace: .milliseconds(100))
        let snapshot = Self.snapshot([peer])
        for step in 0..<10 { #expect(kicks.due(in: snapshot, at: Self.at(step * 200)).isEmpty, "\(what)") }
        #expect(!kicks.isWaiting)
    }

    @Test func onlyTheAgentsNetworkResourcesAreLookedAt() {
        var kicks = HandshakeKicks(grace: .milliseconds(100))
        let foreign = Self.snapshot([Self.peer(1)], namespace: "docker-wg")
        for step in 0..<5 { #expect(kicks.due(in: foreign, at: Self.at(step * 200)).isEmpty) }
    }

    @Test func aPeerThatGotItsHandshakeIsForgotten() {
        var kicks = HandshakeKicks(grace: .milliseconds(100))
        _ = kicks.due(in: Self.snapshot([Self.peer(1)]), at: Self.at(0))
        #expect(kicks.isWaiting)
        _ = kicks.due(in: Self.snapshot([Self.peer(1, handshake: 1_790_000_000)]), at: Self.at(50))
        #expect(!kicks.isWaiting)
    }

    @Test func aPeerYieldedToTheOtherSideIsNeverAddedAgain() {
        var kicks = HandshakeKicks(grace: .milliseconds(100))
        let (yieldedPeer, kickedPeer) = (Self.peer(1), Self.peer(2))
        let yielded = HandshakeKicks.Key(
            namespace: Self.network.namespaceName, interface: Self.network.wireGuardInterface,
            peer: yieldedPeer.configuration.publicKey)
        var removed: [WireGuardKey] = []
        for step in 0..<10 {
            let actions = kicks.due(in: Self.snapshot([yieldedPeer, kickedPeer]), at: Self.at(step * 200), yielding: [yielded])
            for case .configureWireGuard(_, _, let update) in actions {
                removed += update.peers.filter(\.remove).map(\.publicKey)
            }
        }
        #expect(removed == Array(repeating: kickedPeer.configuration.publicKey, count: 3))
        #expect(!kicks.isWaiting)
    }

    /// In the sample deployment nodes 1 and 2 dial each other; node 3 (hidden) dials node 1 only.
    @Test func ofTwoNodesThatDialEachOtherExactlyOneYields() throws {
        let deployment = try Fixtures.deployment().validated()
        let inputs = [NodeDesiredState.Input(deployment: deployment, privateKey: Fixtures.wireGuardKey(0x31))]
        let one = HandshakeKicks.yielded(by: Fixtures.node1.id, inputs: inputs)
        let two = HandshakeKicks.yielded(by: Fixtures.node2.id, inputs: inputs)
        let three = HandshakeKicks.yielded(by: Fixtures.node3.id, inputs: inputs)
        let (k1, k2) = (Fixtures.publicKey(0x31), Fixtures.publicKey(0x32))
        let id = deployment.network.id
        // The node with the higher key yields the lower one.
        let expected = HandshakeKicks.Key(namespace: id.namespaceName, interface: id.wireGuardInterface, peer: min(k1, k2))
        #expect(one.union(two) == [expected])
        #expect((k1 < k2 ? two : one) == [expected])
        #expect(three.isEmpty, "no one dials the hidden node")
        #expect(HandshakeKicks.yielded(by: Fixtures.node1.id, inputs: []).isEmpty)
    }
}
