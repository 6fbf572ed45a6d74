internal import CNLRoute
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// Conversions between zmesh's address types and libnl's `struct nl_addr`.
enum NLAddress {
    /// A new `nl_addr` (caller puts it) for `address` with `prefixLength`.
    static func make(_ address: IPAddress, prefixLength: Int) -> OpaquePointer? {
        let bytes = address.bytes
        let made = bytes.withUnsafeBytes { nl_addr_build(family(of: address), $0.baseAddress, $0.count) }
        if let made { nl_addr_set_prefixlen(made, Int32(prefixLength)) }
        return made
    }

    /// The address an `nl_addr` holds, when it is 4 or 16 bytes of IPv4/IPv6.
    static func address(_ pointer: OpaquePointer?) -> IPAddress? {
        guard let pointer, let raw = nl_addr_get_binary_addr(pointer) else { return nil }
        let length = Int(nl_addr_get_len(pointer))
        let bytes = UnsafeRawBufferPointer(start: raw, count: length)
        switch (nl_addr_get_family(pointer), length) {
        case (AF_INET, 4): return IPv4Address(bytes: bytes).map { .v4($0) }
        case (AF_INET6, 16): return IPv6Address(bytes: bytes).map { .v6($0) }
        default: return nil
        }
    }

    /// A link-layer address as `aa:bb:cc:dd:ee:ff` (what `ip link` prints).
    static func hardwareAddress(_ pointer: OpaquePointer?) -> String? {
        guard let pointer, let raw = nl_addr_get_binary_addr(pointer) else { return nil }
        let length = Int(nl_addr_get_len(pointer))
        guard length > 0 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: raw, count: length)
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    static func family(of address: IPAddress) -> Int32 { address.isIPv4 ? AF_INET : AF_INET6 }
}
