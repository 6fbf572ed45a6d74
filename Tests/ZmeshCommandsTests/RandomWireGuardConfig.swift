import Foundation
import ZmeshModel

/// Random but valid `wg setconf` files: several peers, IPv4 and IPv6 (and IPv4-mapped) endpoints,
/// preshared keys, keepalives written in every form, many allowed IPs, varied spelling of keys.
struct RandomWireGuardConfig {
    var generator = SystemRandomNumberGenerator()
    /// Prefixes already used on this device (a prefix belongs to one peer).
    var used: Set<IPPrefix> = []

    mutating func key() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return (WireGuardKey(bytes: bytes) ?? .zero).base64
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &generator) < percent }

    mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &generator)] }

    mutating func endpoint() -> String {
        let port = UInt16.random(in: 1...65535, using: &generator)
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: return "203.0.113.\(UInt8.random(in: 0...255, using: &generator)):\(port)"
        case 1:
            let address = IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64.random(in: 0...0xffff, using: &generator), low: UInt64.random(in: 0...3, using: &generator))
            return "[\(address)]:\(port)"
        default: return "[::ffff:198.51.100.\(UInt8.random(in: 0...255, using: &generator))]:\(port)"
        }
    }

    mutating func prefix() -> IPPrefix? {
        let candidate: IPPrefix?
        if chance(50) {
            let address = IPAddress.v4(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &generator)))
            candidate = try? IPPrefix(address, length: Int.random(in: 8...32, using: &generator))
        } else if chance(10) {
            let address = IPAddress.v6(IPv6Address(high: 0, low: 0xffff_0000_0000 | UInt64.random(in: 0...0xffff_ffff, using: &generator)))
            candidate = try? IPPrefix(address, length: 128)
        } else {
            let address = IPAddress.v6(
                IPv6Address(
                    high: 0xfd00_0000_0000_0000 | UInt64.random(in: 0...0xff_ffff_ffff_ffff, using: &generator),
                    low: chance(50) ? 0 : UInt64.random(in: 0...UInt64.max, using: &generator)))
            candidate = try? IPPrefix(address, length: Int.random(in: 16...128, using: &generator))
        }
        guard let candidate, used.insert(candidate).inserted else { return nil }
        return candidate
    }

    /// A whole file. `listenPort` nil leaves the line out.
    mutating func text(peers: Int, listenPort: UInt16?, privateKey: String? = nil, fwmark: Bool = true) -> String {
        var lines = ["# generated for a differential test", pick(["[Interface]", "[interface]"])]
        lines.append("\(pick(["PrivateKey", "privatekey"])) = \(privateKey ?? key())")
        if let listenPort { lines.append("ListenPort = \(listenPort)") }
        if fwmark, chance(50) { lines.append("FwMark = \(pick(["0x\(String(UInt32.random(in: 1...0xffff, using: &generator), radix: 16))", "off", "42"]))") }
        for _ in 0..<peers {
            lines.append("")
            lines.append("[Peer]")
            lines.append("\(pick(["PublicKey", "publickey"])) = \(key())")
            if chance(50) { lines.append("PresharedKey = \(key())") }
            if chance(75) { lines.append("Endpoint = \(endpoint())") }
            if chance(60) {
                lines.append("PersistentKeepalive = \(pick(["off", "0", "25", "\(UInt16.random(in: 1...65535, using: &generator))"]))")
            }
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let list = (0..<Int.random(in: 1...6, using: &generator)).compactMap { _ in prefix()?.description }
                if !list.isEmpty { lines.append("\(pick(["AllowedIPs", "Allowed IPs", "allowedips"])) = \(list.joined(separator: pick([", ", ","])))") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Output normalised for the one thing wireguard-go randomises: the order of peers (it walks a Go map).
enum PeerOrder {
    /// Line output (`dump`, per-peer fields): lines grouped by interface; in each group the first
    /// line stays first when `keepFirst` (the device line of a dump), the rest are sorted.
    static func lines(_ text: String, withInterface: Bool, keepFirst: Bool) -> String {
        var groups: [(String, [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let name = withInterface ? String(line.prefix { $0 != "\t" }) : ""
            if let last = groups.indices.last, groups[last].0 == name {
                groups[last].1.append(line)
            } else {
                groups.append((name, [line]))
            }
        }
        return groups.map { _, lines in
            let head = keepFirst ? Array(lines.prefix(1)) : []
            return (head + lines.dropFirst(head.count).sorted()).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `show all endpoints`, where `wg` prints each interface name once, before its first peer:
    /// the sequence of names, then the peer lines without names, sorted.
    static func namesOnceLines(_ text: String, names: [String]) -> String {
        var seen: [String] = []
        var lines: [String] = []
        for line in text.split(separator: "\n") {
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            while let first = fields.first, names.contains(first) {
                seen.append(first)
                fields.removeFirst()
            }
            lines.append(fields.joined(separator: "\t"))
        }
        return seen.joined(separator: " ") + "\n" + lines.sorted().joined(separator: "\n")
    }

    /// Paragraph output (pretty `show`, `showconf`): runs of peer paragraphs sorted.
    static func paragraphs(_ text: String) -> String {
        var out: [String] = []
        var run: [String] = []
        for paragraph in text.components(separatedBy: "\n\n") {
            if paragraph.hasPrefix("peer: ") || paragraph.hasPrefix("[Peer]") {
                run.append(paragraph.hasSuffix("\n") ? paragraph : paragraph + "\n")
            } else {
                out += run.sorted()
                run = []
                out.append(paragraph)
            }
        }
        out += run.sorted()
        return out.joined(separator: "\n\n")
    }
}
