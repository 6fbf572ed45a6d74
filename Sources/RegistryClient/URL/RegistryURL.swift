import ZmeshModel

/// The registry's base address, validated once where it enters the program (a command-line option, a
/// configuration file): `http://HOST[:PORT][/prefix]` or `https://…`.
///
/// HOST is a DNS name, an IPv4 literal or a bracketed IPv6 literal; PORT defaults to 80 or 443; the
/// optional prefix is a path of unreserved characters (`A–Z a–z 0–9 - . _ ~`) and `/` under which the
/// registry's `/v1/…` paths live. No user, query or fragment. A trailing `/` is dropped.
///
/// The prefix is part of the signed request target: a proxy that strips it before the registry sees
/// the request breaks every signature.
public struct RegistryURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http, https

        var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    public let scheme: Scheme
    /// The host as it goes into the URL: a lowercase name, an IPv4 literal or `[IPv6]`.
    public let host: String
    public let port: UInt16
    /// `""` or a path starting with `/` and not ending with one.
    public let pathPrefix: String

    /// Parses `text`.
    /// - Throws: ``RegistryClientError/invalidURL(value:reason:)`` naming `text` and what is wrong with it.
    public init(_ text: String) throws(RegistryClientError) {
        func bad(_ reason: String) -> RegistryClientError { .invalidURL(value: text, reason: reason) }

        let rest: Substring
        if text.hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst("http://".count)
        } else if text.hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst("https://".count)
        } else {
            throw bad("expected http://HOST:PORT[/prefix] or https://HOST:PORT[/prefix]")
        }
        if rest.contains("?") || rest.contains("#") { throw bad("a registry URL has no query or fragment") }
        if rest.contains("@") { throw bad("a registry URL has no user information") }

        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        let allowedPath = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8)
        guard path.utf8.allSatisfy({ allowedPath.contains($0) }), !path.contains("//") else {
            throw bad("the path prefix may only hold letters, digits, '-', '.', '_', '~' and single '/'")
        }
        pathPrefix = path

        let hostText: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("an IPv6 host needs a closing ']'") }
            let literal = authority[authority.index(after: authority.startIndex)..<close]
            guard (try? IPv6Address(literal)) != nil else { throw bad("'\(literal)' is not an IPv6 address") }
            hostText = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                throw bad("expected ':PORT' after the IPv6 host")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostText = authority
            portText = nil
        }
        guard !hostText.isEmpty else { throw bad("the host is missing") }
        if !hostText.hasPrefix("[") {
            guard Self.isHostName(hostText) else {
                throw bad("'\(hostText)' is not a host name or an IPv4 address")
            }
        }
        host = hostText.lowercased()

        if let portText {
            guard let number = UInt16(portText), number > 0, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw bad("the port '\(portText)' is not a number in 1–65535")
            }
            port = number
        } else {
            port = scheme.defaultPort
        }
    }

    /// A DNS name (labels of letters, digits and inner hyphens, at most 253 characters) or an IPv4 literal.
    private static func isHostName(_ text: Substring) -> Bool {
        if text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e }) {
            return (try? IPv4Address(text)) != nil
        }
        guard text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != 0x2d, bytes.last != 0x2d else { return false }
            return bytes.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d
            }
        }
    }

    /// `scheme://host:port` followed by the prefix.
    public var description: String { "\(scheme.rawValue)://\(host):\(port)\(pathPrefix)" }

    /// The request target for an API path (`/v1/twins` → `/prefix/v1/twins`): what is sent and signed.
    func target(_ apiPath: String) -> String { pathPrefix + apiPath }

    /// The absolute URL of a request target made by ``target(_:)``.
    func url(forTarget target: String) -> String { "\(scheme.rawValue)://\(host):\(port)\(target)" }
}

/// Percent-encoding of one path segment or query value: unreserved characters stay, every other byte
/// becomes `%XX`.
enum PercentEncoding {
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            let unreserved =
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d
                || b == 0x2e || b == 0x5f || b == 0x7e
            if unreserved {
                out.append(b)
            } else {
                out += [0x25, hex[Int(b >> 4)], hex[Int(b & 0xf)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
