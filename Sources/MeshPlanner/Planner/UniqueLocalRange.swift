public import Deployments
public import ZmeshModel

/// The IPv6 range of a network that does not name one: a unique local /48 (RFC 4193) whose 40-bit
/// global id is the first 40 bits of the network id — the first 8 base32 characters, 5 bits each.
///
/// The network id is itself a BLAKE2b hash of the owner and the name, so the range is as random as
/// RFC 4193 asks, and the same for every version of the network.
public enum UniqueLocalRange {
    /// `fdXX:XXXX:XXXX::/48` for `id`.
    public static func derived(from id: NetworkID) -> IPPrefix {
        var globalID: UInt64 = 0
        for byte in id.rawValue.utf8.prefix(8) {
            let value: UInt8 =
                byte >= UInt8(ascii: "a") ? byte - UInt8(ascii: "a") : byte - UInt8(ascii: "2") + 26
            globalID = globalID << 5 | UInt64(value & 31)
        }
        let high = 0xfd00_0000_0000_0000 | globalID << 16
        guard let prefix = try? IPPrefix(.v6(IPv6Address(high: high, low: 0)), length: 48) else {
            preconditionFailure("a /48 prefix is valid")
        }
        return prefix
    }
}
