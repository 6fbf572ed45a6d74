internal import Deployments
public import Firewall
public import ZmeshModel

/// What node setup needs to know to give the ndmz its way out, from the caller (the daemon reads
/// the host; the pure core never does): which destinations network resources must not reach
/// through it (the host's own addresses and the operator's LANs), and which gateways they may.
///
/// The uplink itself is derived, the same on every node: a veth from the host (its end `ndmz`,
/// `100.127.0.0/31`) to the ndmz (its end `host`, `100.127.0.1/31`, the ndmz's default route via
/// `100.127.0.0`). That /31 is slot 0 of the ndmz range, which network resources never get (their
/// slots are 1…32767).
public struct NDMZUplink: Sendable, Hashable {
    /// Destinations network resources may not reach (besides the whole ndmz range, always added).
    public var protectedDestinations: [IPPrefix]
    /// Gateways network resources may still reach though they are inside a protected prefix.
    public var defaultGateways: [IPAddress]

    public init(protectedDestinations: [IPPrefix] = [], defaultGateways: [IPAddress] = []) {
        self.protectedDestinations = protectedDestinations
        self.defaultGateways = defaultGateways
    }

    /// Protects each of the host's addresses and the subnet it sits on (the operator's LAN), but
    /// not loopback, link-local and the ndmz range's own addresses (those are the uplink's).
    public init(hostAddresses: [AssignedAddress], defaultGateways: [IPAddress] = []) {
        var protected: Set<IPPrefix> = []
        for assigned in hostAddresses {
            let address = assigned.address
            guard !Self.isExempt(address) else { continue }
            if let host = try? IPPrefix(address, length: address.bitWidth) { protected.insert(host) }
            if let subnet = try? IPPrefix(address, length: assigned.prefixLength) { protected.insert(subnet) }
        }
        self.init(protectedDestinations: protected.sorted(), defaultGateways: defaultGateways.sorted())
    }

    /// The host's end of the veth and its address.
    public static let hostEndAddress = uplinkAddress(offset: 0)
    /// The ndmz's end of the veth and its address.
    public static let ndmzEndAddress = uplinkAddress(offset: 1)

    /// Loopback, IPv4 and IPv6 link-local, and the ndmz range.
    static func isExempt(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let v4):
            let first = v4.value >> 24
            return first == 127 || v4.value >> 16 == 0xa9fe || ReservedRanges.ndmz.contains(address)
        case .v6(let v6):
            return (v6.high == 0 && v6.low == 1) || v6.high >> 54 == 0x3fa
        }
    }

    private static func uplinkAddress(offset: UInt32) -> AssignedAddress {
        guard let address = try? AssignedAddress(.v4(IPv4Address(EgressAddressPlan.base.value &+ offset)), prefixLength: 31)
        else { preconditionFailure("100.127.0.0/31 is a valid interface address") }
        return address
    }
}

/// The ndmz's uplink as the kernel should hold it (node setup): the veth between the host and the
/// ndmz with its two addresses, the ndmz's default route through it, the host's `zmesh-host` table,
/// and forwarding on the host (`net.ipv4.ip_forward`; IPv6 forwarding on the host is never touched:
/// turning it on would make the host ignore router advertisements).
public struct NDMZUplinkState: Sendable, Equatable {
    /// `ndmz` on the host.
    public var hostEnd: LinkState
    /// `host` in the ndmz.
    public var ndmzEnd: LinkState
    /// The ndmz's routes through `host`: the IPv4 default route via the host's end.
    public var routes: [RouteSpec]
    /// `zmesh-host` (``Firewall/HostUplink``): masquerade of the ndmz range out of the host's other
    /// interfaces, nothing unsolicited towards the ndmz or from it to the host.
    public var hostTable: FirewallTable

    /// The uplink every node has (it depends on nothing but the agent's names).
    public init() throws(DesiredStateError) {
        hostEnd = LinkState(name: Ownership.hostUplinkInterface, mtu: nil, addresses: [NDMZUplink.hostEndAddress])
        ndmzEnd = LinkState(name: Ownership.ndmzUplinkInterface, mtu: nil, addresses: [NDMZUplink.ndmzEndAddress])
        do {
            routes = [
                RouteSpec(
                    destination: try IPPrefix(.v4(IPv4Address(0)), length: 0),
                    gateway: NDMZUplink.hostEndAddress.address, device: Ownership.ndmzUplinkInterface)
            ]
            hostTable = try HostUplink(uplink: Ownership.hostUplinkInterface, sources: [ReservedRanges.ndmz]).table()
        } catch {
            throw DesiredStateError(problems: ["the ndmz uplink: \(error)"])
        }
    }

    /// The ndmz's policy for this uplink: `NDMZPolicy` with the ndmz end as its public interface,
    /// every `n-<id>` as a resource interface, and the whole ndmz range (the host's end among it)
    /// added to what `uplink` protects.
    public static func policy(_ uplink: NDMZUplink) throws(DesiredStateError) -> FirewallTable {
        do {
            return try NDMZPolicy(
                publicInterface: Ownership.ndmzUplinkInterface, resourceInterfaces: .prefix("n-"),
                defaultGateways: uplink.defaultGateways,
                protectedDestinations: Array(Set(uplink.protectedDestinations + [ReservedRanges.ndmz])).sorted()
            ).table()
        } catch {
            throw DesiredStateError(problems: ["the ndmz policy: \(error)"])
        }
    }
}
