public import ZmeshCrypto

/// One item of a node's mailbox.
public struct MailboxItem: Sendable, Hashable {
    /// The item's position; poll with `after` set to it to get what follows.
    public let cursor: Int64
    /// `deployment` today.
    public let kind: String
    public let owner: IdentityID
    public let network: String
    public let version: UInt64
    /// The signed document's JSON text, verbatim: the node parses and verifies it itself.
    public let document: [UInt8]

    init(wire: WireObject) throws(WireError) {
        cursor = try wire.integer("cursor")
        kind = try wire.string("kind")
        owner = try wire.identity("owner")
        network = try wire.string("network")
        version = try wire.integer("version")
        document = Array(try wire.string("document").utf8)
    }
}

/// One mailbox answer: the items after the requested cursor (oldest first) and the cursor to poll after.
public struct MailboxPage: Sendable, Hashable {
    /// The last item's cursor, or the requested one when there are no items.
    public let cursor: Int64
    public let items: [MailboxItem]

    init(wire: WireObject) throws(WireError) {
        cursor = try wire.integer("cursor")
        items = try wire.objects("items").map { item throws(WireError) in try MailboxItem(wire: item) }
    }
}
