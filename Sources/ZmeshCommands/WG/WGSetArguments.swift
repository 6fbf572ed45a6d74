import ZmeshModel

/// The arguments of `wg set INTERFACE …`, parsed with `wg`'s grammar: device settings
/// (`listen-port`, `fwmark`, `private-key FILE`) first, then any number of `peer KEY` groups with
/// `remove`, `endpoint`, `allowed-ips`, `persistent-keepalive`, `preshared-key FILE`.
/// Key files are named here and read by ``update(readingKeysWith:)``.
struct WGSetArguments: Equatable {
    var privateKeyFile: String?
    var listenPort: UInt16?
    var fwmark: UInt32?
    var peers: [Peer] = []
    /// Notes `wg` would print (allowed IPs with host bits set).
    var warnings: [String] = []

    struct Peer: Equatable {
        var publicKey: WireGuardKey
        var remove = false
        var endpoint: Endpoint?
        /// `nil` when not given; given, it replaces the peer's list (empty clears it).
        var allowedIPs: [IPPrefix]?
        var persistentKeepalive: UInt16?
        var presharedKeyFile: String?
    }

    init(parsing arguments: [String]) throws(WGCommandError) {
        guard !arguments.isEmpty else {
            throw WGCommandError("nothing to set; give listen-port, fwmark, private-key or peer settings")
        }
        var index = 0
        func value(of keyword: String) throws(WGCommandError) -> String {
            guard index + 1 < arguments.count else { throw WGCommandError("'\(keyword)' needs a value") }
            index += 2
            return arguments[index - 1]
        }
        func checked<T>(_ body: () throws(ParseError) -> T) throws(WGCommandError) -> T {
            do { return try body() } catch { throw WGCommandError(error.description) }
        }
        while index < arguments.count {
            let keyword = arguments[index]
            switch keyword {
            case "listen-port", "fwmark", "private-key":
                guard peers.isEmpty else {
                    throw WGCommandError("'\(keyword)' is a device setting and must come before the first 'peer'")
                }
                let text = try value(of: keyword)
                switch keyword {
                case "listen-port": listenPort = try checked { () throws(ParseError) in try WireGuardValueSyntax.listenPort(text) }
                case "fwmark": fwmark = try checked { () throws(ParseError) in try WireGuardValueSyntax.fwmark(text) }
                default: privateKeyFile = text
                }
            case "peer":
                let text = try value(of: keyword)
                let key = try checked { () throws(ParseError) in try WireGuardValueSyntax.key(text, kind: "peer public key") }
                peers.append(Peer(publicKey: key))
            case "remove":
                guard !peers.isEmpty else { throw WGCommandError("'remove' must follow 'peer KEY'") }
                peers[peers.count - 1].remove = true
                index += 1
            case "endpoint", "allowed-ips", "persistent-keepalive", "preshared-key":
                guard !peers.isEmpty else { throw WGCommandError("'\(keyword)' must follow 'peer KEY'") }
                let text = try value(of: keyword)
                var peer = peers[peers.count - 1]
                switch keyword {
                case "endpoint": peer.endpoint = try checked { () throws(ParseError) in try WireGuardValueSyntax.endpoint(text) }
                case "allowed-ips":
                    let compact = String(text.unicodeScalars.filter { !Self.isSpace($0) })
                    var notes: [String] = []
                    peer.allowedIPs = try checked { () throws(ParseError) in
                        try WireGuardValueSyntax.allowedIPs(compact, warnings: &notes)
                    }
                    warnings += notes
                case "persistent-keepalive":
                    peer.persistentKeepalive = try checked { () throws(ParseError) in
                        try WireGuardValueSyntax.persistentKeepalive(text)
                    }
                default: peer.presharedKeyFile = text
                }
                peers[peers.count - 1] = peer
            default:
                throw WGCommandError("unknown argument '\(Self.shown(keyword))'")
            }
        }
    }

    /// The update `wg set` sends, with key files read by `readKey(path, what)`. A key file that is empty
    /// (or `/dev/null`) gives the zero key, which removes the private or preshared key.
    func update(readingKeysWith readKey: (String, String) throws(WGCommandError) -> WireGuardKey) throws(WGCommandError) -> DeviceUpdate {
        var update = DeviceUpdate(listenPort: listenPort, fwmark: fwmark)
        if let privateKeyFile {
            let key = try readKey(privateKeyFile, "private key file")
            update.privateKey = .some(key.isZero ? nil : PrivateKey(key))
        }
        for peer in peers {
            var change = PeerUpdate(
                publicKey: peer.publicKey, remove: peer.remove, endpoint: peer.endpoint,
                persistentKeepalive: peer.persistentKeepalive, replaceAllowedIPs: peer.allowedIPs != nil,
                allowedIPs: peer.allowedIPs ?? [])
            if let file = peer.presharedKeyFile {
                let key = try readKey(file, "preshared key file")
                change.presharedKey = .some(key.isZero ? nil : key)
            }
            update.peers.append(change)
        }
        return update
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0d) }

    /// An unknown argument, unless it is long enough to be a misplaced key.
    static func shown(_ text: String) -> String {
        text.utf8.count <= 24 ? text : "(\(text.utf8.count) characters, not shown)"
    }
}
