public import Deployments
public import Firewall
public import ZmeshCrypto
public import ZmeshModel

/// What the kernel of one node should hold: the ndmz namespace and one network resource (NR) per
/// network that spans the node. A pure function of the validated deployments, the node's opened
/// WireGuard keys and (to keep the ndmz egress addresses stable) the current snapshot.
public struct NodeDesiredState: Sendable, Equatable {
    /// Where WireGuard links are created (their UDP sockets stay there): the host, or the `public` namespace.
    public var publicSide: NamespaceRef
    public var ndmz: NDMZState
    /// Sorted by network id.
    public var resources: [NetworkResourceState]
    /// The `public` namespace (node setup with a ``PublicConfig``); `nil`: no namespace `public` is
    /// made or removed.
    public var publicNamespace: PublicNamespaceState?

    public init(
        publicSide: NamespaceRef = .host, ndmz: NDMZState = NDMZState(), resources: [NetworkResourceState] = [],
        publicNamespace: PublicNamespaceState? = nil
    ) {
        self.publicSide = publicSide
        self.ndmz = ndmz
        self.resources = resources.sorted { $0.id < $1.id }
        self.publicNamespace = publicNamespace
    }

    /// One network to deploy on this node: its validated deployment and this node's WireGuard
    /// private key for it (`ValidatedDeployment.Node.openPrivateKey(with:)`).
    public struct Input: Sendable {
        public var deployment: ValidatedDeployment
        public var privateKey: PrivateKey

        public init(deployment: ValidatedDeployment, privateKey: PrivateKey) {
            self.deployment = deployment
            self.privateKey = privateKey
        }
    }

    /// The desired state of node `node`. Deployments that do not span the node contribute nothing
    /// (their NRs are removed). Each NR's ndmz link gets a /31 of 100.127.0.0/16: the one it has in
    /// `current` when that is still free, otherwise one derived from the network id.
    ///
    /// With `uplink` (node setup), the ndmz gets its way out through the host (``NDMZUplinkState``)
    /// and, unless `ndmzPolicy` is given, the policy ``NDMZUplinkState/policy(_:)`` derives from
    /// `uplink`. Without it (the default), the host is not touched and the ndmz has no way out.
    ///
    /// With `public` (a dedicated public configuration), the node gets its `public` namespace
    /// (``PublicNamespaceState``, open to the WireGuard ports of the NRs) and the public side is that
    /// namespace, whatever `publicSide` says.
    ///
    /// - Throws: ``DesiredStateError`` listing every conflict between networks (the same network
    ///   twice, one listen port used by two networks); nothing is desired then, and the caller keeps
    ///   what runs.
    public init(
        node: IdentityID, inputs: [Input], publicSide: NamespaceRef = .host, uplink: NDMZUplink? = nil,
        ndmzPolicy: FirewallTable? = nil, current: NodeSnapshot? = nil, public publicConfig: PublicConfig? = nil
    ) throws(DesiredStateError) {
        var problems: [String] = []
        var seen: [NetworkID: NetworkName] = [:]
        var ports: [UInt16: NetworkID] = [:]
        var spanning: [(ValidatedDeployment, ValidatedDeployment.Node, PrivateKey)] = []
        for input in inputs {
            let network = input.deployment.network
            guard let mine = input.deployment.node(node) else { continue }
            if let other = seen[network.id] {
                problems.append("network \(network.name) (\(network.id)) is given twice (also as \(other))")
                continue
            }
            seen[network.id] = network.name
            if let other = ports[mine.listenPort] {
                problems.append(
                    "network \(network.name) (\(network.id)) and network \(other) both listen on UDP port \(mine.listenPort)"
                )
            }
            ports[mine.listenPort] = network.id
            spanning.append((input.deployment, mine, input.privateKey))
        }
        let slots = EgressAddressPlan(networks: Array(seen.keys), current: current)
        var resources: [NetworkResourceState] = []
        for (deployment, mine, key) in spanning {
            do {
                resources.append(
                    try NetworkResourceState(
                        deployment: deployment, node: mine, privateKey: key,
                        egress: slots.link(for: deployment.network.id)))
            } catch {
                problems.append("network \(deployment.network.name) (\(deployment.network.id)): \(error)")
            }
        }
        var policy = ndmzPolicy
        var uplinkState: NDMZUplinkState?
        if let uplink {
            do {
                uplinkState = try NDMZUplinkState()
                if policy == nil { policy = try NDMZUplinkState.policy(uplink) }
            } catch {
                problems += error.problems
            }
        }
        var publicState: PublicNamespaceState?
        if let publicConfig {
            do {
                publicState = try PublicNamespaceState(
                    config: publicConfig,
                    wireGuardPorts: resources.compactMap(\.wireGuard.configuration.listenPort).filter { $0 != 0 })
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw DesiredStateError(problems: problems) }
        self.init(
            publicSide: publicState == nil ? publicSide : .named(Ownership.publicNamespace),
            ndmz: NDMZState(policy: policy, uplink: uplinkState), resources: resources, publicNamespace: publicState)
    }
}

/// Why a desired state could not be computed.
public struct DesiredStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}

/// The node's ndmz namespace: forwarding on, `lo` up, the ndmz ends of the NRs' veths (which the
/// NRs describe), and with node setup its `zmesh-ndmz` policy table and its uplink through the
/// host. With `policy` `nil`, the diff leaves the ndmz's tables alone; with `uplink` `nil`, it
/// leaves the host and the ndmz's uplink alone (neither created nor removed).
public struct NDMZState: Sendable, Equatable {
    public var namespace: String { Ownership.ndmzNamespace }
    public var policy: FirewallTable?
    public var uplink: NDMZUplinkState?

    public init(policy: FirewallTable? = nil, uplink: NDMZUplinkState? = nil) {
        self.policy = policy
        self.uplink = uplink
    }
}

/// One network resource on this node: namespace `n-<id>` holding the WireGuard link `w-<id>`, the
/// workload bridge `b-<id>` and the veth `ndmz` to the ndmz namespace (whose end there is `n-<id>`),
/// the routes of the network's ranges into `w-<id>`, a default route to the ndmz, and the egress table.
public struct NetworkResourceState: Sendable, Equatable {
    public static let wireGuardMTU: UInt32 = 1420

    public let id: NetworkID
    /// `n-<id>`.
    public var namespace: String { id.namespaceName }
    public var wireGuard: WireGuardState
    public var bridge: LinkState
    /// The veth end in `n-<id>` (named `ndmz`).
    public var uplink: LinkState
    /// The veth end in the ndmz namespace (named `n-<id>`).
    public var ndmzEnd: LinkState
    /// Routes of the main table of `n-<id>`, through the links above.
    public var routes: [RouteSpec]
    /// `zmesh-nr` (``Firewall/NetworkResourceEgress``).
    public var egress: FirewallTable

    /// The WireGuard link: its link state and its device configuration.
    public struct WireGuardState: Sendable, Equatable {
        public var link: LinkState
        public var configuration: DeviceConfiguration
    }

    init(
        deployment: ValidatedDeployment, node: ValidatedDeployment.Node, privateKey: PrivateKey,
        egress link: EgressAddressPlan.Link
    ) throws {
        let network = deployment.network
        id = network.id
        guard let wireGuardAddress = node.wireGuardAddress, case .v4(let subnet4) = node.subnet.address,
            case .v6(let subnet6) = node.ipv6Subnet.address
        else { throw DesiredStateError(problems: ["the node's subnets are not an IPv4 /24 and an IPv6 /64"]) }
        let wireGuardName = id.wireGuardInterface
        wireGuard = WireGuardState(
            link: LinkState(
                name: wireGuardName, mtu: Self.wireGuardMTU,
                addresses: [try AssignedAddress(.v4(wireGuardAddress), prefixLength: 16)]),
            configuration: node.deviceConfiguration(privateKey: privateKey))
        bridge = LinkState(
            name: id.bridgeInterface, mtu: nil,
            addresses: [
                try AssignedAddress(.v4(IPv4Address(subnet4.value &+ 1)), prefixLength: Int(node.subnet.length)),
                try AssignedAddress(
                    .v6(IPv6Address(high: subnet6.high, low: subnet6.low &+ 1)),
                    prefixLength: Int(node.ipv6Subnet.length)),
            ])
        uplink = LinkState(
            name: Ownership.uplinkInterface, mtu: nil,
            addresses: [try AssignedAddress(.v4(link.resourceSide), prefixLength: 31)])
        ndmzEnd = LinkState(
            name: Ownership.ndmzInterface(of: id), mtu: nil,
            addresses: [try AssignedAddress(.v4(link.ndmzSide), prefixLength: 31)])
        routes = [
            RouteSpec(destination: network.ipv4Range, device: wireGuardName),
            RouteSpec(destination: network.ipv6Range, device: wireGuardName),
            RouteSpec(
                destination: try IPPrefix(.v4(IPv4Address(0)), length: 0), gateway: .v4(link.ndmzSide),
                device: Ownership.uplinkInterface),
        ]
        egress = try NetworkResourceEgress(
            uplink: Ownership.uplinkInterface, sources: [network.ipv4Range, network.ipv6Range]
        ).table()
    }

    /// The links of `n-<id>` the agent manages, in creation order.
    public var links: [LinkState] { [bridge, uplink, wireGuard.link] }
}

/// A link the agent manages: up, with exactly these addresses (besides the kernel's IPv6
/// link-local ones) and, when given, this MTU.
public struct LinkState: Sendable, Hashable {
    public var name: InterfaceName
    /// `nil`: whatever the kernel chose.
    public var mtu: UInt32?
    public var addresses: Set<AssignedAddress>

    public init(name: InterfaceName, mtu: UInt32?, addresses: Set<AssignedAddress>) {
        self.name = name
        self.mtu = mtu
        self.addresses = addresses
    }
}

/// The /31 of 100.127.0.0/16 each NR's veth gets: slot k (1…32767) is `100.127.0.0 + 2k` on the
/// ndmz end (the NR's gateway) and `+ 2k + 1` in the NR (the address its egress is masqueraded to,
/// then masqueraded again in the ndmz). Stateless and stable: a slot in use (read from the snapshot)
/// is kept; a new NR takes the slot derived from its id (15 bits of it), or the next free one.
struct EgressAddressPlan {
    struct Link: Hashable {
        var ndmzSide: IPv4Address
        var resourceSide: IPv4Address
    }

    static let slots = 32767
    private var slotByNetwork: [NetworkID: Int] = [:]

    init(networks: [NetworkID], current: NodeSnapshot?) {
        var taken: Set<Int> = []
        let wanted = Set(networks)
        // Adopt what runs, in id order, so that two NRs claiming one slot resolve the same way every time.
        for id in networks.sorted() {
            guard let slot = current.flatMap({ Self.currentSlot(of: id, in: $0) }), !taken.contains(slot) else {
                continue
            }
            slotByNetwork[id] = slot
            taken.insert(slot)
        }
        for id in networks.sorted() where slotByNetwork[id] == nil && wanted.contains(id) {
            var slot = Self.preferredSlot(id)
            while taken.contains(slot) { slot = slot % Self.slots + 1 }
            slotByNetwork[id] = slot
            taken.insert(slot)
        }
    }

    func link(for id: NetworkID) -> Link {
        let slot = slotByNetwork[id] ?? Self.preferredSlot(id)
        let base = Self.base.value &+ UInt32(2 * slot)
        return Link(ndmzSide: IPv4Address(base), resourceSide: IPv4Address(base &+ 1))
    }

    static var base: IPv4Address {
        guard case .v4(let address) = ReservedRanges.ndmz.address else { preconditionFailure("the ndmz range is IPv4") }
        return address
    }

    /// 1…32767 from the first three base32 characters of the id (15 bits).
    static func preferredSlot(_ id: NetworkID) -> Int {
        var value = 0
        for byte in id.rawValue.utf8.prefix(3) {
            let digit = byte >= UInt8(ascii: "a") ? Int(byte - UInt8(ascii: "a")) : Int(byte - UInt8(ascii: "2")) + 26
            value = value << 5 | digit
        }
        return value % slots + 1
    }

    /// The slot of the /31 on the NR's `ndmz` link in the snapshot, if it is one of ours.
    static func currentSlot(of id: NetworkID, in snapshot: NodeSnapshot) -> Int? {
        guard let link = snapshot.namespaces[id.namespaceName]?.links[Ownership.uplinkInterface] else { return nil }
        for address in link.addresses.sorted() where address.prefixLength == 31 {
            guard case .v4(let v4) = address.address, ReservedRanges.ndmz.contains(address.address) else { continue }
            let offset = Int(v4.value &- base.value)
            guard offset % 2 == 1 else { continue }
            let slot = (offset - 1) / 2
            if slot >= 1, slot <= slots { return slot }
        }
        return nil
    }
}
