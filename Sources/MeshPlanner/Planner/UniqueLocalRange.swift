public import Deployments
public import ZmeshModel
import ZmeshCrypto

/// The IPv6 range of a network that does not name one: a unique local /48 (RFC 4193) whose 40-bit
/// global id is the first 40 bits of the network id — the first 8 base32 characters, 5 bits each.
///
/// The network id is itself a BLAKE2b hash of the owner and the name, so the range is as random as
/// RFC 4193 asks, and the same for every version of the network.
public enum UniqueLocalRange {
    /// `fdXX:XXXX:XXXX::/48` for `id`.
    public static func derived(from id: NetworkID) -> IPPrefix {
        // Eight base32 characters are exactly 40 bits: five bytes.
        guard let bytes = Base32.decode(id.rawValue.prefix(8)) else {
            preconditionFailure("a network id is base32")
        }
        let globalID = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let high = 0xfd00_0000_0000_0000 | globalID << 16
        guard let prefix = try? IPPrefix(.v6(IPv6Address(high: high, low: 0)), length: 48) else {
            preconditionFailure("a /48 prefix is valid")
        }
        return prefix
    }
}
