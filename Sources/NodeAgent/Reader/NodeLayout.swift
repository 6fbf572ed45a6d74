public import NodeState
public import SystemSupport

/// Where the agent's names live on this machine: the namespaces `ndmz`, `n-<id>` (and `public`) are
/// `NetworkNamespace.named(namespacePrefix + name)`, and the public side is the namespace WireGuard
/// links are born in.
///
/// On a real node the prefix is empty and the names are exactly the agent's. Tests give a prefix
/// unique to the test (`zt-<tag>-`), so a test sees only the namespaces it made even while other
/// tests create their own on the same machine; the same mapping will serve the applier.
public struct NodeLayout: Sendable, Hashable {
    /// Prepended to every agent namespace name to get the name under `/run/netns`.
    public var namespacePrefix: String
    /// The public side in the agent's terms (`.host` or `.named("public")`, mapped through the prefix).
    public var publicSide: NamespaceRef
    /// Where wireguard-go's UAPI sockets are (`/var/run/wireguard`).
    public var wireGuardSocketDirectory: String

    public init(
        namespacePrefix: String = "", publicSide: NamespaceRef = .host,
        wireGuardSocketDirectory: String = "/var/run/wireguard"
    ) {
        self.namespacePrefix = namespacePrefix
        self.publicSide = publicSide
        self.wireGuardSocketDirectory = wireGuardSocketDirectory
    }

    /// The host's name (under `/run/netns`) of the agent's namespace `name`.
    public func hostName(of name: String) -> String { namespacePrefix + name }

    /// The agent's name of the host's namespace `hostName`, or `nil` when it lacks the prefix.
    public func agentName(of hostName: String) -> String? {
        guard hostName.hasPrefix(namespacePrefix) else { return nil }
        return String(hostName.dropFirst(namespacePrefix.count))
    }

    /// The namespace `ref` names: `nil` for `.host` (the calling thread's, as RouteNL and Firewall take it).
    public func namespace(_ ref: NamespaceRef) -> NetworkNamespace? {
        ref.name.map { NetworkNamespace.named(hostName(of: $0)) }
    }
}
