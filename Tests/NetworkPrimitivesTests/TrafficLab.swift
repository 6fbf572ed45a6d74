import Firewall
import RouteNL
import SystemSupport
import ZmeshModel
import ZmeshTestSupport

/// Namespaces wired together with RouteNL, for traffic tests: every address lives on a veth inside
/// a namespace the fixture made, so nothing is ever sent anywhere else.
struct TrafficLab {
    let fixture: NamespaceFixture
    private(set) var connections: [String: RouteNetlink] = [:]

    init(_ fixture: NamespaceFixture) { self.fixture = fixture }

    /// Creates the namespace for `role` (loopback up) and a connection to it.
    mutating func add(_ role: String) throws {
        let namespace = try fixture.namespace(role)
        connections[role] = try RouteNetlink(namespace: namespace)
    }

    func rt(_ role: String) -> RouteNetlink {
        guard let connection = connections[role] else { preconditionFailure("no namespace \(role) in the lab") }
        return connection
    }

    func name(_ role: String) -> String { fixture.namespaceName(role) }
    func namespace(_ role: String) -> NetworkNamespace { .named(fixture.namespaceName(role)) }

    /// A veth between two namespaces, both ends up, with the given addresses (`a/len`).
    func wire(
        _ left: String, _ leftLink: String, _ leftAddresses: [String], to right: String, _ rightLink: String,
        _ rightAddresses: [String], leftMTU: UInt32? = nil, rightMTU: UInt32? = nil
    ) throws {
        let leftName = try fixture.linkName(leftLink)
        let rightName = try fixture.linkName(rightLink)
        try rt(left).createVeth(leftName, peer: rightName, peerNamespace: namespace(right), up: true)
        try rt(right).setUp(rightName)
        if let leftMTU { try rt(left).setMTU(leftName, leftMTU) }
        if let rightMTU { try rt(right).setMTU(rightName, rightMTU) }
        for text in leftAddresses { try rt(left).addAddress(try InterfaceAddress(text), to: leftName) }
        for text in rightAddresses { try rt(right).addAddress(try InterfaceAddress(text), to: rightName) }
    }

    func route(_ role: String, _ destination: String, via gateway: String) throws {
        try rt(role).addRoute(Route(destination: try IPPrefix(destination), gateway: try IPAddress(gateway)))
    }

    func forwarding(_ role: String) throws {
        try namespace(role).setSysctls([(.ipv4Forwarding, "1"), (.ipv6Forwarding, "1")])
    }

    func apply(_ table: FirewallTable, in role: String) throws {
        try NFTablesContext(namespace: namespace(role)).apply(table)
    }

    func link(_ role: String) throws -> InterfaceName { try fixture.linkName(role) }
}
