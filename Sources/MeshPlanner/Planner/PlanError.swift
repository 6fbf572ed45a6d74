public import Deployments
public import ZmeshCrypto
public import ZmeshModel

/// Why the planner refused a spec. Each case names the offending value; `description` is the message
/// the CLI prints.
public enum PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The IPv4 range is not an IPv4 prefix of length 8 to 22.
    case invalidRange(IPPrefix)
    /// The IPv4 range overlaps a range zmesh reserves (named).
    case reservedRange(IPPrefix, reserved: String)
    /// The IPv6 range is not a unique local /48.
    case invalidIPv6Range(IPPrefix)
    /// Two nodes share an id.
    case duplicateNode(IdentityID)
    /// Two members (nodes or accesses, named) share a WireGuard public key.
    case duplicatePublicKey(first: String, second: String)
    /// A member's (named) WireGuard public key is all zeros.
    case zeroPublicKey(String)
    /// A node's endpoint address cannot be an endpoint (unspecified or multicast).
    case invalidEndpoint(node: IdentityID, address: IPAddress)
    /// A hidden node was given an empty outbound set: it could reach no access node.
    case noOutboundFamily(node: IdentityID)
    /// An access name is not `^[a-z0-9][a-z0-9-]{0,31}$`.
    case invalidAccessName(String)
    /// Two accesses share a name.
    case duplicateAccess(String)
    /// An access names an access node that is not in the network.
    case unknownAccessNode(access: String, node: IdentityID)
    /// An access names an access node without an endpoint in the access's family.
    case ineligibleAccessNode(access: String, node: IdentityID, family: IPFamily)
    /// There are hidden nodes or accesses but no public node to serve them.
    case noPublicNode(hiddenNodes: [IdentityID], accesses: [String])
    /// No public node has an endpoint in a family the hidden node (or access) can dial.
    case noAccessNode(member: String, families: [IPFamily])
    /// Two public nodes cannot dial each other in either direction (no common family).
    case publicNodesCannotConnect(IdentityID, IdentityID)
    /// The range has fewer usable /24s than nodes and accesses.
    case rangeTooSmall(range: IPPrefix, capacity: Int, needed: Int)
    /// Every port the planner may choose is in use on the node.
    case noFreePort(node: IdentityID, range: ClosedRange<UInt16>)
    /// The previous plan is of another network.
    case previousPlanOfAnotherNetwork(expected: NetworkID, found: NetworkID)

    public var description: String {
        switch self {
        case .invalidRange(let range):
            "the network range \(range) is not an IPv4 prefix of length 8 to 22"
        case .reservedRange(let range, let reserved):
            "the network range \(range) overlaps \(reserved)"
        case .invalidIPv6Range(let range):
            "the IPv6 range \(range) is not a unique local /48 (inside fd00::/8)"
        case .duplicateNode(let id):
            "node \(id) is listed twice"
        case .duplicatePublicKey(let first, let second):
            "\(first) and \(second) have the same WireGuard public key"
        case .zeroPublicKey(let member):
            "\(member) has the all-zero key as its WireGuard public key"
        case .invalidEndpoint(let node, let address):
            "node \(node): \(address) cannot be an endpoint (unspecified or multicast)"
        case .noOutboundFamily(let node):
            "hidden node \(node) dials out over no address family, so it cannot reach an access node"
        case .invalidAccessName(let name):
            "access name '\(name)' is invalid: use 1–32 characters a–z, 0–9 and '-', starting with a letter or digit"
        case .duplicateAccess(let name):
            "access '\(name)' is listed twice"
        case .unknownAccessNode(let access, let node):
            "access '\(access)' names access node \(node), which is not in the network"
        case .ineligibleAccessNode(let access, let node, let family):
            "access '\(access)' dials over \(family), but its access node \(node) has no \(family) endpoint"
        case .noPublicNode(let hidden, let accesses):
            "the network has no public node to serve "
                + ([
                    hidden.isEmpty ? nil : "hidden nodes \(hidden.map(\.rawValue).joined(separator: ", "))",
                    accesses.isEmpty ? nil : "accesses \(accesses.joined(separator: ", "))",
                ]
                .compactMap { $0 }.joined(separator: " and "))
                + ": give at least one node a public endpoint"
        case .noAccessNode(let member, let families):
            "\(member) dials out over \(families.map(\.description).joined(separator: " and ")) only, "
                + "but no public node has an endpoint in that family"
        case .publicNodesCannotConnect(let a, let b):
            "public nodes \(a) and \(b) cannot reach each other: neither has an endpoint in a family the other "
                + "dials out over"
        case .rangeTooSmall(let range, let capacity, let needed):
            "the network range \(range) has \(capacity) usable /24 subnets, but \(needed) are needed "
                + "(one per node and per access)"
        case .noFreePort(let node, let range):
            "node \(node) has no free UDP port in \(range.lowerBound)–\(range.upperBound)"
        case .previousPlanOfAnotherNetwork(let expected, let found):
            "the previous plan is of network \(found), not \(expected)"
        }
    }
}
