public import NodeState
public import SystemSupport

/// Where the agent's names live on this machine: the namespaces `ndmz`, `n-<id>` (and `public`) are
/// `NetworkNamespace.named(namespacePrefix + name)`, the public side is the namespace WireGuard
/// links are born in, and the host side is what the agent calls the host (`NamespaceRef.host`: node
/// setup's end of the ndmz uplink, its `zmesh-host` table and forwarding).
///
/// On a real node the prefix is empty and the names are exactly the agent's, and the host side is
/// the agent's own namespace. Tests give a prefix unique to the test (`zt-<tag>-`), so a test sees
/// only the namespaces it made even while other tests create their own on the same machine, and a
/// host side that is a namespace of the test (never the machine's host); the applier uses the same
/// mapping.
public struct NodeLayout: Sendable, Hashable {
    /// Prepended to every agent namespace name to get the name under `/run/netns`.
    public var namespacePrefix: String
    /// The public side in the agent's terms (`.host` or `.named("public")`, mapped through the prefix).
    public var publicSide: NamespaceRef
    /// Where wireguard-go's UAPI sockets are (`/var/run/wireguard`).
    public var wireGuardSocketDirectory: String
    /// The namespace ``NodeState/NamespaceRef/host`` means: `.host` (the agent's own namespace) on a
    /// node, a named namespace (mapped through the prefix) in tests.
    public var hostSide: NamespaceRef

    public init(
        namespacePrefix: String = "", publicSide: NamespaceRef = .host,
        wireGuardSocketDirectory: String = "/var/run/wireguard", hostSide: NamespaceRef = .host
    ) {
        self.namespacePrefix = namespacePrefix
        self.publicSide = publicSide
        self.wireGuardSocketDirectory = wireGuardSocketDirectory
        self.hostSide = hostSide
    }

    /// Whether the public side is the agent's own `public` namespace (a node with a public
    /// configuration), which the agent then creates, reads in full and removes.
    public var ownsPublicNamespace: Bool { publicSide == .named(Ownership.publicNamespace) }

    /// The host's name (under `/run/netns`) of the agent's namespace `name`.
    public func hostName(of name: String) -> String { namespacePrefix + name }

    /// The agent's name of the host's namespace `hostName`, or `nil` when it lacks the prefix.
    public func agentName(of hostName: String) -> String? {
        guard hostName.hasPrefix(namespacePrefix) else { return nil }
        return String(hostName.dropFirst(namespacePrefix.count))
    }

    /// The namespace `ref` names: for `.host` the host side — `nil` when that is the agent's own (the
    /// calling thread's, as RouteNL and Firewall take it).
    public func namespace(_ ref: NamespaceRef) -> NetworkNamespace? {
        (ref == .host ? hostSide : ref).name.map { NetworkNamespace.named(hostName(of: $0)) }
    }
}
