/// A UDP endpoint given as a literal address and port: `192.0.2.1:51820`, `[2001:db8::1]:51820`,
/// `[fe80::1%3]:51820` (numeric IPv6 scope id). Host names are refused: nodes get literal endpoints.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let port: UInt16
    /// IPv6 scope (interface index) for link-local addresses; 0 otherwise.
    public let scopeID: UInt32

    public init(address: IPAddress, port: UInt16, scopeID: UInt32 = 0) {
        self.address = address
        self.port = port
        self.scopeID = address.isIPv4 ? 0 : scopeID
    }

    /// - Parameter resolveScope: turns a named IPv6 scope (`fe80::1%eth0`, as wireguard-go prints it)
    ///   into an interface index; without it only numeric scopes are accepted.
    public init(_ text: some StringProtocol, resolveScope: ((Substring) -> UInt32?)? = nil) throws(ParseError) {
        let s = text.trimmingASCIIWhitespace()
        func fail(_ reason: String) -> ParseError { ParseError(kind: "endpoint", value: String(s), reason: reason) }
        let hostPart: Substring
        let portPart: Substring
        if s.first == "[" {
            guard let close = s.firstIndex(of: "]") else { throw fail("missing ']'") }
            hostPart = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.first == ":" else { throw fail("missing ':PORT' after ']'") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { throw fail("missing ':PORT'") }
            hostPart = s[..<colon]
            portPart = s[s.index(after: colon)...]
            guard !hostPart.contains(":") else { throw fail("an IPv6 endpoint must be written [ADDRESS]:PORT") }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCIIDigit), let port = Int(portPart),
            port > 0, port <= 65535
        else { throw fail("port '\(portPart)' is not in 1–65535") }
        var host = hostPart
        var scope: UInt32 = 0
        if let percent = host.firstIndex(of: "%") {
            let scopeText = host[host.index(after: percent)...]
            if let n = UInt32(scopeText) {
                scope = n
            } else if let n = resolveScope?(scopeText) {
                scope = n
            } else {
                throw fail("scope '\(scopeText)' is not a numeric interface index")
            }
            host = host[..<percent]
        }
        let address: IPAddress
        do { address = try IPAddress(host) } catch {
            throw fail("'\(host)' is not a literal IP address (\(error.reason))")
        }
        if address.isIPv4, hostPart.contains("%") || s.first == "[" { throw fail("brackets and scope are for IPv6") }
        self.init(address: address, port: UInt16(port), scopeID: scope)
    }

    public var description: String {
        switch address {
        case .v4(let a): return "\(a):\(port)"
        case .v6(let a): return scopeID == 0 ? "[\(a)]:\(port)" : "[\(a)%\(scopeID)]:\(port)"
        }
    }
}
