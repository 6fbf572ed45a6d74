import Deployments
import Logging
import NodeState
import RegistryClient
import ZmeshCrypto
import ZmeshModel

/// The agent's memory and its only path to the kernel: the ``NetworkBook``, the last snapshot, and
/// the reconciler, called one at a time (a FIFO gate: actor methods interleave at every `await`, the
/// gate keeps reconciles from overlapping) on a thread of its own.
actor AgentCore {
    let identity: Identity
    let reconciler: NodeReconciler
    private let logger: Logger
    private(set) var book: NetworkBook
    /// The last snapshot read (peer health, stable ndmz /31s).
    private(set) var snapshot: NodeSnapshot?
    /// Bumped whenever the book or the snapshot may have changed what is reported.
    private(set) var generation = 0
    /// Namespaces (agent names) the last reconcile created: event monitors there must start anew.
    private(set) var createdNamespaces: Set<String> = []
    private(set) var lastOutcome: ReconcileOutcome?
    /// Every action applied since start (the latest 1,000), for tests and diagnostics.
    private(set) var appliedHistory: [NodeAction] = []
    private let changes: AsyncStream<Void>.Continuation
    private let watch: DriftWatch?
    /// Node setup's ndmz uplink (``NodeDaemonConfiguration/setsUpUplink``).
    private let setsUpUplink: Bool
    /// Node setup's `public` namespace (``NodeDaemonConfiguration/publicConfig``).
    private let publicConfig: PublicConfig?
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Peers whose first handshake may have been lost (``HandshakeKicks``).
    private var handshakeKicks = HandshakeKicks()
    /// Told after a reconcile that created or configured a WireGuard device.
    private let peerChanges: AsyncStream<Void>.Continuation?

    init(
        identity: Identity, reconciler: NodeReconciler, logger: Logger, changes: AsyncStream<Void>.Continuation,
        watch: DriftWatch?, setsUpUplink: Bool = false, publicConfig: PublicConfig? = nil,
        peerChanges: AsyncStream<Void>.Continuation? = nil
    ) {
        self.watch = watch
        self.peerChanges = peerChanges
        self.setsUpUplink = setsUpUplink
        self.publicConfig = publicConfig
        self.identity = identity
        self.reconciler = reconciler
        self.logger = logger
        self.book = NetworkBook(node: identity.id)
        self.changes = changes
    }

    // MARK: The gate

    private func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func leave() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    // MARK: Mailbox items

    /// Records one mailbox item in the book without touching the kernel (the catch-up after start).
    @discardableResult
    func record(_ item: MailboxItem) async -> NetworkBook.Decision? {
        await enter()
        let decision = receive(item)
        leave()
        return decision
    }

    /// Records one mailbox item and, when it changes the desired state, applies it.
    func handle(_ item: MailboxItem) async {
        await enter()
        if let decision = receive(item), decision.changesDesiredState {
            await converge(reason: "deployment")
        }
        leave()
    }

    private func receive(_ item: MailboxItem) -> NetworkBook.Decision? {
        var metadata: Logger.Metadata = [
            "cursor": "\(item.cursor)", "owner": "\(item.owner)", "network": "\(item.network)",
            "version": "\(item.version)",
        ]
        guard item.kind == "deployment" else {
            logger.warning("mailbox item of an unknown kind ignored", metadata: metadata.merging(["kind": "\(item.kind)"]) { $1 })
            return nil
        }
        let decision = book.receive(
            NetworkBook.Delivery(owner: item.owner, network: item.network, version: item.version, document: item.document),
            identity: identity)
        switch decision {
        case .admitted(let id, _):
            metadata["network_id"] = "\(id)"
            logger.info("deployment admitted", metadata: metadata)
        case .removal(let id, _):
            metadata["network_id"] = "\(id)"
            logger.info("deployment removes the network from this node", metadata: metadata)
        case .unchanged:
            logger.debug("deployment delivered again; nothing to do", metadata: metadata)
        case .refused(let id, _, let reason):
            if let id { metadata["network_id"] = "\(id)" }
            metadata["reason"] = "\(reason)"
            logger.error("deployment refused; the previous version stays in force", metadata: metadata)
        }
        generation += 1
        changes.yield()
        return decision
    }

    // MARK: Reconciling

    /// Reads, plans and applies the book's desired state (drift repair, or after a change).
    func repair(reason: String) async {
        await enter()
        if let watch { await BlockingLane.run { watch.dropVanished() } }
        await converge(reason: reason)
        leave()
    }

    /// Holds the gate. A network whose new version fails to apply gets its previous input back and
    /// the node is reconciled once more, so that the previous configuration keeps working.
    private func converge(reason: String) async {
        let reconciler = self.reconciler
        if snapshot == nil {
            // The first desired state adopts the ndmz /31s that are there (an agent restart).
            snapshot = await readSnapshot()
        }
        // The host's addresses and gateways as they are now: what the ndmz policy protects.
        var uplink: NDMZUplink?
        if setsUpUplink {
            guard let facts = await readHostUplink() else { return }
            uplink = facts
        }
        var created: Set<String> = []
        let historyMark = appliedHistory.endIndex
        for round in 1...2 {
            let desired: NodeDesiredState
            do {
                desired = try book.desiredState(
                    publicSide: reconciler.layout.publicSide, uplink: uplink, current: snapshot, public: publicConfig)
            } catch {
                // The book refuses conflicting inputs one by one, so this is not expected.
                logger.error("no desired state; the kernel is left as it is", metadata: ["error": "\(error)"])
                return
            }
            let started = ContinuousClock.now
            let outcome = await BlockingLane.run { reconciler.reconcile(to: desired) }
            let elapsed = ContinuousClock.now - started
            lastOutcome = outcome
            appliedHistory += outcome.applied
            if appliedHistory.count > 1_000 { appliedHistory.removeFirst(appliedHistory.count - 1_000) }
            if let read = outcome.snapshot { snapshot = read }
            for case .createNamespace(let name) in outcome.applied { created.insert(name) }
            var metadata: Logger.Metadata = [
                "reason": "\(reason)", "actions": "\(outcome.applied.count)", "passes": "\(outcome.passes)",
                "converged": "\(outcome.converged)", "networks": "\(desired.resources.count)",
                "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ]
            if let failure = outcome.nodeFailure { metadata["node_failure"] = "\(failure)" }
            if !outcome.failures.isEmpty {
                metadata["failures"] = "\(outcome.failures.keys.sorted().map { "\($0): \(outcome.failures[$0] ?? "")" })"
            }
            if outcome.nodeFailure != nil || !outcome.failures.isEmpty {
                logger.error("reconcile failed", metadata: metadata)
            } else if !outcome.applied.isEmpty {
                logger.info("reconciled", metadata: metadata)
            } else {
                logger.debug("nothing to do", metadata: metadata)
            }
            let restored = book.settle(failures: outcome.failures, nodeFailure: outcome.nodeFailure)
            guard restored, round == 1 else { break }
            logger.warning("a new version failed to apply; restoring the previous configuration")
        }
        createdNamespaces = created
        generation += 1
        changes.yield()
        if appliedHistory.suffix(from: historyMark).contains(where: \.touchesWireGuard) { peerChanges?.yield() }
        if let watch {
            let wanted = wantedNamespaces()
            let recreated = created
            await BlockingLane.run { watch.sync(wanted: wanted, recreated: recreated) }
        }
    }

    /// Adds again the peers whose first handshake is overdue (``HandshakeKicks``), after reading
    /// the NRs' WireGuard devices (only them: this runs every 250 ms after each WireGuard change);
    /// whether a peer still waits for its first handshake.
    func kickHandshakes() async -> Bool {
        await enter()
        defer { leave() }
        guard let read = await readSnapshot(wireGuardOnly: true) else { return false }
        // The peers' health in the reports follows.
        for (name, contents) in read.namespaces { snapshot?.namespaces[name]?.wireGuard = contents.wireGuard }
        let actions = handshakeKicks.due(
            in: read, at: .now, yielding: HandshakeKicks.yielded(by: identity.id, inputs: book.inputs))
        let reconciler = self.reconciler
        for action in actions {
            guard case .configureWireGuard(let ref, let link, let update) = action, let peer = update.peers.first else { continue }
            let result = await BlockingLane.run { () -> Result<Void, ApplyError> in
                do throws(ApplyError) { return .success(try reconciler.apply(action)) } catch { return .failure(error) }
            }
            if case .failure(let error) = result {
                // A peer removed but not created again would wait for the next repair: repair now.
                logger.warning("cannot add a peer again; reconciling", metadata: ["error": "\(error)"])
                await converge(reason: "handshake kick failed")
                break
            }
            if !peer.remove {
                logger.info(
                    "no first handshake yet; peer added again so that WireGuard initiates at once",
                    metadata: ["namespace": "\(ref)", "interface": "\(link)", "peer": "\(peer.publicKey.base64)"])
            }
        }
        return handshakeKicks.isWaiting
    }

    /// The host side's facts for the ndmz uplink, or `nil` (logged) when they cannot be read: the
    /// node is then left as it is until the next repair.
    private func readHostUplink() async -> NDMZUplink? {
        let layout = reconciler.layout
        let result = await BlockingLane.run { () -> Result<NDMZUplink, NodeReaderError> in
            do throws(NodeReaderError) { return .success(try NodeReader(layout: layout).hostUplink()) } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let facts): return facts
        case .failure(let error):
            logger.error("cannot read the host's addresses for the ndmz uplink; nothing applied", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func readSnapshot(wireGuardOnly: Bool = false) async -> NodeSnapshot? {
        let reconciler = self.reconciler
        let result = await BlockingLane.run { () -> Result<NodeSnapshot, NodeReaderError> in
            do throws(NodeReaderError) {
                return .success(wireGuardOnly ? try reconciler.readWireGuardDevices() : try reconciler.read())
            } catch { return .failure(error) }
        }
        switch result {
        case .success(let snapshot): return snapshot
        case .failure(let error):
            logger.warning("cannot read the node", metadata: ["error": "\(error)"])
            return nil
        }
    }

    // MARK: Reports

    /// The status to send: per network its state, version and error, and the peers' health read last.
    func networkReports() -> [NetworkReport] {
        book.reports.map { line in
            var peers: [PeerHealth] = []
            if line.running, let device = snapshot?.namespaces[line.id.namespaceName]?.wireGuard[line.id.wireGuardInterface] {
                peers = device.peers.map { peer in
                    PeerHealth(
                        publicKey: peer.publicKey.base64, lastHandshake: peer.lastHandshake?.seconds ?? 0,
                        rxBytes: peer.receivedBytes, txBytes: peer.transmittedBytes,
                        endpoint: peer.configuration.endpoint.map { WireGuardShowFormatter().endpoint($0) })
                }
            }
            let state: NetworkState =
                switch line.state {
                case .applied: .applied
                case .failed: .failed
                case .removed: .removed
                }
            return NetworkReport(
                owner: line.owner, network: line.network, version: line.version, state: state, error: line.error,
                peers: peers)
        }
    }

    /// The agent namespaces the book wants (the ndmz and each wanted NR), for event monitors.
    func wantedNamespaces() -> Set<String> {
        var names: Set<String> = [Ownership.ndmzNamespace]
        for input in book.inputs { names.insert(input.deployment.network.id.namespaceName) }
        return names
    }
}
