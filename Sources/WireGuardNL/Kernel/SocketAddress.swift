import ZmeshModel

/// `WGPEER_A_ENDPOINT` payloads: exactly a `sockaddr_in` (16 bytes) or `sockaddr_in6` (28 bytes);
/// the kernel silently ignores any other size. Family in host order, port big-endian, IPv6 scope id
/// in host order.
enum SocketAddress {
    static func encode(_ endpoint: Endpoint) -> [UInt8] {
        var out: [UInt8]
        switch endpoint.address {
        case .v4(let a):
            out = [UInt8](repeating: 0, count: 16)
            withUnsafeBytes(of: WG.AF_INET) { out.replaceSubrange(0..<2, with: $0) }
            out.replaceSubrange(4..<8, with: a.bytes)
        case .v6(let a):
            out = [UInt8](repeating: 0, count: 28)
            withUnsafeBytes(of: WG.AF_INET6) { out.replaceSubrange(0..<2, with: $0) }
            out.replaceSubrange(8..<24, with: a.bytes)
            withUnsafeBytes(of: endpoint.scopeID) { out.replaceSubrange(24..<28, with: $0) }
        }
        out[2] = UInt8(endpoint.port >> 8)
        out[3] = UInt8(endpoint.port & 0xff)
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> Endpoint? {
        guard bytes.count >= 16 else { return nil }
        let family = bytes.loadUnaligned(as: UInt16.self)
        let port = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        switch family {
        case WG.AF_INET:
            guard let a = IPv4Address(bytes: UnsafeRawBufferPointer(rebasing: bytes[4..<8])) else { return nil }
            return Endpoint(address: .v4(a), port: port)
        case WG.AF_INET6 where bytes.count >= 28:
            guard let a = IPv6Address(bytes: UnsafeRawBufferPointer(rebasing: bytes[8..<24])) else { return nil }
            return Endpoint(address: .v6(a), port: port, scopeID: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        default:
            return nil
        }
    }
}
