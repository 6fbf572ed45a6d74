public import ZmeshModel

/// A longest-prefix-match table, as WireGuard's allowed-IPs trie and the kernel's FIB answer it.
///
/// Inserting a prefix that is already present replaces its value — exactly what WireGuard does when a
/// second peer lists an allowed IP (the prefix silently moves to that peer).
public struct PrefixTable<Value: Sendable>: Sendable {
    private var ipv4: [UInt8: [UInt32: Value]] = [:]
    private var ipv6: [UInt8: [IPv6Address: Value]] = [:]
    private var ipv4Lengths: [UInt8] = []
    private var ipv6Lengths: [UInt8] = []

    /// An empty table.
    public init() {}

    /// Maps `prefix` to `value`, replacing what it mapped to; returns the replaced value.
    @discardableResult
    public mutating func insert(_ prefix: IPPrefix, _ value: Value) -> Value? {
        switch prefix.address {
        case .v4(let address):
            if ipv4[prefix.length] == nil {
                ipv4Lengths.append(prefix.length)
                ipv4Lengths.sort(by: >)
            }
            return ipv4[prefix.length, default: [:]].updateValue(value, forKey: address.value)
        case .v6(let address):
            if ipv6[prefix.length] == nil {
                ipv6Lengths.append(prefix.length)
                ipv6Lengths.sort(by: >)
            }
            return ipv6[prefix.length, default: [:]].updateValue(value, forKey: address)
        }
    }

    /// The value of the longest prefix containing `address`.
    public func lookup(_ address: IPAddress) -> Value? {
        switch address {
        case .v4(let a):
            for length in ipv4Lengths {
                let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length))
                if let value = ipv4[length]?[a.value & mask] { return value }
            }
        case .v6(let a):
            for length in ipv6Lengths {
                if let value = ipv6[length]?[a.masked(to: Int(length))] { return value }
            }
        }
        return nil
    }
}
