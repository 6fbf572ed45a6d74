public import Logging
public import NodeState
public import RegistryClient
public import ServiceLifecycle
import UnixSignals
import ZmeshCrypto
import ZmeshModel
import Synchronization

/// The node agent: registers with the registry, catches up with its mailbox, then keeps the kernel
/// at the desired state of every network sent to it — on each mailbox item, on a timer and on
/// link/address/route events — and reports each network's state.
///
/// Order at start (a restarted agent must not disturb what runs):
/// 1. register, retrying with backoff while the registry is unreachable (nothing is touched meanwhile);
/// 2. read the whole mailbox from cursor 0 until an empty page, into the book only;
/// 3. only then compute the desired state and reconcile (so a network never goes for want of its
///    document having been read yet), then long-poll the mailbox from the cursor reached.
///
/// It opens no listening socket. Graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`, or
/// cancellation) stops polling, timers and monitors and leaves every network running.
public final class NodeDaemon: Service, Sendable {
    public let configuration: NodeDaemonConfiguration
    private let client: RegistryClient
    private let reconciler: NodeReconciler
    private let logger: Logger
    private let core: AgentCore
    private let changes: AsyncStream<Void>
    private let kicks: AsyncStream<Void>
    private let peerChanges: AsyncStream<Void>
    private let watch: DriftWatch?
    private let phaseBox: PhaseBox

    /// Where the agent is in its start-up.
    public enum Phase: Sendable, Equatable {
        case registering, catchingUp, running, stopped
    }

    public init(
        configuration: NodeDaemonConfiguration, client: RegistryClient, reconciler: NodeReconciler, logger: Logger
    ) {
        self.configuration = configuration
        self.client = client
        self.reconciler = reconciler
        var logger = logger
        logger[metadataKey: "node"] = "\(configuration.identity.id)"
        self.logger = logger
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.changes = changes
        let (kicks, kicker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.kicks = kicks
        let (peerChanges, peerChanged) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.peerChanges = peerChanges
        let watch =
            configuration.watchesEvents ? DriftWatch(layout: reconciler.layout, logger: logger, kicks: kicker) : nil
        self.watch = watch
        self.core = AgentCore(
            identity: configuration.identity, reconciler: reconciler, logger: logger, changes: continuation,
            watch: watch, setsUpUplink: configuration.setsUpUplink, publicConfig: configuration.publicConfig,
            peerChanges: peerChanged)
        self.phaseBox = PhaseBox()
    }

    /// The current phase.
    public var phase: Phase { phaseBox.value }

    /// What the agent would report now, per network (state, version, error; no peers).
    public func networkStates() async -> [NetworkReportState] { await core.book.reports }

    /// The last reconcile's outcome.
    public func lastOutcome() async -> ReconcileOutcome? { await core.lastOutcome }

    /// The actions applied since start (the latest 1,000), in order.
    public func appliedActions() async -> [NodeAction] { await core.appliedHistory }

    /// Runs until cancelled or a graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.runUntilCancelled() }
        watch?.stopAll()
        phaseBox.value = .stopped
        logger.notice("node agent stopped; networks left running")
    }

    /// Runs in a `ServiceGroup` until SIGTERM or SIGINT, then shuts down gracefully.
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func runUntilCancelled() async {
        phaseBox.value = .registering
        guard await register() else { return }
        phaseBox.value = .catchingUp
        guard let cursor = await catchUp() else { return }
        await core.repair(reason: "start")
        phaseBox.value = .running
        logger.notice("node agent running", metadata: ["cursor": "\(cursor)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.poll(from: cursor) }
            group.addTask { await self.repairOnTimer() }
            group.addTask { await self.repairOnEvents() }
            group.addTask { await self.report() }
            group.addTask { await self.kickFirstHandshakes() }
            await group.waitForAll()
        }
    }

    // MARK: Start

    /// Registers until it succeeds; false when cancelled first.
    private func register() async -> Bool {
        var failures = 0
        while !Task.isCancelled {
            do {
                let answer = try await client.registerNode(farm: configuration.farm, publicIPs: configuration.publicIPs)
                logger.notice(
                    answer.isNew ? "node registered" : "node re-registered",
                    metadata: [
                        "farm": "\(configuration.farm)",
                        "public_ips": "\(configuration.publicIPs.map(\.description).joined(separator: ","))",
                    ])
                return true
            } catch {
                if error.isCancellation { return false }
                failures += 1
                let delay = configuration.backoff.delay(afterFailures: failures)
                logger.log(
                    level: failures == 1 ? .warning : .debug, "cannot register; retrying",
                    metadata: ["error": "\(error)", "failures": "\(failures)", "retry_in": "\(delay)"])
                guard await Self.sleep(delay) else { return false }
            }
        }
        return false
    }

    /// Reads the mailbox from 0 until an empty page, recording every item; the cursor reached, or
    /// nil when cancelled.
    private func catchUp() async -> Int64? {
        var cursor: Int64 = 0
        var failures = 0
        var items = 0
        while !Task.isCancelled {
            let page: MailboxPage
            do { page = try await client.mailbox(node: configuration.identity.id, after: cursor, wait: 0) } catch {
                if error.isCancellation { return nil }
                failures += 1
                let delay = configuration.backoff.delay(afterFailures: failures)
                logger.log(
                    level: failures == 1 ? .warning : .debug, "cannot read the mailbox; retrying",
                    metadata: ["error": "\(error)", "cursor": "\(cursor)", "retry_in": "\(delay)"])
                guard await Self.sleep(delay) else { return nil }
                continue
            }
            failures = 0
            let fresh = page.items.filter { $0.cursor > cursor }
            if fresh.isEmpty {
                logger.info("mailbox read", metadata: ["items": "\(items)", "cursor": "\(cursor)"])
                return cursor
            }
            for item in fresh {
                await core.record(item)
                cursor = item.cursor
                items += 1
            }
            cursor = max(cursor, page.cursor)
        }
        return nil
    }

    // MARK: Loops

    private func poll(from cursor: Int64) async {
        let poller: MailboxPoller
        do {
            poller = try MailboxPoller(
                client: client, node: configuration.identity.id, wait: configuration.pollWait,
                backoff: RetryPolicy(
                    baseDelay: configuration.backoff.baseDelay, maximumDelay: configuration.backoff.maximumDelay),
                logger: logger)
        } catch {
            logger.critical("cannot poll the mailbox", metadata: ["error": "\(error)"])
            return
        }
        let core = self.core
        _ = await poller.run(from: cursor) { item in await core.handle(item) }
    }

    private func repairOnTimer() async {
        while await Self.sleep(configuration.driftInterval) {
            await core.repair(reason: "timer")
        }
    }

    /// After each event burst: wait for it to end, then repair (kicks during the repair make one more).
    private func repairOnEvents() async {
        guard let watch else { return }
        await withTaskCancellationHandler {
            for await _ in kicks {
                guard await Self.sleep(configuration.eventDebounce) else { return }
                await core.repair(reason: "event")
            }
        } onCancel: {
            watch.stopAll()
        }
    }

    /// After WireGuard devices changed: every quarter second, adds again the peers whose first
    /// handshake is overdue (``HandshakeKicks``), for at least 3 s (tenants start talking a moment
    /// after a version is applied, and their first initiations race the other nodes' applies too),
    /// then until no peer waits for one.
    private func kickFirstHandshakes() async {
        for await _ in peerChanges {
            let window = ContinuousClock.now + .seconds(3)
            while await Self.sleep(.milliseconds(250)) {
                let waiting = await core.kickHandshakes()
                if !waiting, ContinuousClock.now >= window { break }
            }
        }
    }

    /// Sends the status on every change and every report interval; a failed report is sent again
    /// after a backoff delay (never fatal).
    private func report() async {
        let (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let changes = self.changes
        let forward = Task {
            for await _ in changes { trigger.yield() }
        }
        let interval = configuration.reportInterval
        let ticker = Task {
            while await Self.sleep(interval) { trigger.yield() }
        }
        defer {
            forward.cancel()
            ticker.cancel()
        }
        var lastSent: [ReportKey]?
        var lastFull = ContinuousClock.now
        var failures = 0
        var retry: Task<Void, Never>?
        trigger.yield()
        for await _ in triggers {
            if Task.isCancelled { break }
            let reports = await core.networkReports()
            let keys = reports.map(ReportKey.init)
            let due = ContinuousClock.now - lastFull >= interval
            guard keys != lastSent || due || failures > 0 else { continue }
            guard !reports.isEmpty || lastSent != nil else { continue }
            do {
                _ = try await client.reportStatus(reports)
                if keys != lastSent {
                    logger.info("status reported", metadata: ["networks": "\(reports.count)"])
                }
                lastSent = keys
                lastFull = ContinuousClock.now
                failures = 0
            } catch {
                if error.isCancellation { break }
                failures += 1
                let delay = min(configuration.backoff.delay(afterFailures: failures), interval)
                logger.log(
                    level: failures == 1 ? .warning : .debug, "cannot report status; retrying",
                    metadata: ["error": "\(error)", "failures": "\(failures)", "retry_in": "\(delay)"])
                retry?.cancel()
                retry = Task {
                    if await Self.sleep(delay) { trigger.yield() }
                }
            }
        }
        retry?.cancel()
    }

    /// Sleeps; false when cancelled.
    static func sleep(_ duration: Duration) async -> Bool {
        do {
            try await Task.sleep(for: duration)
            return true
        } catch {
            return false
        }
    }
}

/// What makes a report different from the last one sent (peer counters aside).
private struct ReportKey: Equatable {
    var owner: String
    var network: String
    var version: UInt64
    var state: String
    var error: String?

    init(_ report: NetworkReport) {
        owner = report.owner.rawValue
        network = report.network
        version = report.version
        state = report.state.rawValue
        error = report.error
    }
}

/// The daemon's phase, readable from any thread.
private final class PhaseBox: Sendable {
    private let storage = Mutex<NodeDaemon.Phase>(.registering)
    var value: NodeDaemon.Phase {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
