/// The value syntax `wg(8)` accepts in configuration files and on its command line, shared by
/// ``WireGuardConfigFile`` and `zmesh wg set`. Every error names the offending value, except for keys,
/// which are never repeated (a key in the wrong place may be a private key).
public enum WireGuardValueSyntax {
    /// A UDP listen port: decimal 0–65535 (0 lets the implementation pick one).
    /// `wg` also resolves service names from `/etc/services`; zmesh takes numbers only.
    public static func listenPort(_ text: some StringProtocol, kind: String = "listen port") throws(ParseError) -> UInt16 {
        guard !text.isEmpty, text.utf8.count <= 5, text.allSatisfy(\.isASCIIDigit), let port = UInt16(text) else {
            throw ParseError(kind: kind, value: String(text), reason: "not a port number in 0–65535")
        }
        return port
    }

    /// A firewall mark: `off`, decimal, or `0x` hexadecimal, at most 0xffffffff; 0 and `off` mean none.
    public static func fwmark(_ text: some StringProtocol, kind: String = "fwmark") throws(ParseError) -> UInt32 {
        func fail() -> ParseError {
            ParseError(kind: kind, value: String(text), reason: "neither 'off' nor a number in 0–0xffffffff")
        }
        if text.lowercased() == "off" { return 0 }
        let utf8 = Array(text.utf8)
        guard let first = utf8.first, first.isDecimalDigit else { throw fail() }
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") {
            let digits = text.dropFirst(2)
            guard digits.allSatisfy(\.isASCIIHexDigit), let value = UInt32(digits, radix: 16) else { throw fail() }
            return value
        }
        guard utf8.allSatisfy(\.isDecimalDigit), let value = UInt32(text) else { throw fail() }
        return value
    }

    /// A persistent-keepalive interval in seconds: `off`, or 0–65535 (0 means off).
    public static func persistentKeepalive(
        _ text: some StringProtocol, kind: String = "persistent keepalive"
    ) throws(ParseError) -> UInt16 {
        if text.lowercased() == "off" { return 0 }
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = UInt16(text) else {
            throw ParseError(kind: kind, value: String(text), reason: "neither 'off' nor a number of seconds in 0–65535")
        }
        return value
    }

    /// A key in the base64 form `wg` prints (44 characters). The error never repeats the text.
    public static func key(_ text: some StringProtocol, kind: String) throws(ParseError) -> WireGuardKey {
        guard let key = WireGuardKey(base64: text) else {
            throw ParseError(
                kind: kind, value: "(\(text.utf8.count) characters, not shown)",
                reason: "expected 44 characters of base64 encoding 32 bytes")
        }
        return key
    }

    /// An endpoint given as a literal address and port. Host names are refused with a reason that says
    /// so: zmesh never resolves names (`wg` does, with getaddrinfo and retries).
    public static func endpoint(_ text: some StringProtocol, kind: String = "endpoint") throws(ParseError) -> Endpoint {
        if let fast = LiteralBytes.ipv4Endpoint(Array(text.utf8)) { return fast }
        do {
            return try Endpoint(text)
        } catch {
            if looksLikeHostName(text) {
                throw ParseError(
                    kind: kind, value: String(text),
                    reason: "host names are not resolved; give a literal IPv4 address or a bracketed IPv6 address and a port")
            }
            throw ParseError(kind: kind, value: String(text), reason: error.reason)
        }
    }

    /// A comma-separated list of prefixes (`10.0.0.0/24,fd00::1`); a bare address is a host prefix.
    /// An empty list is allowed (it clears a peer's allowed IPs). Prefixes with host bits set are
    /// accepted and masked, as the kernel does; `warnings` receives a note for each, as `wg` prints one.
    public static func allowedIPs(
        _ text: some StringProtocol, kind: String = "allowed IP", warnings: inout [String]
    ) throws(ParseError) -> [IPPrefix] {
        if text.isEmpty { return [] }
        var prefixes: [IPPrefix] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (prefix, masked) = try allowedIP(Substring(entry), kind: kind)
            if masked { warnings.append("\(kind) '\(entry)' has a nonzero host part; it means \(prefix)") }
            prefixes.append(prefix)
        }
        return prefixes
    }

    /// One prefix, and whether host bits had to be cleared.
    static func allowedIP(_ entry: Substring, kind: String) throws(ParseError) -> (IPPrefix, masked: Bool) {
        guard !entry.isEmpty else {
            throw ParseError(kind: kind, value: "", reason: "empty entry in a comma-separated list")
        }
        if let fast = LiteralBytes.ipv4Prefix(entry.utf8) { return fast }
        let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address: IPAddress
        do { address = try IPAddress(parts[0]) } catch {
            throw ParseError(kind: kind, value: String(entry), reason: error.reason)
        }
        var length = address.bitWidth
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
                throw ParseError(kind: kind, value: String(entry), reason: "prefix length '\(digits)' is not a number")
            }
            guard digits.utf8.count <= 3, let n = Int(digits), n <= address.bitWidth else {
                throw ParseError(
                    kind: kind, value: String(entry),
                    reason: "prefix length \(digits) is out of range 0–\(address.bitWidth)")
            }
            length = n
        }
        let prefix: IPPrefix
        do { prefix = try IPPrefix(address, length: length) } catch {
            throw ParseError(kind: kind, value: String(entry), reason: error.reason)
        }
        return (prefix, prefix.address != address)
    }

    /// Whether `text` is `NAME:PORT` with a name that no IPv4 literal matches (letters, no colons).
    private static func looksLikeHostName(_ text: some StringProtocol) -> Bool {
        guard text.first != "[", let colon = text.lastIndex(of: ":") else { return false }
        let host = text[..<colon]
        return !host.contains(":") && host.contains(where: \.isLetter)
    }
}

/// Byte-level fast paths for the common IPv4 forms (a 10,000-peer file is mostly these). Each returns
/// `nil` for anything it does not fully accept, and the caller falls back to the general parsers, which
/// accept the same IPv4 text and explain refusals.
enum LiteralBytes {
    /// Strict dotted quad: four decimal octets 0–255 without leading zeros.
    static func ipv4(_ bytes: some Collection<UInt8>) -> IPv4Address? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits, dots) = (0, 0, dots + 1)
            } else if byte.isDecimalDigit {
                guard digits == 0 || octet != 0 else { return nil }  // leading zero
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return IPv4Address(value << 8 | octet)
    }

    /// Decimal digits only, at most `limit`.
    static func number(_ bytes: some Collection<UInt8>, limit: UInt32) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte.isDecimalDigit else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(limit) ? UInt32(value) : nil
    }

    /// `a.b.c.d:port` with a port in 1–65535.
    static func ipv4Endpoint<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Endpoint? {
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")), let address = ipv4(bytes[..<colon]) else { return nil }
        let digits = bytes[bytes.index(after: colon)...]
        guard digits.count <= 5, let port = number(digits, limit: 65535), port > 0 else { return nil }
        return Endpoint(address: .v4(address), port: UInt16(port))
    }

    /// `a.b.c.d` or `a.b.c.d/len`, and whether host bits were cleared.
    static func ipv4Prefix<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> (IPPrefix, masked: Bool)? {
        let slash = bytes.firstIndex(of: UInt8(ascii: "/"))
        guard let address = ipv4(bytes[..<(slash ?? bytes.endIndex)]) else { return nil }
        var length = 32
        if let slash {
            let digits = bytes[bytes.index(after: slash)...]
            guard digits.count <= 3, let n = number(digits, limit: 32) else { return nil }
            length = Int(n)
        }
        guard let prefix = try? IPPrefix(.v4(address), length: length) else { return nil }
        return (prefix, prefix.address != .v4(address))
    }
}

extension UInt8 {
    var isDecimalDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
