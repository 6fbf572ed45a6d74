extension WireGuardConfigFile {
    /// Parses the text of a configuration file, reporting every problem with its line number.
    ///
    /// Reads like `wg`: `#` starts a comment, all whitespace inside a line is ignored (`Allowed IPs =
    /// 10.0.0.0/8` is `AllowedIPs=10.0.0.0/8`), section names and keys are case-insensitive, later
    /// settings override earlier ones, `AllowedIPs` lines of a section add up. Stricter than `wg` where
    /// `wg` would silently do something surprising: endpoints must be literal addresses (no DNS), and a
    /// peer listed twice or a prefix on two peers is an error. Keys are never repeated in messages.
    public init(parsing text: some StringProtocol) throws(WireGuardConfigErrors) {
        var warnings: [WireGuardConfigDiagnostic] = []
        try self.init(parsing: text, warnings: &warnings)
    }

    /// Parses like ``init(parsing:)`` and appends to `warnings` what `wg` warns about (prefixes with host bits set).
    public init(parsing text: some StringProtocol, warnings: inout [WireGuardConfigDiagnostic]) throws(WireGuardConfigErrors) {
        var parser = ConfigParser()
        let bytes = Array(text.utf8)
        var number = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            number += 1
            parser.consume(line: bytes[start..<end], number: number)
            start = end + 1
        }
        let (file, errors, lineWarnings) = parser.finish()
        warnings += lineWarnings
        if !errors.isEmpty { throw WireGuardConfigErrors(errors) }
        self = file
    }
}

/// The line-by-line state of a configuration parse.
private struct ConfigParser {
    enum Section { case none, interface, peer }

    struct PendingPeer {
        var line: Int
        var publicKey: WireGuardKey?
        var peer = WireGuardConfigFile.Peer(publicKey: .zero)
        var allowedIPLines: [Int] = []
    }

    var section = Section.none
    var file = WireGuardConfigFile()
    var peers: [PendingPeer] = []
    var errors: [WireGuardConfigDiagnostic] = []
    var warnings: [WireGuardConfigDiagnostic] = []

    /// The settings of each section: lower-cased spelling → canonical name.
    static let interfaceKeys: [[UInt8]: String] = keyTable(["PrivateKey", "ListenPort", "FwMark"])
    static let peerKeys: [[UInt8]: String] = keyTable(
        ["PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"])
    static let wgQuickKeys: Set<[UInt8]> = Set(
        ["address", "dns", "mtu", "table", "preup", "postup", "predown", "postdown", "saveconfig"].map { Array($0.utf8) })

    static func keyTable(_ names: [String]) -> [[UInt8]: String] {
        Dictionary(uniqueKeysWithValues: names.map { (Array($0.lowercased().utf8), $0) })
    }

    /// `wg`'s notion of whitespace (C `isspace` in the C locale).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0d)
    }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }

    mutating func consume(line raw: ArraySlice<UInt8>, number: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        for byte in raw {
            if byte == UInt8(ascii: "#") { break }
            if !Self.isSpace(byte) { bytes.append(byte) }
        }
        if bytes.isEmpty { return }
        func fail(_ message: String) { errors.append(WireGuardConfigDiagnostic(line: number, message: message)) }
        func text(_ slice: ArraySlice<UInt8>) -> String { String(decoding: slice, as: UTF8.self) }

        if bytes[0] == UInt8(ascii: "[") {
            switch Self.lowercased(bytes[...]) {
            case Array("[interface]".utf8): section = .interface
            case Array("[peer]".utf8):
                section = .peer
                peers.append(PendingPeer(line: number))
            default: fail("unknown section \(Self.shown(text(bytes[...]))); expected [Interface] or [Peer]")
            }
            return
        }
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else {
            fail("expected 'Key = Value', found \(Self.shown(text(bytes[...])))")
            return
        }
        let key = text(bytes[..<equals])
        let value = Substring(text(bytes[(equals + 1)...]))
        let lower = Self.lowercased(bytes[..<equals])
        switch section {
        case .none:
            fail("\(Self.shown(key)) appears before any [Interface] or [Peer] section")
        case .interface:
            if let name = Self.interfaceKeys[lower] {
                guard !value.isEmpty else { return fail("\(name) has no value") }
                interfaceSetting(name, value, line: number)
            } else if Self.peerKeys[lower] != nil {
                fail("'\(key)' belongs in a [Peer] section, not [Interface]")
            } else if Self.wgQuickKeys.contains(lower) {
                fail("'\(key)' is a wg-quick setting, which wg setconf does not take (remove it, or use `wg-quick strip`)")
            } else {
                fail("unknown key \(Self.shown(key)) in [Interface]")
            }
        case .peer:
            if let name = Self.peerKeys[lower] {
                guard !value.isEmpty else { return fail("\(name) has no value") }
                peerSetting(name, value, line: number)
            } else if Self.interfaceKeys[lower] != nil {
                fail("'\(key)' belongs in the [Interface] section, not [Peer]")
            } else {
                fail("unknown key \(Self.shown(key)) in [Peer]")
            }
        }
    }

    mutating func interfaceSetting(_ name: String, _ value: Substring, line: Int) {
        do throws(ParseError) {
            switch name {
            case "PrivateKey": file.privateKey = PrivateKey(try WireGuardValueSyntax.key(value, kind: name))
            case "ListenPort": file.listenPort = try WireGuardValueSyntax.listenPort(value, kind: name)
            default: file.fwmark = try WireGuardValueSyntax.fwmark(value, kind: name)
            }
        } catch {
            errors.append(WireGuardConfigDiagnostic(line: line, message: error.description))
        }
    }

    mutating func peerSetting(_ name: String, _ value: Substring, line: Int) {
        guard var pending = peers.popLast() else { return }
        defer { peers.append(pending) }
        do throws(ParseError) {
            switch name {
            case "PublicKey": pending.publicKey = try WireGuardValueSyntax.key(value, kind: name)
            case "PresharedKey": pending.peer.presharedKey = try WireGuardValueSyntax.key(value, kind: name)
            case "Endpoint": pending.peer.endpoint = try WireGuardValueSyntax.endpoint(value, kind: name)
            case "PersistentKeepalive":
                pending.peer.persistentKeepalive = try WireGuardValueSyntax.persistentKeepalive(value, kind: name)
            default:
                var notes: [String] = []
                let prefixes = try WireGuardValueSyntax.allowedIPs(value, kind: "AllowedIPs entry", warnings: &notes)
                pending.peer.allowedIPs += prefixes
                pending.allowedIPLines += Array(repeating: line, count: prefixes.count)
                warnings += notes.map { WireGuardConfigDiagnostic(line: line, message: $0) }
            }
        } catch {
            errors.append(WireGuardConfigDiagnostic(line: line, message: error.description))
        }
    }

    /// Checks what only the whole file shows, then returns the file and the diagnostics in line order.
    mutating func finish() -> (WireGuardConfigFile, [WireGuardConfigDiagnostic], [WireGuardConfigDiagnostic]) {
        var firstLine: [WireGuardKey: Int] = [:]
        var owner: [IPPrefix: Int] = [:]
        for pending in peers {
            guard let key = pending.publicKey else {
                errors.append(WireGuardConfigDiagnostic(line: pending.line, message: "this [Peer] section has no PublicKey"))
                continue
            }
            if let first = firstLine[key] {
                errors.append(
                    WireGuardConfigDiagnostic(
                        line: pending.line,
                        message: "this [Peer] has the same PublicKey as the [Peer] on line \(first); list each peer once"))
                continue
            }
            firstLine[key] = pending.line
            for (prefix, line) in zip(pending.peer.allowedIPs, pending.allowedIPLines) {
                if let other = owner[prefix], other != pending.line {
                    errors.append(
                        WireGuardConfigDiagnostic(
                            line: line,
                            message: "AllowedIPs \(prefix) is also on the [Peer] on line \(other); a prefix can belong to one peer only"))
                } else {
                    owner[prefix] = pending.line
                }
            }
            var peer = pending.peer
            peer.publicKey = key
            file.peers.append(peer)
        }
        errors.sort { $0.line < $1.line }
        return (file, errors, warnings)
    }

    /// A key name or line, quoted, unless it could be key material (long, or not a plain word).
    static func shown(_ text: some StringProtocol) -> String {
        let plain = text.utf8.count <= 32
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "[" || $0 == "]" || $0 == "-" || $0 == "_") }
        return plain ? "'\(text)'" : "(\(text.utf8.count) characters, not shown)"
    }
}
