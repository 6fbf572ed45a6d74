import Deployments
import Firewall
import Logging
import NodeState
import RouteNL
import SystemSupport
import WireGuardNL
import ZmeshModel

/// Makes the one call a ``NodeState/NodeAction`` stands for, in the namespace it names (mapped
/// through the ``NodeLayout``), and keeps the reconciler's memory in step: a table applied is listed
/// back and remembered, a table or namespace deleted is forgotten; a `w-<id>` removed waits for its
/// wireguard-go to exit.
struct ActionRunner: Sendable {
    let layout: NodeLayout
    let backend: WireGuardBackendKind
    let memory: TableMemory
    let daemons: UserspaceDaemons

    func apply(_ action: NodeAction) throws(ApplyError) {
        switch action {
        case .createNamespace(let name):
            try attempt(action) { () throws(SystemError) in _ = try NetworkNamespace.create(named: layout.hostName(of: name)) }
        case .deleteNamespace(let name):
            let served = wireGuardInterface(ofNamespace: name)
            let pids = served.flatMap(daemons.process(serving:)).map { [$0] } ?? []
            if let served, !pids.isEmpty {
                // The TUN goes first, so its wireguard-go exits at once: left to the namespace's
                // destruction, which the kernel finishes asynchronously, it lived on for seconds.
                try? routing(action, .named(name)) { routing throws(RouteNLError) in try routing.deleteLink(served) }
            }
            try attempt(action) { () throws(SystemError) in try NetworkNamespace.delete(named: layout.hostName(of: name)) }
            memory.forgetNamespace(.named(name))
            if let served { daemons.finish(pids, of: served) }
        case .setSysctl(let ref, let setting, let value):
            let sysctl: Sysctl =
                switch setting {
                case .ipv4Forwarding: .ipv4Forwarding
                case .ipv6Forwarding: .ipv6Forwarding
                }
            try attempt(action) { () throws(SystemError) in
                if let namespace = layout.namespace(ref) {
                    try namespace.setSysctl(sysctl, to: value)
                } else {
                    try sysctl.write(value)
                }
            }
        case .createBridge(let ref, let link, let mtu):
            try routing(action, ref) { routing throws(RouteNLError) in _ = try routing.createBridge(link, mtu: mtu) }
        case .createVeth(let ref, let link, let peer, let peerRef):
            let peerNamespace = try namespace(action, peerRef)
            try routing(action, ref) { routing throws(RouteNLError) in
                _ = try routing.createVeth(link, peer: peer, peerNamespace: peerNamespace)
            }
        case .createMacvlan(let ref, let link, let parent, let linkRef):
            let linkNamespace = try namespace(action, linkRef)
            try routing(action, ref) { routing throws(RouteNLError) in
                _ = try routing.createMacvlan(link, parent: parent, mode: .bridge, namespace: linkNamespace)
            }
        case .createWireGuard(let ref, let link, let mtu):
            try createWireGuard(action, ref, link, mtu: mtu)
        case .moveLink(let ref, let link, let target):
            let targetNamespace = try namespace(action, target)
            try routing(action, ref) { routing throws(RouteNLError) in try routing.move(link, to: targetNamespace) }
        case .deleteLink(let ref, let link):
            let pids = Ownership.networkID(ofWireGuard: link) != nil ? daemons.process(serving: link).map { [$0] } ?? [] : []
            try routing(action, ref) { routing throws(RouteNLError) in try routing.deleteLink(link) }
            if !pids.isEmpty { daemons.finish(pids, of: link) }
        case .setMTU(let ref, let link, let mtu):
            try routing(action, ref) { routing throws(RouteNLError) in try routing.setMTU(link, mtu) }
        case .setUp(let ref, let link):
            try routing(action, ref) { routing throws(RouteNLError) in try routing.setUp(link) }
        case .addAddress(let ref, let link, let address):
            let value = try interfaceAddress(action, address)
            try routing(action, ref) { routing throws(RouteNLError) in try routing.replaceAddress(value, on: link) }
        case .deleteAddress(let ref, let link, let address):
            let value = try interfaceAddress(action, address)
            try routing(action, ref) { routing throws(RouteNLError) in try routing.deleteAddress(value, from: link) }
        case .replaceRoute(let ref, let spec):
            try routing(action, ref) { routing throws(RouteNLError) in try routing.replaceRoute(Self.route(spec)) }
        case .deleteRoute(let ref, let spec):
            try routing(action, ref) { routing throws(RouteNLError) in try routing.deleteRoute(Self.route(spec)) }
        case .configureWireGuard(let ref, let link, let update):
            try configureWireGuard(action, ref, link, update)
        case .applyTable(let ref, let table):
            let listing = try firewall(action, ref) { context throws(FirewallError) -> String? in
                try context.apply(table)
                return try context.listTable(table.name)
            }
            if let listing { memory.remember(table, listing: listing, in: ref) }
        case .deleteTable(let ref, let name):
            try firewall(action, ref) { context throws(FirewallError) -> Void in try context.deleteTable(name) }
            memory.forget(name, in: ref)
        }
    }

    // MARK: - WireGuard

    private func createWireGuard(_ action: NodeAction, _ ref: NamespaceRef, _ link: InterfaceName, mtu: UInt32)
        throws(ApplyError)
    {
        switch backend {
        case .kernel:
            try routing(action, ref) { routing throws(RouteNLError) in _ = try routing.createWireGuard(link, mtu: mtu) }
        case .userspace:
            let namespace = layout.namespace(ref)
            do {
                _ = try daemons.start(link, in: namespace)
            } catch {
                throw ApplyError(action, operation: "start wireguard-go for", cause: .wireGuard(error))
            }
            // wireguard-go makes its TUN with MTU 1420; the plan counts on the MTU asked for.
            try routing(action, ref) { routing throws(RouteNLError) in
                if try routing.link(named: link).mtu != mtu { try routing.setMTU(link, mtu) }
            }
        }
    }

    /// Over the daemon's UAPI socket when one answers for the link (wireguard-go, wherever its TUN
    /// is); otherwise over generic netlink from a thread inside the link's namespace (kernel device).
    private func configureWireGuard(
        _ action: NodeAction, _ ref: NamespaceRef, _ link: InterfaceName, _ update: DeviceUpdate
    ) throws(ApplyError) {
        let directory = layout.wireGuardSocketDirectory
        if UserspaceBackend(socketDirectory: directory).hasSocket(for: link) {
            do {
                try WireGuardClient(choice: .userspace, socketDirectory: directory).set(link, update)
            } catch {
                throw ApplyError(action, cause: .wireGuard(error))
            }
            return
        }
        let outcome: Result<Void, WireGuardError>
        do {
            let body: @Sendable () -> Result<Void, WireGuardError> = {
                Result { () throws(WireGuardError) -> Void in try WireGuardClient(choice: .kernel).set(link, update) }
            }
            if let namespace = layout.namespace(ref) {
                outcome = try namespace.runReportingSystemErrors { () throws(SystemError) in body() }
            } else {
                outcome = body()
            }
        } catch {
            throw ApplyError(action, cause: .system(error))
        }
        if case .failure(let error) = outcome { throw ApplyError(action, cause: .wireGuard(error)) }
    }

    /// `w-<id>` for the namespace `n-<id>`.
    private func wireGuardInterface(ofNamespace name: String) -> InterfaceName? {
        Ownership.networkID(ofNamespace: name)?.wireGuardInterface
    }

    // MARK: - Calls

    private func attempt(_ action: NodeAction, _ body: () throws(SystemError) -> Void) throws(ApplyError) {
        do { try body() } catch { throw ApplyError(action, cause: .system(error)) }
    }

    private func routing(_ action: NodeAction, _ ref: NamespaceRef, _ body: (RouteNetlink) throws(RouteNLError) -> Void)
        throws(ApplyError)
    {
        do {
            try body(try RouteNetlink(namespace: layout.namespace(ref)))
        } catch {
            throw ApplyError(action, cause: .routeNL(error))
        }
    }

    @discardableResult
    private func firewall<T>(_ action: NodeAction, _ ref: NamespaceRef, _ body: (NFTablesContext) throws(FirewallError) -> T)
        throws(ApplyError) -> T
    {
        do {
            return try body(try NFTablesContext(namespace: layout.namespace(ref)))
        } catch {
            throw ApplyError(action, cause: .firewall(error))
        }
    }

    /// A namespace that links go to: named ones through the layout; the host is the agent's own
    /// (its main thread's).
    private func namespace(_ action: NodeAction, _ ref: NamespaceRef) throws(ApplyError) -> NetworkNamespace {
        layout.namespace(ref) ?? NetworkNamespace(path: "/proc/self/ns/net")
    }

    private func interfaceAddress(_ action: NodeAction, _ address: AssignedAddress) throws(ApplyError) -> InterfaceAddress {
        do {
            return try InterfaceAddress(address.address, prefixLength: address.prefixLength)
        } catch {
            throw ApplyError(action, cause: .unexpected("\(error)"))
        }
    }

    static func route(_ spec: RouteSpec) -> Route {
        Route(destination: spec.destination, gateway: spec.gateway, device: spec.device, metric: spec.metric)
    }
}
