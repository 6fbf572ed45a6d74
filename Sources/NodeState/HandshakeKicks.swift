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
/// Pure: the caller reads the devices and gives the time.
public struct HandshakeKicks: Sendable {
    /// One peer of one of the agent's WireGuard devices.
    public struct Key: Hashable, Sendable {
        public var namespace: String
        public var interface: InterfaceName
        public var peer: WireGuardKey
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
    /// namespaces. Forgets peers that have a handshake or are gone.
    public mutating func due(in snapshot: NodeSnapshot, at now: ContinuousClock.Instant) -> [NodeAction] {
        var seen: Set<Key> = []
        var actions: [NodeAction] = []
        for (namespace, contents) in snapshot.namespaces.sorted(by: { $0.key < $1.key })
        where Ownership.networkID(ofNamespace: namespace) != nil {
            for (interface, device) in contents.wireGuard.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                for peer in device.peers
                where peer.lastHandshake == nil && peer.configuration.endpoint != nil && peer.transmittedBytes > 0 {
                    let key = Key(namespace: namespace, interface: interface, peer: peer.configuration.publicKey)
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
