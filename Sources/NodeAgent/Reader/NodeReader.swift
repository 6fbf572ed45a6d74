import Firewall
public import NodeState
import RouteNL
import SystemSupport
import WireGuardNL
import ZmeshModel

/// Reads the kernel into a ``NodeState/NodeSnapshot``, and only what the snapshot models: the agent's
/// namespaces (`ndmz` and `n-<id>` with a well-formed network id, found among the named namespaces
/// through ``NodeLayout``) in full — links with their addresses, main-table routes, `inet zmesh*`
/// tables, WireGuard devices of `w-<id>` links, the forwarding sysctls —, of the public side only
/// its `w-<id>` links (a create-then-move interrupted before the move), and of the host side only
/// node setup's objects (the link `ndmz`, the table `zmesh-host`, `net.ipv4.ip_forward`). When the
/// public side is the agent's `public` namespace (a node with a public configuration), that
/// namespace is read in full, as `namespaces["public"]` and as the public side. Foreign
/// namespaces are not entered; nothing is ever changed. Synchronous, like the modules it uses.
public struct NodeReader: Sendable {
    public var layout: NodeLayout
    public var recognisedTables: RecognisedTables

    public init(layout: NodeLayout = NodeLayout(), recognisedTables: RecognisedTables = RecognisedTables()) {
        self.layout = layout
        self.recognisedTables = recognisedTables
    }

    /// The agent's namespaces present now, by the agent's name, sorted.
    public func ownedNamespaces() throws(NodeReaderError) -> [String] {
        let names: [String]
        do {
            names = try NetworkNamespace.namedNamespaces()
        } catch {
            throw NodeReaderError(
                operation: "list", object: "named namespaces", namespace: NetworkNamespace.namedDirectory,
                cause: .system(error))
        }
        return names.compactMap(layout.agentName(of:)).filter { name in
            Ownership.ownsNamespace(name) || (name == Ownership.publicNamespace && layout.ownsPublicNamespace)
        }.sorted()
    }

    /// The snapshot of the whole node.
    public func read() throws(NodeReaderError) -> NodeSnapshot {
        let namespaces = try readOwnedNamespaces(where: { _ in true }) { name throws(NodeReaderError) in
            try readNamespace(.named(name))
        }
        // The agent's own `public` namespace is read whole, and is the public side as it is.
        let publicSide =
            layout.ownsPublicNamespace
            ? namespaces[Ownership.publicNamespace] ?? NamespaceSnapshot() : try readPublicSide()
        return NodeSnapshot(namespaces: namespaces, publicSide: publicSide, host: try readHost())
    }

    /// Only the WireGuard devices of the agent's NR namespaces (each namespace's `w-<id>` link and its
    /// device; no routes, tables or settings): what watching handshakes needs, at a fraction of a
    /// whole read's cost.
    public func readWireGuardDevices() throws(NodeReaderError) -> NodeSnapshot {
        let namespaces = try readOwnedNamespaces(where: { Ownership.networkID(ofNamespace: $0) != nil }) {
            name throws(NodeReaderError) in
            let namespace = layout.namespace(.named(name))
            let links = try readLinks(
                try openRouting(namespace, name), name, only: { Ownership.networkID(ofWireGuard: $0) != nil })
            return NamespaceSnapshot(links: links, wireGuard: try readWireGuard(links, namespace, name))
        }
        return NodeSnapshot(namespaces: namespaces)
    }

    /// `read` of each of the agent's namespaces that `include` accepts, by name; a namespace deleted
    /// between the listing and its read is left out (as the next read will say).
    private func readOwnedNamespaces(
        where include: (String) -> Bool, _ read: (String) throws(NodeReaderError) -> NamespaceSnapshot
    ) throws(NodeReaderError) -> [String: NamespaceSnapshot] {
        var namespaces: [String: NamespaceSnapshot] = [:]
        for name in try ownedNamespaces() where include(name) {
            do {
                namespaces[name] = try read(name)
            } catch {
                if !NetworkNamespace.exists(named: layout.hostName(of: name)) { continue }
                throw error
            }
        }
        return namespaces
    }

    /// Everything the snapshot models of one of the agent's namespaces.
    public func readNamespace(_ ref: NamespaceRef) throws(NodeReaderError) -> NamespaceSnapshot {
        let label = ref.name ?? "host namespace"
        let namespace = layout.namespace(ref)
        let routing = try openRouting(namespace, label)
        let links = try readLinks(routing, label, only: { _ in true })
        let routes = try readRoutes(routing, label)
        let tables = try readTables(namespace, ref, label, only: { _ in true })
        let wireGuard = try readWireGuard(links, namespace, label)
        let settings = try readSettings(namespace, label)
        return NamespaceSnapshot(links: links, routes: routes, tables: tables, wireGuard: wireGuard, settings: settings)
    }

    /// The public side's `w-<id>` links (with their addresses); nothing else of it.
    public func readPublicSide() throws(NodeReaderError) -> NamespaceSnapshot {
        let label = layout.publicSide.name ?? "host namespace"
        let routing = try openRouting(layout.namespace(layout.publicSide), label)
        let links = try readLinks(routing, label, only: { Ownership.networkID(ofWireGuard: $0) != nil })
        return NamespaceSnapshot(links: links)
    }

    /// Node setup's part of the host side: the link `ndmz` (the uplink's end) with its addresses,
    /// the table `zmesh-host`, `net.ipv4.ip_forward`; no other link, no route, no other table.
    public func readHost() throws(NodeReaderError) -> NamespaceSnapshot {
        let label = layout.hostSide.name ?? "host namespace"
        let namespace = layout.namespace(.host)
        let routing = try openRouting(namespace, label)
        let links = try readLinks(routing, label, only: { $0 == Ownership.hostUplinkInterface })
        let tables = try readTables(namespace, .host, label, only: { $0 == .host })
        let settings = try readSettings(namespace, label, [.ipv4Forwarding])
        return NamespaceSnapshot(links: links, tables: tables, settings: settings)
    }

    /// What node setup needs to know of the host side to protect it (``NodeState/NDMZUplink``): every
    /// address of its links but the uplink's own (loopback and link-local are left out by
    /// `NDMZUplink(hostAddresses:defaultGateways:)`), and the gateways of its default routes.
    public func hostUplink() throws(NodeReaderError) -> NDMZUplink {
        let label = layout.hostSide.name ?? "host namespace"
        let routing = try openRouting(layout.namespace(.host), label)
        let links = try readLinks(routing, label, only: { $0 != Ownership.hostUplinkInterface })
        let routes = try readRoutes(routing, label)
        let gateways = routes.filter { $0.destination.length == 0 }.compactMap(\.gateway)
        return NDMZUplink(
            hostAddresses: links.flatMap { $0.addresses.sorted() }, defaultGateways: Array(Set(gateways)))
    }

    // MARK: - Parts

    private func openRouting(_ namespace: NetworkNamespace?, _ label: String) throws(NodeReaderError) -> RouteNetlink {
        do {
            return try RouteNetlink(namespace: namespace)
        } catch {
            throw NodeReaderError(operation: "open", object: "rtnetlink", namespace: label, cause: .routeNL(error))
        }
    }

    private func readLinks(_ routing: RouteNetlink, _ label: String, only keep: (InterfaceName) -> Bool)
        throws(NodeReaderError) -> [ObservedLink]
    {
        let links: [Link]
        let addresses: [AddressEntry]
        do {
            links = try routing.links()
        } catch {
            throw NodeReaderError(operation: "list", object: "links", namespace: label, cause: .routeNL(error))
        }
        do {
            addresses = try routing.addresses()
        } catch {
            throw NodeReaderError(operation: "list", object: "addresses", namespace: label, cause: .routeNL(error))
        }
        var byIndex: [Int32: Set<AssignedAddress>] = [:]
        for entry in addresses {
            do {
                let address = try AssignedAddress(entry.address.address, prefixLength: entry.address.prefixLength)
                byIndex[entry.interfaceIndex, default: []].insert(address)
            } catch {
                throw NodeReaderError(
                    operation: "list", object: "addresses of \(entry.interfaceName)", namespace: label,
                    cause: .unexpected("\(error)"))
            }
        }
        var observed: [ObservedLink] = []
        for link in links {
            guard let name = try? InterfaceName(link.name) else {
                throw NodeReaderError(
                    operation: "list", object: "links", namespace: label,
                    cause: .unexpected("link name '\(link.name)' is not a valid interface name"))
            }
            guard keep(name) else { continue }
            observed.append(
                ObservedLink(
                    name: name, kind: link.kind?.rawValue, mtu: link.mtu, isUp: link.isUp,
                    addresses: byIndex[link.index] ?? []))
        }
        return observed
    }

    private func readRoutes(_ routing: RouteNetlink, _ label: String) throws(NodeReaderError) -> [ObservedRoute] {
        let routes: [Route]
        do {
            routes = try routing.routes(table: .main)
        } catch {
            throw NodeReaderError(operation: "list", object: "routes", namespace: label, cause: .routeNL(error))
        }
        return routes.map { route in
            ObservedRoute(
                destination: route.destination, gateway: route.gateway, device: route.device, metric: route.metric,
                routeProtocol: route.routeProtocol?.rawValue ?? ObservedRoute.staticProtocol)
        }
    }

    private func readTables(
        _ namespace: NetworkNamespace?, _ ref: NamespaceRef, _ label: String, only keep: (TableName) -> Bool
    ) throws(NodeReaderError) -> [TableName: ObservedTable] {
        var tables: [TableName: ObservedTable] = [:]
        do {
            let context = try NFTablesContext(namespace: namespace)
            for name in try context.tableNames() where keep(name) {
                guard let listing = try context.listTable(name) else { continue }  // deleted meanwhile
                tables[name] = recognisedTables.observed(name, listing: listing, in: ref)
            }
        } catch {
            throw NodeReaderError(operation: "list", object: "tables", namespace: label, cause: .firewall(error))
        }
        return tables
    }

    /// The devices of the `w-<id>` links: kernel `wireguard` links through generic netlink inside the
    /// namespace, `tun` links (wireguard-go) through their UAPI socket. A `tun` without a socket is
    /// not a WireGuard device the agent can read: it gets no entry (counts as unconfigured).
    private func readWireGuard(_ links: [ObservedLink], _ namespace: NetworkNamespace?, _ label: String)
        throws(NodeReaderError) -> [InterfaceName: DeviceStatus]
    {
        var devices: [InterfaceName: DeviceStatus] = [:]
        let directory = layout.wireGuardSocketDirectory
        for link in links where Ownership.networkID(ofWireGuard: link.name) != nil {
            let name = link.name
            let choice: BackendChoice
            switch link.kind {
            case "wireguard": choice = .kernel
            case "tun":
                guard UserspaceBackend(socketDirectory: directory).hasSocket(for: name) else { continue }
                choice = .userspace
            default: continue
            }
            let outcome: Result<DeviceStatus, WireGuardError>
            do {
                outcome = try Self.inside(namespace) { () -> Result<DeviceStatus, WireGuardError> in
                    Result { () throws(WireGuardError) -> DeviceStatus in
                        try WireGuardClient(choice: choice, socketDirectory: directory).device(name)
                    }
                }
            } catch {
                throw NodeReaderError(
                    operation: "read", object: "wireguard device \(name)", namespace: label, cause: .system(error))
            }
            switch outcome {
            case .success(let device): devices[name] = device
            case .failure(.noSuchDevice): continue  // deleted meanwhile
            case .failure(let error):
                throw NodeReaderError(
                    operation: "read", object: "wireguard device \(name)", namespace: label, cause: .wireGuard(error))
            }
        }
        return devices
    }

    private func readSettings(
        _ namespace: NetworkNamespace?, _ label: String, _ which: [NamespaceSetting] = NamespaceSetting.allCases
    ) throws(NodeReaderError) -> [NamespaceSetting: String] {
        var settings: [NamespaceSetting: String] = [:]
        for setting in which {
            let sysctl: Sysctl =
                switch setting {
                case .ipv4Forwarding: .ipv4Forwarding
                case .ipv6Forwarding: .ipv6Forwarding
                }
            do {
                if let namespace {
                    settings[setting] = try namespace.sysctl(sysctl)
                } else {
                    settings[setting] = try sysctl.read()
                }
            } catch {
                throw NodeReaderError(
                    operation: "read", object: "sysctl \(setting)", namespace: label, cause: .system(error))
            }
        }
        return settings
    }

    /// Runs `body` on a thread inside `namespace` (or the calling thread for `nil`).
    private static func inside<T: Sendable>(_ namespace: NetworkNamespace?, _ body: @escaping @Sendable () -> T)
        throws(SystemError) -> T
    {
        guard let namespace else { return body() }
        return try namespace.runReportingSystemErrors { () throws(SystemError) -> T in body() }
    }
}
