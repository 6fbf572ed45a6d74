import Firewall
import NodeState
import ZmeshModel

/// A model of the kernel objects the agent touches, strict where the kernel is: it applies
/// ``NodeAction``s to a ``NodeSnapshot`` and refuses what the kernel would refuse (a link in a
/// namespace that does not exist, a name taken, a veth peer in a missing namespace, a route through
/// a missing or down link or via an unreachable gateway, an address on a missing link, a WireGuard
/// update on something else, a replace-all of peers). It also refuses redundant steps (adding an
/// address that is there, deleting what is not), so a plan that passes is minimal as well as valid.
///
/// The host is one namespace in the model: when the public side is the host, the snapshot's
/// `publicSide` and `host` (node setup's part: the link `ndmz`, the table `zmesh-host`, the
/// settings) are merged into it, and split again when the snapshot is read back.
struct KernelModel {
    struct Refusal: Error, CustomStringConvertible {
        var action: NodeAction
        var reason: String
        var description: String { "\(action): \(reason)" }
    }

    struct Place: Hashable {
        var namespace: NamespaceRef
        var link: InterfaceName
    }

    /// Named namespaces (the public side among them when it is named).
    var named: [String: NamespaceSnapshot] = [:]
    /// The host namespace, whole.
    var hostNamespace = NamespaceSnapshot()
    let publicSide: NamespaceRef
    /// veth ends by place, both ways.
    var peers: [Place: Place] = [:]

    /// The kernel as a snapshot: node setup's part of the host in `host`, the rest of the host in
    /// `publicSide` when the public side is the host.
    var snapshot: NodeSnapshot {
        get {
            var out = NodeSnapshot(namespaces: named)
            if let name = publicSide.name {
                // The agent's own `public` namespace is listed as a namespace too (the reader does so).
                if name != Ownership.publicNamespace { out.namespaces[name] = nil }
                out.publicSide = named[name] ?? NamespaceSnapshot()
                out.host = hostNamespace
            } else {
                (out.host, out.publicSide) = Self.split(hostNamespace)
            }
            return out
        }
        set {
            named = newValue.namespaces
            if let name = publicSide.name {
                named[name] = name == Ownership.publicNamespace ? newValue.namespaces[name] : newValue.publicSide
                hostNamespace = newValue.host
            } else {
                hostNamespace = Self.merge(newValue.publicSide, newValue.host)
            }
        }
    }

    static func isSetupObject(link: InterfaceName) -> Bool { link == Ownership.hostUplinkInterface }

    /// Node setup's part of the host, and the rest.
    static func split(_ host: NamespaceSnapshot) -> (setup: NamespaceSnapshot, rest: NamespaceSnapshot) {
        var setup = NamespaceSnapshot(settings: host.settings)
        var rest = host
        rest.settings = [:]
        setup.links = host.links.filter { isSetupObject(link: $0.key) }
        rest.links = host.links.filter { !isSetupObject(link: $0.key) }
        setup.tables = host.tables.filter { $0.key == .host }
        rest.tables = host.tables.filter { $0.key != .host }
        setup.routes = host.routes.filter { $0.device.map(isSetupObject(link:)) ?? false }
        rest.routes = host.routes.filter { !($0.device.map(isSetupObject(link:)) ?? false) }
        return (setup, rest)
    }

    static func merge(_ rest: NamespaceSnapshot, _ setup: NamespaceSnapshot) -> NamespaceSnapshot {
        var host = rest
        host.links.merge(setup.links) { $1 }
        host.tables.merge(setup.tables) { $1 }
        host.wireGuard.merge(setup.wireGuard) { $1 }
        host.settings.merge(setup.settings) { $1 }
        host.routes += setup.routes
        return host
    }

    init(_ snapshot: NodeSnapshot, publicSide: NamespaceRef = .host) {
        self.publicSide = publicSide
        self.snapshot = snapshot
        // The agent's veths as the planner assumes them: `ndmz` in n-<id> paired with `n-<id>` in
        // ndmz, and `ndmz` on the host paired with `host` in ndmz.
        guard let ndmz = snapshot.namespaces[Ownership.ndmzNamespace] else { return }
        if snapshot.host.links[Ownership.hostUplinkInterface]?.kind == "veth",
            ndmz.links[Ownership.ndmzUplinkInterface]?.kind == "veth"
        {
            pair(
                Place(namespace: .host, link: Ownership.hostUplinkInterface),
                Place(namespace: .named(Ownership.ndmzNamespace), link: Ownership.ndmzUplinkInterface))
        }
        for (name, namespace) in snapshot.namespaces {
            guard let id = Ownership.networkID(ofNamespace: name),
                namespace.links[Ownership.uplinkInterface]?.kind == "veth",
                ndmz.links[Ownership.ndmzInterface(of: id)]?.kind == "veth"
            else { continue }
            pair(
                Place(namespace: .named(name), link: Ownership.uplinkInterface),
                Place(namespace: .named(Ownership.ndmzNamespace), link: Ownership.ndmzInterface(of: id)))
        }
    }

    mutating func pair(_ a: Place, _ b: Place) {
        peers[a] = b
        peers[b] = a
    }

    static func apply(_ plan: ReconcilePlan, to snapshot: NodeSnapshot, publicSide: NamespaceRef = .host) throws
        -> NodeSnapshot
    {
        var model = KernelModel(snapshot, publicSide: publicSide)
        for action in plan.actions { try model.apply(action) }
        return model.snapshot
    }

    func get(_ namespace: NamespaceRef) -> NamespaceSnapshot? {
        switch namespace {
        case .host: hostNamespace
        case .named(let name): named[name]
        }
    }

    mutating func set(_ namespace: NamespaceRef, _ value: NamespaceSnapshot?) {
        switch namespace {
        case .host: hostNamespace = value ?? NamespaceSnapshot()
        case .named(let name): named[name] = value
        }
    }

    mutating func modify(
        _ namespace: NamespaceRef, _ action: NodeAction, _ body: (inout NamespaceSnapshot) throws -> Void
    ) throws {
        guard var ns = get(namespace) else { throw Refusal(action: action, reason: "no such namespace") }
        try body(&ns)
        set(namespace, ns)
    }

    /// Removes a link with its routes and device; a veth takes its peer along.
    mutating func removeLink(_ place: Place) {
        guard var ns = get(place.namespace) else { return }
        ns.links[place.link] = nil
        ns.wireGuard[place.link] = nil
        ns.routes.removeAll { $0.device == place.link }
        set(place.namespace, ns)
        if let peer = peers[place] {
            peers[place] = nil
            peers[peer] = nil
            removeLink(peer)
        }
    }

    mutating func apply(_ action: NodeAction) throws {
        func refuse(_ reason: String) -> Refusal { Refusal(action: action, reason: reason) }
        switch action {
        case .createNamespace(let name):
            guard named[name] == nil else { throw refuse("exists") }
            named[name] = NamespaceSnapshot(links: [
                ObservedLink(name: Ownership.loopback, kind: nil, mtu: 65536, isUp: false)
            ])
        case .deleteNamespace(let name):
            guard let ns = named[name] else { throw refuse("no such namespace") }
            for link in ns.links.keys { removeLink(Place(namespace: .named(name), link: link)) }
            named[name] = nil
        case .setSysctl(let namespace, let setting, let value):
            try modify(namespace, action) { $0.settings[setting] = value }
        case .createBridge(let namespace, let link, let mtu):
            try modify(namespace, action) { ns in
                guard ns.links[link] == nil else { throw refuse("name taken") }
                ns.links[link] = ObservedLink(name: link, kind: "bridge", mtu: mtu ?? 1500, isUp: false)
            }
        case .createVeth(let namespace, let link, let peer, let peerNamespace):
            guard let a = get(namespace), let b = get(peerNamespace) else { throw refuse("a namespace is missing") }
            guard a.links[link] == nil, b.links[peer] == nil else { throw refuse("name taken") }
            try modify(namespace, action) { $0.links[link] = ObservedLink(name: link, kind: "veth", isUp: false) }
            try modify(peerNamespace, action) { $0.links[peer] = ObservedLink(name: peer, kind: "veth", isUp: false) }
            pair(Place(namespace: namespace, link: link), Place(namespace: peerNamespace, link: peer))
        case .createMacvlan(let namespace, let link, _, let linkNamespace):
            // The parent is a host link the snapshot does not model; the macvlan must be new where it lives.
            guard get(namespace) != nil else { throw refuse("no namespace for the parent") }
            try modify(linkNamespace, action) { ns in
                guard ns.links[link] == nil else { throw refuse("name taken") }
                ns.links[link] = ObservedLink(name: link, kind: "macvlan", isUp: false)
            }
        case .createWireGuard(let namespace, let link, let mtu):
            try modify(namespace, action) { ns in
                guard ns.links[link] == nil else { throw refuse("name taken") }
                ns.links[link] = ObservedLink(name: link, kind: "wireguard", mtu: mtu, isUp: false)
                ns.wireGuard[link] = DeviceStatus(name: link)
            }
        case .moveLink(let namespace, let link, let target):
            guard let from = get(namespace), var observed = from.links[link] else { throw refuse("no such link") }
            guard let to = get(target) else { throw refuse("no target namespace") }
            guard to.links[link] == nil else { throw refuse("name taken in the target") }
            let device = from.wireGuard[link]
            let peer = peers[Place(namespace: namespace, link: link)]
            peers[Place(namespace: namespace, link: link)] = nil
            removeLink(Place(namespace: namespace, link: link))
            observed.isUp = false
            observed.addresses = []
            try modify(target, action) { ns in
                ns.links[link] = observed
                ns.wireGuard[link] = device
            }
            if let peer { pair(Place(namespace: target, link: link), peer) }
        case .deleteLink(let namespace, let link):
            guard get(namespace)?.links[link] != nil else { throw refuse("no such link") }
            removeLink(Place(namespace: namespace, link: link))
        case .setMTU(let namespace, let link, let mtu):
            try modify(namespace, action) { ns in
                guard ns.links[link] != nil else { throw refuse("no such link") }
                ns.links[link]?.mtu = mtu
            }
        case .setUp(let namespace, let link):
            try modify(namespace, action) { ns in
                guard ns.links[link] != nil else { throw refuse("no such link") }
                ns.links[link]?.isUp = true
            }
        case .addAddress(let namespace, let link, let address):
            try modify(namespace, action) { ns in
                guard let observed = ns.links[link] else { throw refuse("no such link") }
                guard !observed.addresses.contains(address) else { throw refuse("redundant: the address is there") }
                ns.links[link]?.addresses.insert(address)
            }
        case .deleteAddress(let namespace, let link, let address):
            try modify(namespace, action) { ns in
                guard ns.links[link]?.addresses.contains(address) == true else { throw refuse("no such address") }
                ns.links[link]?.addresses.remove(address)
            }
        case .replaceRoute(let namespace, let route):
            try modify(namespace, action) { ns in
                guard let device = ns.links[route.device] else { throw refuse("no such device") }
                guard device.isUp else { throw refuse("network is down") }
                if let gateway = route.gateway, !Self.isLinkLocal(gateway) {
                    let reachable = device.addresses.contains { address in
                        (try? IPPrefix(address.address, length: address.prefixLength))?.contains(gateway) == true
                    }
                    guard reachable else {
                        throw refuse("gateway \(gateway) is not on a connected subnet of \(route.device)")
                    }
                }
                guard !ns.routes.contains(ObservedRoute(route)) else { throw refuse("redundant: the route is there") }
                ns.routes.removeAll { $0.destination == route.destination && $0.metric == route.metric }
                ns.routes.append(ObservedRoute(route))
            }
        case .deleteRoute(let namespace, let route):
            try modify(namespace, action) { ns in
                guard let index = ns.routes.firstIndex(where: { $0.spec == route }) else {
                    throw refuse("no such route")
                }
                ns.routes.remove(at: index)
            }
        case .configureWireGuard(let namespace, let link, let update):
            guard !update.replacePeers else { throw refuse("replaces every peer") }
            try modify(namespace, action) { ns in
                guard let observed = ns.links[link], observed.kind == "wireguard" || observed.kind == "tun" else {
                    throw refuse("not a WireGuard link")
                }
                ns.wireGuard[link] = Self.applying(update, to: ns.wireGuard[link] ?? DeviceStatus(name: link))
            }
        case .applyTable(let namespace, let table):
            try modify(namespace, action) { $0.tables[table.name] = .content(table) }
        case .deleteTable(let namespace, let name):
            try modify(namespace, action) { $0.tables[name] = nil }
        }
    }

    static func isLinkLocal(_ address: IPAddress) -> Bool {
        guard case .v6(let v6) = address else { return false }
        return v6.high >> 54 == 0x3fa
    }

    /// What a device holds after `update` (the WireGuard configuration protocol's semantics).
    static func applying(_ update: DeviceUpdate, to status: DeviceStatus) -> DeviceStatus {
        var status = status
        if let key = update.privateKey { status.privateKey = key }
        if let port = update.listenPort { status.listenPort = port }
        if let fwmark = update.fwmark { status.fwmark = fwmark }
        if update.replacePeers { status.peers = [] }
        for change in update.peers {
            let index = status.peers.firstIndex { $0.publicKey == change.publicKey }
            if change.remove {
                if let index { status.peers.remove(at: index) }
                continue
            }
            if index == nil, change.updateOnly { continue }
            var peer = index.map { status.peers[$0].configuration } ?? PeerConfiguration(publicKey: change.publicKey)
            if let psk = change.presharedKey { peer.presharedKey = psk }
            if let endpoint = change.endpoint { peer.endpoint = endpoint }
            if let keepalive = change.persistentKeepalive { peer.persistentKeepalive = keepalive }
            if change.replaceAllowedIPs { peer.allowedIPs = [] }
            peer.allowedIPs.removeAll { change.removedAllowedIPs.contains($0) }
            for prefix in change.allowedIPs where !peer.allowedIPs.contains(prefix) { peer.allowedIPs.append(prefix) }
            if let index {
                status.peers[index].configuration = peer
            } else {
                status.peers.append(PeerStatus(configuration: peer))
            }
        }
        return status
    }
}
