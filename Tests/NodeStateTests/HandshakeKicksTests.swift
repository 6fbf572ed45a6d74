import Deployments
import DeploymentTestSupport
import NodeState
import Testing
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
}
