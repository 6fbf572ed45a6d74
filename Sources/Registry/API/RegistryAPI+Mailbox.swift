import Deployments
import Foundation
import Hummingbird
import Logging
import Prometheus
import ZmeshCrypto
import ZmeshModel

extension RegistryAPI {
    // MARK: Mailbox

    /// Long-poll: answers at once when items above `after` exist, else holds until one arrives or `wait` ends.
    /// A node holds at most `maximumPollsPerNode` polls open at once: a newer one supersedes the oldest,
    /// which answers at once (see ``PollLimiter``).
    func mailbox(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try identityParameter(context)
        let bytes = try await body(of: request)
        let claim = try authenticator.claim(request.headers)
        let query = request.uri.queryParameters
        let after = try integer(query.get("after"), name: "after", range: 0...Int64.max, default: 0)
        let wait = try integer(query.get("wait"), name: "wait", range: 0...configuration.maximumWaitSeconds, default: 0)
        guard claim.signer == id else {
            throw RegistryError(.forbidden, "wrong_identity", "only node \(id) reads its mailbox; the request is signed by \(claim.signer)")
        }
        guard let node = try await store.node(id) else {
            throw RegistryError(.unauthorized, "unknown_identity", "no node \(id) is registered")
        }
        try authenticator.verify(
            claim, key: node.publicKey, method: request.method.rawValue, target: request.uri.string, body: bytes)
        let (ticket, supersededAnother) = polls.open(id)
        if supersededAnother {
            // Wake the node's waiting polls: the superseded one sees it and answers, the others wait on.
            metrics.pollsSuperseded.increment()
            notifier.notify([id])
        }
        metrics.longPollsOpen.increment()
        defer {
            metrics.longPollsOpen.decrement()
            polls.close(ticket)
        }
        try await sawNode(id)

        let end = ContinuousClock.now + .seconds(wait)
        var generation = notifier.generation(of: id)
        var items = try await store.mailbox(node: id, after: after, limit: configuration.mailboxPageSize)
        while items.isEmpty, !Task.isCancelled, !notifier.isShutDown, !polls.isSuperseded(ticket) {
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else { break }
            await notifier.wait(for: id, beyond: generation, timeout: remaining)
            generation = notifier.generation(of: id)
            items = try await store.mailbox(node: id, after: after, limit: configuration.mailboxPageSize)
        }
        metrics.mailboxItemsDelivered.increment(by: Int64(items.count))
        return json(.ok, MailboxBody(cursor: items.last?.cursor ?? after, items: items.map(MailboxBody.Item.init)))
    }

    func integer(_ text: String?, name: String, range: ClosedRange<Int64>, default value: Int64)
        throws(RegistryError) -> Int64
    {
        guard let text else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw RegistryError(.badRequest, "bad_query", "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
