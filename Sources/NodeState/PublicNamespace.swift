public import Firewall
public import ZmeshModel

/// A node's dedicated public configuration (node setup, opt-in): the host interface the public
/// network is on, the node's public IPv4 address on it with its gateway, optionally an IPv6 address
/// and gateway. Validated when made; every refusal names the value.
public struct PublicConfig: Sendable, Hashable {
    /// The host's interface the public network is on (the macvlan's parent; never changed).
    public let parent: InterfaceName
    public let ipv4: AssignedAddress
    public let gateway4: IPAddress
    public let ipv6: AssignedAddress?
    public let gateway6: IPAddress?

    /// - Throws: ``PublicConfigError`` when an address is of the wrong family, a gateway is the
    ///   address itself or not on its subnet (an IPv6 gateway may also be link-local), or only one of
    ///   the IPv6 address and gateway is given.
    public init(
        parent: InterfaceName, ipv4: AssignedAddress, gateway4: IPAddress, ipv6: AssignedAddress? = nil,
        gateway6: IPAddress? = nil
    ) throws(PublicConfigError) {
        guard ipv4.address.isIPv4 else { throw PublicConfigError("public address \(ipv4)", "is not an IPv4 address") }
        guard ipv4.prefixLength < 32 else {
            throw PublicConfigError("public address \(ipv4)", "a /32 has no gateway on its subnet")
        }
        try Self.check(gateway: gateway4, of: ipv4, name: "public gateway")
        switch (ipv6, gateway6) {
        case (nil, nil): break
        case (let address?, let gateway?):
            guard !address.address.isIPv4 else {
                throw PublicConfigError("public IPv6 address \(address)", "is not an IPv6 address")
            }
            guard !address.isIPv6LinkLocal else {
                throw PublicConfigError("public IPv6 address \(address)", "is link-local")
            }
            if !(gateway.isIPv4 == false && Self.isLinkLocal(gateway)) {
                try Self.check(gateway: gateway, of: address, name: "public IPv6 gateway")
            }
        case (let address?, nil):
            throw PublicConfigError("public IPv6 address \(address)", "needs a public IPv6 gateway")
        case (nil, let gateway?):
            throw PublicConfigError("public IPv6 gateway \(gateway)", "needs a public IPv6 address")
        }
        self.parent = parent
        self.ipv4 = ipv4
        self.gateway4 = gateway4
        self.ipv6 = ipv6
        self.gateway6 = gateway6
    }

    /// The addresses the node registers as public (the IPv4 one, then the IPv6 one).
    public var publicAddresses: [IPAddress] { [ipv4.address] + (ipv6.map { [$0.address] } ?? []) }

    private static func check(gateway: IPAddress, of address: AssignedAddress, name: String) throws(PublicConfigError) {
        guard gateway.isIPv4 == address.address.isIPv4 else {
            throw PublicConfigError("\(name) \(gateway)", "is not of the family of \(address)")
        }
        guard gateway != address.address else { throw PublicConfigError("\(name) \(gateway)", "is the address itself") }
        guard let subnet = try? IPPrefix(address.address, length: address.prefixLength), subnet.contains(gateway) else {
            throw PublicConfigError("\(name) \(gateway)", "is not on the subnet of \(address)")
        }
    }

    private static func isLinkLocal(_ address: IPAddress) -> Bool {
        guard case .v6(let v6) = address else { return false }
        return v6.high >> 54 == 0x3fa
    }
}

/// A refused public configuration: the value and why.
public struct PublicConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var reason: String

    init(_ value: String, _ reason: String) {
        self.value = value
        self.reason = reason
    }

    public var description: String { "\(value): \(reason)" }
}

/// The `public` namespace as the kernel should hold it (node setup, with a ``PublicConfig``): the
/// namespace the node's WireGuard links are created in (their UDP sockets stay there), with
/// forwarding off and `lo` up; a macvlan `public` on the host's public interface (mode `bridge`),
/// living in the namespace, with the public address(es) and default route(s); and the table
/// `inet zmesh-public` (``Firewall/PublicIngress``) letting in only WireGuard to the node's ports,
/// replies, ICMP errors and neighbour discovery.
///
/// Mode `bridge`, not `private`: a sibling macvlan on the same parent (a VM's public interface,
/// another node on the same machine) then reaches the node's WireGuard ports directly, as a
/// neighbour across a switch would; `private` would cut exactly those peers off while isolating
/// nothing that `zmesh-public` does not already drop. (In every mode the host itself, through the
/// parent, cannot reach its macvlans.)
public struct PublicNamespaceState: Sendable, Equatable {
    public var namespace: String { Ownership.publicNamespace }
    /// The host's interface the macvlan is on.
    public var parent: InterfaceName
    /// The macvlan `public` (in the `public` namespace).
    public var link: LinkState
    /// `default via <gateway4> dev public`, and the IPv6 one when configured.
    public var routes: [RouteSpec]
    /// `zmesh-public`.
    public var table: FirewallTable

    /// The namespace for `config`, open to the WireGuard listen ports `wireGuardPorts`.
    public init(config: PublicConfig, wireGuardPorts: [UInt16]) throws(DesiredStateError) {
        parent = config.parent
        let device = Ownership.publicInterface
        link = LinkState(name: device, mtu: nil, addresses: Set([config.ipv4] + (config.ipv6.map { [$0] } ?? [])))
        do {
            var routes = [
                RouteSpec(destination: try IPPrefix(.v4(IPv4Address(0)), length: 0), gateway: config.gateway4, device: device)
            ]
            if let gateway6 = config.gateway6 {
                routes.append(
                    RouteSpec(
                        destination: try IPPrefix(.v6(IPv6Address(high: 0, low: 0)), length: 0), gateway: gateway6,
                        device: device))
            }
            self.routes = routes
            table = try PublicIngress(wireGuardPorts: wireGuardPorts).table()
        } catch {
            throw DesiredStateError(problems: ["the public namespace: \(error)"])
        }
    }
}
