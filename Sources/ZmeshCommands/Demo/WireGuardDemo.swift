import RouteNL
import Synchronization
import SystemSupport
import WireGuardNL
import ZmeshCrypto
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// WireGuard tunnels between network namespaces, built and converged by WireGuardNL.
///
/// Every interface is born in one "public" namespace and moved into its node's namespace, so the
/// encrypted UDP sockets stay on the public side and decrypted traffic exists only inside the node —
/// the pattern a network resource uses. The nodes are fully meshed over the public namespace's
/// loopback; nothing leaves namespaces the demo created.
struct WireGuardDemo {
    let nodeCount: Int
    let useKernel: Bool
    let tag: String
    let resources: DemoResources

    init(nodeCount: Int, choice: BackendChoice, resources: DemoResources) throws {
        guard geteuid() == 0 else {
            throw DemoFailure(description: "zmesh demo needs root: it creates network namespaces")
        }
        self.nodeCount = nodeCount
        switch choice {
        case .kernel:
            guard KernelBackend.isAvailable() else { throw WireGuardError.kernelHasNoWireGuard }
            useKernel = true
        case .userspace: useKernel = false
        case .automatic: useKernel = KernelBackend.isAvailable()
        }
        tag = resources.tag
        self.resources = resources
    }

    var publicNamespace: String { "zd\(tag)-pub" }
    func nodeNamespace(_ i: Int) -> String { "zd\(tag)-n\(i)" }
    func interfaceName(_ i: Int) -> InterfaceName { try! InterfaceName("w-zd\(tag)-\(i)") }
    func port(_ i: Int) -> UInt16 { UInt16(51820 + i) }

    func run(_ say: (String) -> Void) throws {
        say("zmesh demo: \(nodeCount) nodes, \(useKernel ? "kernel WireGuard" : "userspace WireGuard (wireguard-go; this kernel has no WireGuard)")")
        let started = ContinuousClock.now
        try addNamespace(publicNamespace)
        for i in 1...nodeCount { try addNamespace(nodeNamespace(i)) }
        say("namespaces: \(publicNamespace) \((1...nodeCount).map(nodeNamespace).joined(separator: " "))")

        // 1. Interfaces are born on the public side and moved into their node.
        for i in 1...nodeCount {
            let name = interfaceName(i)
            if useKernel {
                let publicSide = try RouteNetlink(namespace: .named(publicNamespace))
                try publicSide.createWireGuard(name)
                try publicSide.move(name, to: .named(nodeNamespace(i)))
            } else {
                let daemon = try WireGuardGoProcess.start(name, in: .named(publicNamespace))
                resources.add(daemon)
                try daemon.moveInterface(to: .named(nodeNamespace(i)))
            }
        }
        say("interfaces created in \(publicNamespace) and moved into their nodes")

        // 2. Desired configurations: a full mesh over the public side's loopback.
        let keys = (1...nodeCount).map { _ in WireGuardKeys.generatePrivateKey() }
        var desired: [DeviceConfiguration] = []
        for i in 1...nodeCount {
            let peers = (1...nodeCount).filter { $0 != i }.map { j in
                PeerConfiguration(
                    publicKey: WireGuardKeys.publicKey(for: keys[j - 1]),
                    endpoint: Endpoint(address: .v4(IPv4Address(127, 0, 0, 1)), port: port(j)),
                    allowedIPs: [try! IPPrefix("10.77.0.\(j)/32"), try! IPPrefix("fd77::\(j)/128")])
            }
            desired.append(DeviceConfiguration(privateKey: keys[i - 1], listenPort: port(i), peers: peers))
        }

        // 3. Apply through WireGuardNL (read, diff, send only the difference), then address and bring up.
        for i in 1...nodeCount {
            let sent = try apply(desired[i - 1], node: i)
            let node = try RouteNetlink(namespace: .named(nodeNamespace(i)))
            try node.addAddress(try InterfaceAddress("10.77.0.\(i)/24"), to: interfaceName(i))
            try node.addAddress(try InterfaceAddress("fd77::\(i)/64"), to: interfaceName(i))
            try node.setUp(interfaceName(i))
            say("node \(i): \(interfaceName(i)) port \(port(i)), configured with \(sent?.peers.count ?? 0) peers")
        }

        // 4. Every pair pings, IPv4 and IPv6.
        var pairs = 0
        for i in 1...nodeCount {
            for j in 1...nodeCount where j != i {
                for target in ["10.77.0.\(j)", "fd77::\(j)"] {
                    guard pingWithRetry(from: i, to: target) else {
                        throw DemoFailure(description: "node \(i) cannot reach \(target)")
                    }
                }
                pairs += 1
            }
        }
        let converged = ContinuousClock.now - started
        let milliseconds = converged.components.seconds * 1000 + converged.components.attoseconds / 1_000_000_000_000_000
        say("all \(pairs) directed pairs ping over IPv4 and IPv6, \(milliseconds) ms after start")

        // 5. What node 1 sees.
        let status = try device(node: 1)
        say("")
        let shown = WireGuardShowFormatter().pretty(status, now: Int64(time(nil)))
        say(String(shown.reversed().drop { $0 == "\n" }.reversed()))
        say("")

        // 6. Convergence by difference: change one peer, re-apply, and only that peer is sent.
        var changed = desired[0]
        changed.peers[0].persistentKeepalive = 25
        let before = try device(node: 1)
        let update = try apply(changed, node: 1)
        let after = try device(node: 1)
        // Peers are matched by key: wireguard-go lists them in a different order on every read.
        let handshakes = Dictionary(uniqueKeysWithValues: before.peers.map { ($0.publicKey, $0.lastHandshake) })
        let untouched = after.peers.filter { $0.publicKey != changed.peers[0].publicKey }
            .allSatisfy { handshakes[$0.publicKey] == $0.lastHandshake }
        say("re-applying node 1 with one peer's keepalive changed sent \(update?.peers.count ?? 0) peer update(s), "
            + "replace-peers \(update?.replacePeers == true ? "yes" : "no"); other sessions untouched: \(untouched ? "yes" : "no")")
        say("re-applying the same configuration again sends: \(try apply(changed, node: 1) == nil ? "nothing" : "something (unexpected)")")
        guard pingWithRetry(from: 1, to: "10.77.0.2") else { throw DemoFailure(description: "tunnel broke after the update") }
        say("the tunnel still carries traffic after the update")
    }

    /// Applies `configuration` to node `i`'s interface from inside its namespace.
    func apply(_ configuration: DeviceConfiguration, node i: Int) throws -> DeviceUpdate? {
        let name = interfaceName(i)
        if !useKernel { return try UserspaceBackend().apply(configuration, to: name) }
        return try NetworkNamespace.named(nodeNamespace(i)).run { () throws -> DeviceUpdateBox in
            DeviceUpdateBox(try KernelBackend().apply(configuration, to: name))
        }.update
    }

    func device(node i: Int) throws -> DeviceStatus {
        let name = interfaceName(i)
        if !useKernel { return try UserspaceBackend().device(name) }
        return try NetworkNamespace.named(nodeNamespace(i)).run { () throws in try KernelBackend().device(name) }
    }

    /// Pings `target` from inside node `i`'s namespace (ping is spawned from a thread in it).
    func pingWithRetry(from i: Int, to target: String) -> Bool {
        guard let ping = SpawnedProcess.locate("ping") else { return false }
        let namespace = NetworkNamespace.named(nodeNamespace(i))
        for _ in 0..<10 {
            let reached = try? namespace.run { () throws -> Bool in
                try SpawnedProcess.run(ping, ["-c", "1", "-W", "1", target]).succeeded
            }
            if reached == true { return true }
        }
        return false
    }

    /// Creates a named namespace (as `ip netns add` does) with its loopback up.
    private func addNamespace(_ name: String) throws {
        let namespace = try NetworkNamespace.create(named: name)
        resources.add(namespace: name)
        try RouteNetlink(namespace: namespace).setUp(try InterfaceName("lo"))
    }
}

/// What the demo made, so that it can be removed at the end or when the demo is interrupted (from
/// the signal thread): wireguard-go daemons, then namespaces (and with them every interface).
final class DemoResources: Sendable {
    private struct State {
        var namespaces: [String] = []
        var daemons: [SpawnedProcess] = []
        /// Set by the first tear-down: anything added afterwards (the demo thread racing a signal) is
        /// removed at once instead of being recorded.
        var closed = false
    }

    /// Names everything this run makes (`zd<tag>-…` namespaces, `w-zd<tag>-…` interfaces), so a
    /// tear-down can also sweep what was made but not yet recorded when a signal arrived.
    let tag = String(UInt32.random(in: 0..<0x10000), radix: 16)
    private let state = Mutex(State())
    /// Held for a whole tear-down, so a second caller (the demo thread ending while the signal thread
    /// cleans up) waits for the first to finish before the process exits.
    private let tearingDown = Mutex(())

    func add(namespace: String) {
        let closed = state.withLock { state in
            if !state.closed { state.namespaces.append(namespace) }
            return state.closed
        }
        if closed { try? NetworkNamespace.delete(named: namespace) }
    }

    func add(_ daemon: WireGuardGoProcess) {
        let closed = state.withLock { state in
            if !state.closed { state.daemons.append(daemon.process) }
            return state.closed
        }
        if closed { Self.stop(daemon.process) }
    }

    /// Stops the daemons and deletes the namespaces; safe to call more than once and from any thread.
    func tearDown() {
        tearingDown.withLock { _ in removeEverything() }
    }

    private func removeEverything() {
        let (namespaces, daemons) = state.withLock { state in
            defer {
                state.namespaces = []
                state.daemons = []
                state.closed = true
            }
            return (state.namespaces, state.daemons)
        }
        for daemon in daemons { Self.stop(daemon) }
        for name in namespaces.reversed() { try? NetworkNamespace.delete(named: name) }
        // What was being made when a signal arrived: a daemon still starting, a namespace just created.
        for daemon in Self.daemons(servingInterfacesWithPrefix: "w-zd\(tag)-") { Self.stop(daemon) }
        let strays = ((try? NetworkNamespace.namedNamespaces()) ?? []).filter { $0.hasPrefix("zd\(tag)-") }
        for name in strays { try? NetworkNamespace.delete(named: name) }
    }

    /// wireguard-go processes started as `wireguard-go -f NAME` for a NAME with `prefix` (from /proc).
    private static func daemons(servingInterfacesWithPrefix prefix: String) -> [SpawnedProcess] {
        SpawnedProcess.running { arguments in
            arguments.count >= 3 && arguments[0].hasSuffix("wireguard-go") && arguments[1] == "-f"
                && arguments[2].hasPrefix(prefix)
        }
    }

    private static func stop(_ daemon: SpawnedProcess) { daemon.terminate(grace: .seconds(3)) }
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
}

/// Carries a result out of a namespace thread.
struct DeviceUpdateBox: Sendable {
    let update: DeviceUpdate?
    init(_ update: DeviceUpdate?) { self.update = update }
}
