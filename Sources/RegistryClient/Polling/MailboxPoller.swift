public import Logging
public import ZmeshCrypto

/// The long-poll loop a node agent runs over its mailbox.
///
/// From a cursor, it polls `GET …/mailbox?after=CURSOR&wait=WAIT`, hands each item, in order, to the
/// handler, and advances the cursor past an item only once the handler has returned: delivery is at
/// least once (an agent that restarts from its last saved cursor sees unfinished items again).
///
/// It never gives up and never spins:
/// - a failed poll (registry down or restarting, timeout, refusal) is retried after a full-jitter
///   exponential delay (``backoff``), logged at `warning` once per streak of failures (later ones at
///   `debug`) and at `notice` when a poll succeeds again;
/// - a handler that throws gets the same item again after the same kind of delay;
/// - an empty answer that came back sooner than ``minimumPollInterval`` (a registry shutting down answers
///   waiting polls at once) is followed by a pause for the rest of that interval.
///
/// Cancelling the task that runs ``run(from:handler:)`` ends it promptly (the waiting poll is abandoned).
public struct MailboxPoller: Sendable {
    public let client: RegistryClient
    /// The node whose mailbox is read (the client's identity must be that node).
    public let node: IdentityID
    /// Seconds the registry may hold each poll (1–60).
    public let wait: Int
    /// Delays between failed polls (``RetryPolicy/attempts`` is not used: the loop never gives up).
    public let backoff: RetryPolicy
    /// Shortest time between two polls that found nothing.
    public let minimumPollInterval: Duration
    private let logger: Logger

    /// A poller of `node`'s mailbox (by default the client's own identity).
    /// - Throws: ``RegistryClientError/missingIdentity(operation:)`` when neither is given.
    public init(
        client: RegistryClient, node: IdentityID? = nil, wait: Int = 30,
        backoff: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(500), maximumDelay: .seconds(30)),
        minimumPollInterval: Duration = .seconds(1), logger: Logger
    ) throws(RegistryClientError) {
        guard let node = node ?? client.identity?.id else {
            throw .missingIdentity(operation: "poll a mailbox")
        }
        self.client = client
        self.node = node
        self.wait = min(max(wait, 1), RegistryClient.maximumWaitSeconds)
        self.backoff = backoff
        self.minimumPollInterval = minimumPollInterval
        var logger = logger
        logger[metadataKey: "node"] = "\(node)"
        self.logger = logger
    }

    /// Polls from `cursor` until the task is cancelled, calling `handler` for each new item in order.
    /// - Returns: the cursor of the last item the handler finished (save it to resume from there).
    public func run(from cursor: Int64, handler: @Sendable (MailboxItem) async throws -> Void) async -> Int64 {
        var cursor = max(cursor, 0)
        var failedPolls = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let page: MailboxPage
            switch await poll(after: cursor) {
            case .success(let answer):
                page = answer
            case .failure(let error, _, let retryAfter, _):
                if error.isCancellation || Task.isCancelled { return cursor }
                failedPolls += 1
                // A registry that asks for a delay (429 rate_limited) gets at least that.
                let jittered = backoff.delay(afterFailures: failedPolls)
                let delay = retryAfter.map { max(min($0, backoff.maximumRetryAfter), jittered) } ?? jittered
                let metadata: Logger.Metadata = [
                    "cursor": "\(cursor)", "failures": "\(failedPolls)", "retry_in_ms": "\(delay.curlMilliseconds)",
                    "error": "\(error)",
                ]
                if failedPolls == 1 {
                    logger.warning("mailbox poll failed; retrying with backoff", metadata: metadata)
                } else {
                    logger.debug("mailbox poll failed again", metadata: metadata)
                }
                guard await Self.pause(delay) else { return cursor }
                continue
            }
            if failedPolls > 0 {
                logger.notice("mailbox poll succeeded again", metadata: ["failed_polls": "\(failedPolls)"])
                failedPolls = 0
            }
            for item in page.items where item.cursor > cursor {
                guard await deliver(item, handler) else { return cursor }
                cursor = item.cursor
            }
            if page.items.isEmpty {
                let elapsed = ContinuousClock.now - started
                if elapsed < minimumPollInterval, !(await Self.pause(minimumPollInterval - elapsed)) { break }
            }
        }
        return cursor
    }

    /// One poll without retries: the loop does its own backoff. A bad argument or an unreadable answer is a
    /// failure like any other (it is logged and retried after a delay).
    private func poll(after cursor: Int64) async -> PollOutcome {
        let call: RegistryCall
        do { call = try client.mailboxCall(node: node, after: cursor, wait: wait) } catch {
            return .failure(error, retryable: false, retryAfter: nil, reason: error.description)
        }
        switch await client.attempt(call) {
        case .success(let response):
            do {
                return .success(try client.decode(response, call) { wire throws(WireError) in try MailboxPage(wire: wire) })
            } catch {
                return .failure(error, retryable: true, retryAfter: nil, reason: error.description)
            }
        case .failure(let error, let retryable, let retryAfter, let reason):
            return .failure(error, retryable: retryable, retryAfter: retryAfter, reason: reason)
        }
    }

    private enum PollOutcome {
        case success(MailboxPage)
        case failure(RegistryClientError, retryable: Bool, retryAfter: Duration?, reason: String)
    }

    /// Runs the handler on `item` until it returns; false when the task was cancelled first.
    private func deliver(_ item: MailboxItem, _ handler: @Sendable (MailboxItem) async throws -> Void) async -> Bool {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await handler(item)
                return true
            } catch {
                if Task.isCancelled { return false }
                failures += 1
                let delay = backoff.delay(afterFailures: failures)
                logger.warning(
                    "mailbox item handler failed; the item will be delivered again",
                    metadata: [
                        "cursor": "\(item.cursor)", "owner": "\(item.owner)", "network": "\(item.network)",
                        "version": "\(item.version)", "failures": "\(failures)", "retry_in_ms": "\(delay.curlMilliseconds)",
                        "error": "\(error)",
                    ])
                guard await pause(delay) else { return false }
            }
        }
        return false
    }

    private func pause(_ delay: Duration) async -> Bool { await Self.pause(delay) }

    /// Sleeps; false when the task was cancelled.
    private static func pause(_ delay: Duration) async -> Bool {
        do {
            try await Task.sleep(for: delay)
            return true
        } catch {
            return false
        }
    }
}
