public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// First handshakes that got lost, and the peers to add again because of it.
///
/// WireGuard sends a peer a new handshake initiation at most once per REKEY_TIMEOUT (5 s). When two
/// nodes apply a version at the same moment, the faster one's first initiation (a hidden node's
/// keepalive, or a workload's first packet) can reach the other before that node has the peer: it
/// is dropped, and the pair waits 5 s for the retry. A peer that this node dials (it has an
/// endpoint), has sent something to (its initiation: WireGuard counts handshake messages as sent
/// bytes) and that has had no handshake ``grace`` after it was first seen so is removed and added
/// again with the same configuration: a new peer may initiate at once. At most ``maximumKicks`` times
/// per peer (a peer that is simply down is left to WireGuard's own retries); a peer with no endpoint
/// (a hidden node, which dials us), one never tried (nothing sent) or one with a handshake is never
/// touched.
///
/// Two nodes that dial each other (both public) can initiate at the same moment (both apply a
/// version at once and their tenants talk at once): the initiations cross, each side answers the
/// other's as responder and drops the answer to its own, and neither has a session. Each side then
/// waits 5 s after the answer it sent before initiating again, so the two stay in step, and traffic
/// sent at the same rhythm from both ends (such as the grid's all-pairs probe) makes them cross
/// again at each retry. Only one side of such a pair adds its peer again (``yielded(by:inputs:)``):
/// its fresh initiation reaches a side that has just answered and does not initiate, so it cannot
/// cross.
///
/// Pure: the caller reads the devices and gives the time.
public struct HandshakeKicks: Sendable {
    /// One peer of one of the agent's WireGuard devices.
    public struct Key: Hashable, Sendable {
        public var namespace: String
        public var interface: InterfaceName
        public var peer: WireGuardKey

        public init(namespace: String, interface: InterfaceName, peer: WireGuardKey) {
            self.namespace = namespace
            self.interface = interface
            self.peer = peer
        }
    }

    struct Waiting: Sendable {
        var since: ContinuousClock.Instant
        var kicks: Int
    }

    public let grace: Duration
    public let maximumKicks: Int
    private var waiting: [Key: Waiting] = [:]

    public init(grace: Duration = .milliseconds(750), maximumKicks: Int = 3) {
        self.grace = grace
        self.maximumKicks = maximumKicks
    }

    /// Whether a peer still waits for its first handshake and may be added again later.
    public var isWaiting: Bool { waiting.values.contains { $0.kicks < maximumKicks } }

    /// The actions that add again, now, each peer whose first handshake is overdue (two per peer:
    /// remove, then create with its configuration), from the WireGuard devices in `snapshot`'s agent
    /// namespaces, except the peers in `yielded` (left to the other side). Forgets peers that have a
    /// handshake or are gone.
    public mutating func due(
        in snapshot: NodeSnapshot, at now: ContinuousClock.Instant, yielding yielded: Set<Key> = []
    ) -> [NodeAction] {
        var seen: Set<Key> = []
        var actions: [NodeAction] = []
        for (namespace, contents) in snapshot.namespaces.sorted(by: { $0.key < $1.key })
        where Ownership.networkID(ofNamespace: namespace) != nil {
            for (interface, device) in contents.wireGuard.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                for peer in device.peers
                where peer.lastHandshake == nil && peer.configuration.endpoint != nil && peer.transmittedBytes > 0 {
                    let key = Key(namespace: namespace, interface: interface, peer: peer.configuration.publicKey)
                    if yielded.contains(key) { continue }
                    seen.insert(key)
                    guard var entry = waiting[key] else {
                        waiting[key] = Waiting(since: now, kicks: 0)
                        continue
                    }
                    guard entry.kicks < maximumKicks, now - entry.since >= grace else { continue }
                    entry.kicks += 1
                    entry.since = now
                    waiting[key] = entry
                    let ref = NamespaceRef.named(namespace)
                    actions.append(.configureWireGuard(ref, interface, DeviceUpdate(peers: [.removing(key.peer)])))
                    actions.append(
                        .configureWireGuard(ref, interface, DeviceUpdate(peers: [PeerUpdate(creating: peer.configuration)])))
                }
            }
        }
        waiting = waiting.filter { seen.contains($0.key) }
        return actions
    }
}

extension HandshakeKicks {
    /// The peers that node `node` leaves to the other side to add again: in each network of `inputs`,
    /// the nodes that dial `node` as it dials them (each has the other's endpoint) and whose public
    /// key for the network orders before `node`'s. Of two nodes that dial each other exactly one
    /// yields; a hidden node, which no one dials, yields nothing.
    public static func yielded(by node: IdentityID, inputs: [NodeDesiredState.Input]) -> Set<Key> {
        var result: Set<Key> = []
        for input in inputs {
            let deployment = input.deployment
            guard let mine = deployment.node(node) else { continue }
            let dialled = Set(mine.peers.filter { $0.endpoint != nil }.map(\.publicKey))
            for other in deployment.nodes where other.id != node && other.publicKey < mine.publicKey {
                guard dialled.contains(other.publicKey),
                    other.peers.contains(where: { $0.publicKey == mine.publicKey && $0.endpoint != nil })
                else { continue }
                result.insert(
                    Key(
                        namespace: deployment.network.id.namespaceName, interface: deployment.network.id.wireGuardInterface,
                        peer: other.publicKey))
            }
        }
        return result
    }
}
