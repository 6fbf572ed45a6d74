public import ZmeshModel

/// The parts of a wg-quick file the simulator needs: the interface's addresses and its peers.
///
/// wg-quick adds a route into the interface for every allowed IP of every peer, which is how the
/// simulator routes a device's packets. `PrivateKey`, `DNS`, `MTU` and the hooks are read past.
public struct WGQuickFile: Sendable, Equatable {
    /// `Address =` values, in order.
    public var addresses: [PlannedAddress]
    /// `ListenPort =`, when given.
    public var listenPort: UInt16?
    /// The `[Peer]` sections.
    public var peers: [PeerConfiguration]

    /// Parses the text of a wg-quick file.
    public init(parsing text: String) throws(ParseError) {
        addresses = []
        peers = []
        var section = ""
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func fail(_ reason: String) -> ParseError {
                ParseError(kind: "wg-quick line", value: "\(number + 1)", reason: reason)
            }
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                section = String(line).lowercased()
                if section == "[peer]" { peers.append(PeerConfiguration(publicKey: .zero)) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected 'Key = Value'") }
            let key = line[..<equals].trimmingCharacters().lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters()
            let list = value.split(separator: ",").map { $0.trimmingCharacters() }
            switch (section, key) {
            case ("[interface]", "address"):
                for item in list {
                    let parts = item.split(separator: "/", maxSplits: 1)
                    let address = try IPAddress(parts[0])
                    let length = parts.count == 2 ? UInt8(parts[1]) : UInt8(address.bitWidth)
                    guard let length, Int(length) <= address.bitWidth else { throw fail("bad address '\(item)'") }
                    addresses.append(PlannedAddress(address, prefixLength: length))
                }
            case ("[interface]", "listenport"):
                guard let port = UInt16(value) else { throw fail("bad port '\(value)'") }
                listenPort = port
            case ("[interface]", _):
                continue
            case ("[peer]", "publickey"):
                peers[peers.count - 1].publicKey = try WireGuardKey(value, kind: "public key")
            case ("[peer]", "allowedips"):
                for item in list { peers[peers.count - 1].allowedIPs.append(try IPPrefix(item)) }
            case ("[peer]", "endpoint"):
                peers[peers.count - 1].endpoint = try Endpoint(value)
            case ("[peer]", "persistentkeepalive"):
                guard let seconds = value == "off" ? 0 : UInt16(value) else { throw fail("bad keepalive '\(value)'") }
                peers[peers.count - 1].persistentKeepalive = seconds
            default:
                throw fail("unexpected '\(key)' in section '\(section)'")
            }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingCharacters() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }),
            let last = s.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" })
        else { return s[s.startIndex..<s.startIndex] }
        return s[first...last]
    }
}
