public import ZmeshCrypto
public import ZmeshModel

/// An IP address family, as nodes declare their outbound connectivity.
public enum AddressFamily: String, Sendable, Hashable, CaseIterable {
    case ipv4, ipv6
}

/// A registered node.
public struct Node: Sendable, Hashable {
    public let id: IdentityID
    public let farm: UInt32
    public let publicKey: Ed25519PublicKey
    /// Literal public addresses, at most one per family; empty for a hidden node.
    public let publicIPs: [IPAddress]
    /// Ports the node declared as taken (WireGuard listen ports are chosen around them).
    public let usedPorts: [UInt16]
    /// The families the node can reach the internet over; `nil` when it did not say.
    public let outbound: [AddressFamily]?
    /// When the registry last heard from the node (Unix seconds), `nil` if it does not say.
    public let lastSeen: Int64?
    /// When the node last registered (Unix seconds).
    public let updatedAt: Int64

    /// Whether the node has no public address and reaches the grid only outbound.
    public var isHidden: Bool { publicIPs.isEmpty }

    init(wire: WireObject) throws(WireError) {
        id = try wire.identity("id")
        farm = try wire.integer("farm")
        publicKey = try Twin.key(wire, of: id)
        publicIPs = try wire.strings("public_ips") { text throws(ParseError) in try IPAddress(text) }
        usedPorts = try wire.integers("used_ports", optional: true)
        if wire.optional("outbound") == nil {
            outbound = nil
        } else {
            outbound = try wire.strings("outbound") { text throws(WireError) in
                guard let family = AddressFamily(rawValue: text) else {
                    throw WireError(path: "", reason: "'\(text)' is not ipv4 or ipv6")
                }
                return family
            }
        }
        lastSeen = try wire.optionalInteger("last_seen")
        updatedAt = try wire.integer("updated_at")
    }
}

/// A farm: the operator grouping nodes register under.
public struct Farm: Sendable, Hashable {
    public let id: UInt32
    public let name: String
    /// The twin that created the farm.
    public let owner: IdentityID
    /// Unix seconds; `nil` if the registry does not say.
    public let createdAt: Int64?

    init(wire: WireObject) throws(WireError) {
        id = try wire.integer("id")
        name = try wire.string("name")
        owner = try wire.identity("owner")
        createdAt = try wire.optionalInteger("created_at")
    }
}
