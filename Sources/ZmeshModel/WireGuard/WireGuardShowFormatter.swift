/// Writes devices the way wireguard-tools 1.0.20210914 prints them — `wg show` (pretty, `dump` and the
/// single-field modes) and `wg showconf` — byte for byte. Pure: the caller supplies the time, whether
/// to colour, and how to name IPv6 scopes.
public struct WireGuardShowFormatter: Sendable {
    /// Colour the pretty output with `wg`'s ANSI sequences (`wg` does when stdout is a terminal).
    public var colors: Bool
    /// Print keys in the pretty output instead of "(hidden)" (`wg` does with `WG_HIDE_KEYS=never`).
    public var revealKeys: Bool
    /// The interface name of a scope id, for link-local IPv6 endpoints (`getnameinfo` prints
    /// `fe80::1%eth0`); `nil` prints the number.
    public var scopeName: @Sendable (UInt32) -> String?

    public init(colors: Bool = false, revealKeys: Bool = false, scopeName: @escaping @Sendable (UInt32) -> String? = { _ in nil }) {
        self.colors = colors
        self.revealKeys = revealKeys
        self.scopeName = scopeName
    }

    /// An endpoint as `getnameinfo(NI_NUMERICHOST | NI_NUMERICSERV)` and `wg` write it:
    /// `192.0.2.1:51820`, `[2001:db8::1]:51820`, `[fe80::1%eth0]:51820`.
    public func endpoint(_ endpoint: Endpoint) -> String {
        switch endpoint.address {
        case .v4(let address):
            return "\(address):\(endpoint.port)"
        case .v6(let address):
            guard endpoint.scopeID != 0 else { return "[\(address)]:\(endpoint.port)" }
            let scope = Self.isLinkLocal(address) ? scopeName(endpoint.scopeID) ?? String(endpoint.scopeID) : String(endpoint.scopeID)
            return "[\(address)%\(scope)]:\(endpoint.port)"
        }
    }

    /// `fe80::/10` or a link-local multicast address: the scopes glibc names by interface.
    static func isLinkLocal(_ address: IPv6Address) -> Bool {
        let top = UInt16(truncatingIfNeeded: address.high >> 48)
        return top & 0xffc0 == 0xfe80 || top & 0xff0f == 0xff02
    }

    /// The last handshake as `wg` keeps it: seconds (0 when there was none).
    static func handshakeSeconds(_ peer: PeerStatus) -> Int64 { peer.lastHandshake?.seconds ?? 0 }

    /// Whether there has been a handshake at all (seconds or nanoseconds non-zero).
    static func hasHandshake(_ peer: PeerStatus) -> Bool {
        guard let time = peer.lastHandshake else { return false }
        return time.seconds != 0 || time.nanoseconds != 0
    }
}
