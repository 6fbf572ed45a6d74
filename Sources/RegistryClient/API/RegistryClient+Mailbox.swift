public import ZmeshCrypto

extension RegistryClient {
    /// Longest `wait` the registry accepts, in seconds.
    public static let maximumWaitSeconds = 60

    /// One long-poll of a node's mailbox (`GET /v1/nodes/{id}/mailbox?after=&wait=`, signed by that node):
    /// the items after `after`, at once if there are some, else when one arrives or `wait` seconds pass.
    /// The exchange's deadline is `wait` plus ``RegistryClientConfiguration/longPollMargin``.
    /// - Parameters:
    ///   - node: the node whose mailbox is read; the client's identity must be that node.
    ///   - after: the cursor of the last item handled (0 for everything).
    ///   - wait: seconds the registry may hold the request, 0–60.
    public func mailbox(node: IdentityID, after: Int64, wait: Int) async throws(RegistryClientError) -> MailboxPage {
        let call = try mailboxCall(node: node, after: after, wait: wait)
        return try await fetch(call) { wire throws(WireError) in try MailboxPage(wire: wire) }
    }

    /// The call of one mailbox poll, its arguments checked.
    func mailboxCall(node: IdentityID, after: Int64, wait: Int) throws(RegistryClientError) -> RegistryCall {
        let operation = "poll the mailbox of node \(node)"
        guard (0...Self.maximumWaitSeconds).contains(wait) else {
            throw .invalidArgument(operation: operation, value: "wait=\(wait)", reason: "wait is 0–\(Self.maximumWaitSeconds) seconds")
        }
        guard after >= 0 else {
            throw .invalidArgument(operation: operation, value: "after=\(after)", reason: "a cursor is never negative")
        }
        return RegistryCall(
            operation: operation, method: .get, path: "/v1/nodes/\(node.rawValue)/mailbox?after=\(after)&wait=\(wait)",
            signed: true, timeout: .seconds(wait) + configuration.longPollMargin)
    }
}
