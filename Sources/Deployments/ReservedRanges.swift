public import ZmeshModel

/// The address ranges zmesh keeps for itself or that make no sense inside a tenant network: tenant
/// ranges may not overlap them. All of zmesh's fixed address constants live here.
public enum ReservedRanges {
    /// Shared address space (RFC 6598). zmesh takes all of it: WireGuard interface addresses and the
    /// ndmz range are inside it, and a tenant range overlapping it could collide with either.
    public static let sharedAddressSpace = v4(100, 64, 0, 0, 10)

    /// WireGuard interface addresses: a node whose subnet is `a.b.c.0/24` gets `100.64.b.c` on `w-<id>`
    /// (as in Zero-OS). Allowed IPs may name addresses in this block.
    public static let wireGuardAddresses = v4(100, 64, 0, 0, 16)

    /// The ndmz range: each network resource's egress is NATed to a unique address of it before it
    /// leaves the node through the `ndmz` namespace (the range Zero-OS uses, inside RFC 6598).
    public static let ndmz = v4(100, 127, 0, 0, 16)

    /// Where tenant IPv6 ranges come from: unique local addresses with the L bit set (RFC 4193).
    public static let uniqueLocalIPv6 = v6(0xfd00_0000_0000_0000, 8)

    /// The IPv4 ranges a tenant range may not overlap, each with the reason given in messages,
    /// most specific first.
    public static let ipv4: [(prefix: IPPrefix, name: String)] = [
        (v4(0, 0, 0, 0, 8), "'this network' (0.0.0.0/8)"),
        (ndmz, "the ndmz range (100.127.0.0/16)"),
        (wireGuardAddresses, "zmesh's WireGuard addresses (100.64.0.0/16)"),
        (sharedAddressSpace, "the shared address space zmesh uses (100.64.0.0/10)"),
        (v4(127, 0, 0, 0, 8), "loopback (127.0.0.0/8)"),
        (v4(169, 254, 0, 0, 16), "link-local (169.254.0.0/16)"),
        (v4(224, 0, 0, 0, 4), "multicast (224.0.0.0/4)"),
        (v4(240, 0, 0, 0, 4), "the reserved and broadcast range (240.0.0.0/4)"),
    ]

    /// The first reserved IPv4 range `prefix` overlaps, by its name.
    public static func reservedRange(overlapping prefix: IPPrefix) -> String? {
        ipv4.first { $0.prefix.overlaps(prefix) }?.name
    }

    /// The WireGuard interface address of the node whose IPv4 subnet is `subnet`: `100.64.b.c` for
    /// `a.b.c.0/24`.
    public static func wireGuardAddress(forSubnet subnet: IPPrefix) -> IPv4Address? {
        guard case .v4(let address) = subnet.address else { return nil }
        return wireGuardAddress(forSubnetAddress: address)
    }

    /// The WireGuard interface address of the node whose /24 starts at `subnet`: `100.64.b.c` for
    /// `a.b.c.0` (the last octet is ignored).
    public static func wireGuardAddress(forSubnetAddress subnet: IPv4Address) -> IPv4Address {
        IPv4Address(
            100, 64, UInt8(truncatingIfNeeded: subnet.value >> 16), UInt8(truncatingIfNeeded: subnet.value >> 8))
    }

    private static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ length: Int) -> IPPrefix {
        guard let prefix = try? IPPrefix(.v4(IPv4Address(a, b, c, d)), length: length) else {
            preconditionFailure("invalid reserved prefix constant")
        }
        return prefix
    }

    private static func v6(_ high: UInt64, _ length: Int) -> IPPrefix {
        guard let prefix = try? IPPrefix(.v6(IPv6Address(high: high, low: 0)), length: length) else {
            preconditionFailure("invalid reserved prefix constant")
        }
        return prefix
    }
}
