internal import Deployments
internal import Firewall
internal import ZmeshModel

/// The actions that take a node from a snapshot to its desired state, in an order the kernel
/// accepts. Empty when the snapshot already is the desired state (idempotence); applying the
/// actions and reading again gives an empty plan (convergence in one pass).
///
/// Order:
/// 1. the ndmz namespace (its settings, `lo`): every NR's veth ends there;
/// 2. node setup, when the desired state has it: the ndmz policy table, then the uplink — the
///    host's `zmesh-host` table, forwarding on the host, the veth host `ndmz` ↔ ndmz `host`, its
///    addresses, up, the ndmz's default route (isolation is in place before there is a way out);
/// 3. removals of NRs no longer desired (their ndmz veth end, a `w-<id>` left on the public side,
///    their namespace), so their UDP ports are free before another network takes them;
/// 4. each desired NR in network-id order: namespace, settings, `lo`; bridge; veth; WireGuard (created
///    on the public side and moved in, or adopted), its configuration before it comes up; MTUs,
///    stale addresses out, missing addresses in, links up; stale routes out, missing routes in (after
///    the links and addresses they need); the egress table.
///
/// Everything passes ``Ownership/permits(_:publicSide:)``; an action that would not is kept out
/// of ``actions`` and listed in ``refused`` (never, unless the planner has a bug: tests check it).
public struct ReconcilePlan: Sendable, Equatable, CustomStringConvertible {
    public private(set) var actions: [NodeAction] = []
    public private(set) var refused: [NodeAction] = []

    public var isEmpty: Bool { actions.isEmpty }
    public var description: String { actions.map(\.description).joined(separator: "\n") }

    /// The plan from `actual` to `desired`.
    public init(from actual: NodeSnapshot, to desired: NodeDesiredState) {
        var builder = Builder(actual: actual, publicSide: desired.publicSide)
        builder.ndmz(desired.ndmz)
        builder.ndmzPolicy(desired.ndmz)
        if let uplink = desired.ndmz.uplink { builder.uplink(uplink) }
        if let publicNamespace = desired.publicNamespace { builder.publicNamespace(publicNamespace) }
        let wanted = Set(desired.resources.map(\.id))
        builder.remove(networks: builder.presentNetworks().subtracting(wanted))
        for resource in desired.resources { builder.resource(resource) }
        self.init(builder.actions, publicSide: desired.publicSide)
    }

    /// The plan that removes everything the agent owns (`zmesh node --teardown`): every NR, the
    /// uplink's end on the host and the `zmesh-host` table, then the ndmz namespace. Nothing else is
    /// touched: a host link `ndmz` is the agent's only when it is a veth and the ndmz holds the veth
    /// `host` (its peer); otherwise it, and `zmesh-host` with it, belong to someone else's uplink
    /// (another agent's on the same host, say). The host's forwarding setting stays as it is (other
    /// software may rely on it).
    public static func teardown(_ actual: NodeSnapshot, publicSide: NamespaceRef = .host) -> ReconcilePlan {
        var builder = Builder(actual: actual, publicSide: publicSide)
        builder.remove(networks: builder.presentNetworks())
        let hostEnd = actual.host.links[Ownership.hostUplinkInterface]
        let ours = builder.ownsHostUplinkEnd
        if ours { builder.actions.append(.deleteLink(.host, Ownership.hostUplinkInterface)) }
        if actual.host.tables[.host] != nil, ours || hostEnd == nil {
            builder.actions.append(.deleteTable(.host, .host))
        }
        if actual.namespaces[Ownership.ndmzNamespace] != nil {
            builder.actions.append(.deleteNamespace(Ownership.ndmzNamespace))
        }
        // The `public` namespace is the agent's only when it is the public side (see ``Ownership``);
        // it goes after the NRs, whose WireGuard sockets live there, and takes its macvlan and table along.
        if publicSide == .named(Ownership.publicNamespace), actual.namespaces[Ownership.publicNamespace] != nil {
            builder.actions.append(.deleteNamespace(Ownership.publicNamespace))
        }
        return ReconcilePlan(builder.actions, publicSide: publicSide)
    }

    private init(_ candidates: [NodeAction], publicSide: NamespaceRef) {
        for action in candidates {
            if Ownership.permits(action, publicSide: publicSide) {
                actions.append(action)
            } else {
                refused.append(action)
            }
        }
    }
}

private struct Builder {
    let actual: NodeSnapshot
    let publicSide: NamespaceRef
    var actions: [NodeAction] = []

    init(actual: NodeSnapshot, publicSide: NamespaceRef) {
        self.actual = actual
        self.publicSide = publicSide
    }

    var ndmzRef: NamespaceRef { .named(Ownership.ndmzNamespace) }
    var ndmzSnapshot: NamespaceSnapshot? { actual.namespaces[Ownership.ndmzNamespace] }

    /// Whether the host's `ndmz` is the agent's: a veth, with the ndmz holding the veth `host` (taken
    /// for its peer, as the NRs' veths are).
    var ownsHostUplinkEnd: Bool {
        actual.host.links[Ownership.hostUplinkInterface]?.kind == "veth"
            && ndmzSnapshot?.links[Ownership.ndmzUplinkInterface]?.kind == "veth"
    }

    /// The networks with something of the agent's on this node: an `n-<id>` namespace, an `n-<id>`
    /// link in the ndmz, a `w-<id>` link on the public side.
    func presentNetworks() -> Set<NetworkID> {
        var ids = Set(actual.namespaces.keys.compactMap(Ownership.networkID(ofNamespace:)))
        for name in ndmzSnapshot.map({ Array($0.links.keys) }) ?? [] {
            if let id = Ownership.networkID(ofNDMZInterface: name) { ids.insert(id) }
        }
        for name in actual.publicSide.links.keys {
            if let id = Ownership.networkID(ofWireGuard: name) { ids.insert(id) }
        }
        return ids
    }

    mutating func ndmz(_ state: NDMZState) {
        let name = state.namespace
        if ndmzSnapshot == nil { actions.append(.createNamespace(name)) }
        namespaceBasics(.named(name), ndmzSnapshot ?? NamespaceSnapshot())
    }

    mutating func ndmzPolicy(_ state: NDMZState) {
        guard let policy = state.policy else { return }
        tables(ndmzRef, ndmzSnapshot ?? NamespaceSnapshot(), desired: [policy])
    }

    /// The host's table and forwarding, the veth host `ndmz` ↔ ndmz `host` (kept if both ends are
    /// veths; otherwise the ndmz's end, if any, goes and the pair is made again — a host link `ndmz`
    /// that is not paired with a veth `host` in the ndmz is not the agent's: it stays, and creating
    /// the veth fails naming it), its addresses and up state, the ndmz's routes through it.
    mutating func uplink(_ state: NDMZUplinkState) {
        let host = actual.host
        let ndmz = ndmzSnapshot ?? NamespaceSnapshot()
        if host.tables[state.hostTable.name] != .content(state.hostTable) {
            actions.append(.applyTable(.host, state.hostTable))
        }
        if host.settings[.ipv4Forwarding] != "1" { actions.append(.setSysctl(.host, .ipv4Forwarding, "1")) }
        let hostEnd = host.links[state.hostEnd.name]
        let ndmzEnd = ndmz.links[state.ndmzEnd.name]
        var recreated: Set<InterfaceName> = []
        if let hostEnd, let ndmzEnd, hostEnd.kind == "veth", ndmzEnd.kind == "veth" {
            converge(state.hostEnd, in: .host, observed: hostEnd)
            converge(state.ndmzEnd, in: ndmzRef, observed: ndmzEnd)
        } else {
            if ndmzEnd != nil { actions.append(.deleteLink(ndmzRef, state.ndmzEnd.name)) }
            actions.append(.createVeth(.host, state.hostEnd.name, peer: state.ndmzEnd.name, peerNamespace: ndmzRef))
            // Someone else's `ndmz` on the host (had it been the agent's, its peer `host` would be in
            // the ndmz): the create fails and says so; nothing is done to that link.
            if hostEnd != nil { return }
            recreated.insert(state.ndmzEnd.name)
            converge(state.hostEnd, in: .host, observed: Self.fresh(state.hostEnd.name, kind: "veth", mtu: 1500))
            converge(state.ndmzEnd, in: ndmzRef, observed: Self.fresh(state.ndmzEnd.name, kind: "veth", mtu: 1500))
        }
        routes(ndmzRef, ndmz, desired: state.routes, managed: [state.ndmzEnd.name], recreated: recreated)
    }

    /// The `public` namespace: created if missing, forwarding off, `lo` up; its `zmesh-public` table
    /// (before the macvlan comes up); the macvlan `public` (kept if it is a macvlan, otherwise what has
    /// its name goes and it is created again from the host on its parent), its addresses, up; its
    /// default routes. A macvlan already there is not checked for its parent (the snapshot does not
    /// say which it is): a changed public interface needs the link deleted (or a teardown).
    mutating func publicNamespace(_ state: PublicNamespaceState) {
        let ref = NamespaceRef.named(state.namespace)
        let existing = actual.namespaces[state.namespace]
        if existing == nil { actions.append(.createNamespace(state.namespace)) }
        let snapshot = existing ?? NamespaceSnapshot()
        for setting in NamespaceSetting.allCases where snapshot.settings[setting] != "0" {
            actions.append(.setSysctl(ref, setting, "0"))
        }
        if snapshot.links[Ownership.loopback]?.isUp != true { actions.append(.setUp(ref, Ownership.loopback)) }
        tables(ref, snapshot, desired: [state.table])
        var recreated: Set<InterfaceName> = []
        if let link = snapshot.links[state.link.name], link.kind == "macvlan" {
            converge(state.link, in: ref, observed: link)
        } else {
            if snapshot.links[state.link.name] != nil { actions.append(.deleteLink(ref, state.link.name)) }
            actions.append(.createMacvlan(.host, state.link.name, parent: state.parent, linkNamespace: ref))
            recreated.insert(state.link.name)
            converge(state.link, in: ref, observed: Self.fresh(state.link.name, kind: "macvlan", mtu: 1500))
        }
        routes(ref, snapshot, desired: state.routes, managed: [state.link.name], recreated: recreated)
    }

    mutating func remove(networks: Set<NetworkID>) {
        for id in networks.sorted() {
            let ndmzEnd = Ownership.ndmzInterface(of: id)
            if ndmzSnapshot?.links[ndmzEnd] != nil { actions.append(.deleteLink(ndmzRef, ndmzEnd)) }
            if actual.publicSide.links[id.wireGuardInterface] != nil {
                actions.append(.deleteLink(publicSide, id.wireGuardInterface))
            }
            if actual.namespaces[id.namespaceName] != nil { actions.append(.deleteNamespace(id.namespaceName)) }
        }
    }

    /// Forwarding on and `lo` up.
    mutating func namespaceBasics(_ namespace: NamespaceRef, _ snapshot: NamespaceSnapshot) {
        for setting in NamespaceSetting.allCases where snapshot.settings[setting] != "1" {
            actions.append(.setSysctl(namespace, setting, "1"))
        }
        if snapshot.links[Ownership.loopback]?.isUp != true { actions.append(.setUp(namespace, Ownership.loopback)) }
    }

    mutating func resource(_ nr: NetworkResourceState) {
        let ns = NamespaceRef.named(nr.namespace)
        let existing = actual.namespaces[nr.namespace]
        if existing == nil { actions.append(.createNamespace(nr.namespace)) }
        let snapshot = existing ?? NamespaceSnapshot()
        namespaceBasics(ns, snapshot)
        var recreated: Set<InterfaceName> = []
        var links: [(LinkState, NamespaceRef, ObservedLink)] = []

        // The bridge.
        let bridge = snapshot.links[nr.bridge.name]
        if let bridge, bridge.kind == "bridge" {
            links.append((nr.bridge, ns, bridge))
        } else {
            if bridge != nil { actions.append(.deleteLink(ns, nr.bridge.name)) }
            actions.append(.createBridge(ns, nr.bridge.name, mtu: nr.bridge.mtu))
            recreated.insert(nr.bridge.name)
            links.append((nr.bridge, ns, Self.fresh(nr.bridge.name, kind: "bridge", mtu: nr.bridge.mtu ?? 1500)))
        }

        // The veth pair: both ends must be veths; otherwise whatever is there goes and the pair is made again.
        let uplink = snapshot.links[nr.uplink.name]
        let ndmzEnd = ndmzSnapshot?.links[nr.ndmzEnd.name]
        if let uplink, let ndmzEnd, uplink.kind == "veth", ndmzEnd.kind == "veth" {
            links.append((nr.uplink, ns, uplink))
            links.append((nr.ndmzEnd, ndmzRef, ndmzEnd))
        } else {
            if ndmzEnd != nil { actions.append(.deleteLink(ndmzRef, nr.ndmzEnd.name)) }
            if uplink != nil { actions.append(.deleteLink(ns, nr.uplink.name)) }
            actions.append(.createVeth(ns, nr.uplink.name, peer: nr.ndmzEnd.name, peerNamespace: ndmzRef))
            recreated.insert(nr.uplink.name)
            links.append((nr.uplink, ns, Self.fresh(nr.uplink.name, kind: "veth", mtu: nr.uplink.mtu ?? 1500)))
            links.append((nr.ndmzEnd, ndmzRef, Self.fresh(nr.ndmzEnd.name, kind: "veth", mtu: nr.ndmzEnd.mtu ?? 1500)))
        }

        // WireGuard: adopted where it is, moved in from the public side, or created there and moved in.
        let wgName = nr.wireGuard.link.name
        let wgMTU = nr.wireGuard.link.mtu ?? NetworkResourceState.wireGuardMTU
        var status = DeviceStatus(name: wgName)
        if let link = snapshot.links[wgName], Self.isWireGuard(link) {
            status = snapshot.wireGuard[wgName] ?? status
            links.append((nr.wireGuard.link, ns, link))
            // A second one left on the public side by an interrupted create-then-move: not needed.
            if actual.publicSide.links[wgName] != nil { actions.append(.deleteLink(publicSide, wgName)) }
        } else {
            if snapshot.links[wgName] != nil { actions.append(.deleteLink(ns, wgName)) }
            let stray = actual.publicSide.links[wgName]
            if let stray, Self.isWireGuard(stray) {
                status = actual.publicSide.wireGuard[wgName] ?? status
                links.append((nr.wireGuard.link, ns, Self.fresh(wgName, kind: stray.kind, mtu: stray.mtu)))
            } else {
                if stray != nil { actions.append(.deleteLink(publicSide, wgName)) }
                actions.append(.createWireGuard(publicSide, wgName, mtu: wgMTU))
                links.append((nr.wireGuard.link, ns, Self.fresh(wgName, kind: "wireguard", mtu: wgMTU)))
            }
            actions.append(.moveLink(publicSide, wgName, to: ns))
            recreated.insert(wgName)
        }
        let update = DeviceUpdate(from: status, to: nr.wireGuard.configuration)
        if !update.isEmpty { actions.append(.configureWireGuard(ns, wgName, update)) }

        for (state, namespace, observed) in links { converge(state, in: namespace, observed: observed) }
        routes(ns, snapshot, desired: nr.routes, managed: Set(nr.links.map(\.name)), recreated: recreated)
        tables(ns, snapshot, desired: [nr.egress])
    }

    /// MTU, stale addresses out, missing addresses in, up. IPv6 link-local addresses are the kernel's.
    mutating func converge(_ state: LinkState, in namespace: NamespaceRef, observed: ObservedLink) {
        if let mtu = state.mtu, observed.mtu != mtu { actions.append(.setMTU(namespace, state.name, mtu)) }
        for address in observed.addresses.sorted() where !state.addresses.contains(address) && !address.isIPv6LinkLocal
        {
            actions.append(.deleteAddress(namespace, state.name, address))
        }
        for address in state.addresses.sorted() where !observed.addresses.contains(address) {
            actions.append(.addAddress(namespace, state.name, address))
        }
        if !observed.isUp { actions.append(.setUp(namespace, state.name)) }
    }

    /// Static routes through the NR's links that are not desired go; desired routes not there come
    /// (`replace`: one route per destination and metric). Routes through a re-created link are gone
    /// with the old link. Routes of other protocols, or through other links, are never touched.
    mutating func routes(
        _ namespace: NamespaceRef, _ snapshot: NamespaceSnapshot, desired: [RouteSpec], managed: Set<InterfaceName>,
        recreated: Set<InterfaceName>
    ) {
        let present = snapshot.routes.filter { route in route.device.map { !recreated.contains($0) } ?? true }
        let desiredKeys = Set(desired.map(\.key))
        let stale = present.filter { $0.routeProtocol == ObservedRoute.staticProtocol }.compactMap(\.spec).filter {
            managed.contains($0.device) && !desiredKeys.contains($0.key)
        }
        for route in Set(stale).sorted() { actions.append(.deleteRoute(namespace, route)) }
        let presentSpecs = Set(present.compactMap(\.spec))
        for route in desired where !presentSpecs.contains(route) {
            actions.append(.replaceRoute(namespace, route))
        }
    }

    /// Desired tables applied unless their content is known to match; other zmesh tables deleted.
    mutating func tables(_ namespace: NamespaceRef, _ snapshot: NamespaceSnapshot, desired: [FirewallTable]) {
        let names = Set(desired.map(\.name))
        for name in snapshot.tables.keys.sorted() where !names.contains(name) {
            actions.append(.deleteTable(namespace, name))
        }
        for table in desired where snapshot.tables[table.name] != .content(table) {
            actions.append(.applyTable(namespace, table))
        }
    }

    static func isWireGuard(_ link: ObservedLink) -> Bool { link.kind == "wireguard" || link.kind == "tun" }

    /// A link as it is right after creation or a move: down, without addresses.
    static func fresh(_ name: InterfaceName, kind: String?, mtu: UInt32) -> ObservedLink {
        ObservedLink(name: name, kind: kind, mtu: mtu, isUp: false, addresses: [])
    }
}
