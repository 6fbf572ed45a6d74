public import ZmeshModel
import ZmeshCrypto

#if canImport(Glibc)
import Glibc
#endif

extension UAPI {
    /// Handshake times below this (September 2001) are read as an age in seconds, not an epoch time:
    /// boringtun reports the time elapsed since the last handshake where wireguard-go reports when it was.
    static let earliestEpochHandshake: Int64 = 1_000_000_000

    /// Parses the reply to `get=1` into a device.
    ///
    /// Liberal in what it accepts, so that wireguard-go and boringtun both read the same: keys in any
    /// order, unknown keys ignored, missing keys defaulted, `errno` of either sign, `own_public_key`
    /// (boringtun) or else the public key derived from `private_key`, and `last_handshake_time_*` given
    /// as an age (boringtun) turned into a wall-clock time using `now`.
    ///
    /// - Throws: ``WireGuardError/userspace(operation:interface:errno:detail:)`` with the errno when it
    ///   is non-zero, or naming the line and key of a malformed value (secret values are never quoted).
    public static func parseDevice(
        _ reply: some Collection<UInt8>, interface name: InterfaceName, now: Timestamp = UAPI.wallClock()
    ) throws(WireGuardError) -> DeviceStatus {
        var parser = DeviceReplyParser(now: now)
        try run(&parser, over: reply, interface: name, operation: "read")
        var device = DeviceStatus(name: name)
        device.privateKey = parser.privateKey
        device.publicKey = parser.ownPublicKey ?? parser.privateKey.map { WireGuardKeys.publicKey(for: $0) }
        device.listenPort = parser.listenPort
        device.fwmark = parser.fwmark
        device.peers = parser.peers
        return device
    }

    /// Checks the reply to `set=1` (`errno=N` and the empty line); other keys are ignored.
    public static func checkSetReply(_ reply: some Collection<UInt8>, interface name: InterfaceName) throws(WireGuardError) {
        var parser = IgnoringParser()
        try run(&parser, over: reply, interface: name, operation: "configure")
    }

    /// The current wall-clock time (`CLOCK_REALTIME`).
    public static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec))
    }

    /// Feeds every `key=value` line before the first empty line to `parser`, then applies the errno rule:
    /// a non-zero errno wins over everything; otherwise the first malformed line is reported.
    private static func run<P: UAPILineConsumer>(
        _ parser: inout P, over reply: some Collection<UInt8>, interface name: InterfaceName, operation: String
    ) throws(WireGuardError) {
        let bytes = Array(reply)
        var errnoValue: (raw: Int64, code: Int32)?
        var problem: String?
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { start = end + 1 }
            if end == start { break }  // the empty line ends the reply
            let line = bytes[start..<end]
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                if problem == nil { problem = "line \(lineNumber): no '=' in a line of \(line.count) bytes" }
                continue
            }
            let key = String(decoding: line[..<equals], as: UTF8.self)
            let value = line[(equals + 1)...]
            if key == "errno" {
                guard let number = UAPIValue.signedInteger(value), let code = Int32(exactly: number.magnitude) else {
                    if problem == nil {
                        problem = "line \(lineNumber): errno '\(String(decoding: value.prefix(32), as: UTF8.self))' is not a decimal number"
                    }
                    continue
                }
                errnoValue = (number, code)
                continue
            }
            guard problem == nil else { continue }
            do throws(UAPIValueError) {
                try parser.consume(key: key, value: value)
            } catch {
                problem = error.isSecret
                    ? "line \(lineNumber): \(key) \(error.reason) (value not shown)"
                    : "line \(lineNumber): \(key) '\(String(decoding: value.prefix(64), as: UTF8.self))' \(error.reason)"
            }
        }
        if let errnoValue, errnoValue.code != 0 {
            throw .userspace(
                operation: operation, interface: name, errno: errnoValue.code,
                detail: "the daemon answered errno=\(errnoValue.raw)")
        }
        if let problem { throw .userspace(operation: operation, interface: name, errno: nil, detail: "malformed reply: \(problem)") }
        if errnoValue == nil {
            throw .userspace(operation: operation, interface: name, errno: nil, detail: "malformed reply: no errno line")
        }
    }
}

/// Something that takes the `key=value` lines of a reply, in order.
protocol UAPILineConsumer {
    mutating func consume(key: String, value: ArraySlice<UInt8>) throws(UAPIValueError)
}

/// A value that did not parse: `reason` completes "KEY 'VALUE' …"; secret values are never quoted.
struct UAPIValueError: Error {
    let reason: String
    let isSecret: Bool
}

/// Accepts every line (the reply to `set=1` carries only `errno`).
struct IgnoringParser: UAPILineConsumer {
    func consume(key: String, value: ArraySlice<UInt8>) throws(UAPIValueError) {}
}

/// Accumulates a `get=1` reply: device keys anywhere, peer keys in the section of the last `public_key`.
struct DeviceReplyParser: UAPILineConsumer {
    let now: Timestamp
    var privateKey: PrivateKey?
    var ownPublicKey: WireGuardKey?
    var listenPort: UInt16 = 0
    var fwmark: UInt32 = 0
    private var finishedPeers: [PeerStatus] = []
    private var current: PeerBuilder?

    init(now: Timestamp) { self.now = now }

    var peers: [PeerStatus] { finishedPeers + (current.map { [$0.status(now: now)] } ?? []) }

    mutating func consume(key: String, value: ArraySlice<UInt8>) throws(UAPIValueError) {
        switch key {
        case "private_key":
            let key = try UAPIValue.key(value, secret: true)
            privateKey = key.isZero ? nil : PrivateKey(key)
        case "own_public_key":
            let key = try UAPIValue.key(value)
            ownPublicKey = key.isZero ? nil : key
        case "listen_port": listenPort = try UAPIValue.unsigned(value)
        case "fwmark": fwmark = try UAPIValue.unsigned(value)
        case "public_key":
            if let current { finishedPeers.append(current.status(now: now)) }
            current = PeerBuilder(publicKey: try UAPIValue.key(value))
        default:
            guard var peer = current else {
                // A peer key before any public_key: not ours to guess about; unknown keys are fine.
                if PeerBuilder.keys.contains(key) { throw UAPIValueError(reason: "appears before any public_key", isSecret: true) }
                return
            }
            try peer.consume(key: key, value: value)
            current = peer
        }
    }
}

/// One peer section of a `get=1` reply.
struct PeerBuilder {
    static let keys: Set<String> = [
        "preshared_key", "protocol_version", "endpoint", "last_handshake_time_sec", "last_handshake_time_nsec",
        "tx_bytes", "rx_bytes", "persistent_keepalive_interval", "allowed_ip",
    ]

    var configuration: PeerConfiguration
    var handshakeSeconds: Int64 = 0
    var handshakeNanoseconds: Int64 = 0
    var receivedBytes: UInt64 = 0
    var transmittedBytes: UInt64 = 0
    var protocolVersion: UInt32 = 1

    init(publicKey: WireGuardKey) { configuration = PeerConfiguration(publicKey: publicKey) }

    mutating func consume(key: String, value: ArraySlice<UInt8>) throws(UAPIValueError) {
        switch key {
        case "preshared_key":
            let key = try UAPIValue.key(value, secret: true)
            configuration.presharedKey = key.isZero ? nil : key
        case "protocol_version": protocolVersion = try UAPIValue.unsigned(value)
        case "endpoint":
            // wireguard-go names link-local scopes (`[fe80::1%eth0]:51820`); the index is what we keep.
            let text = String(decoding: value, as: UTF8.self)
            do { configuration.endpoint = try Endpoint(text, resolveScope: UAPI.scopeIndex) } catch {
                throw UAPIValueError(reason: "is not a numeric IPv4:PORT or [IPv6]:PORT endpoint", isSecret: false)
            }
        case "last_handshake_time_sec": handshakeSeconds = try UAPIValue.nonNegative(value)
        case "last_handshake_time_nsec": handshakeNanoseconds = try UAPIValue.nonNegative(value, below: 1_000_000_000)
        case "tx_bytes": transmittedBytes = try UAPIValue.unsigned(value)
        case "rx_bytes": receivedBytes = try UAPIValue.unsigned(value)
        case "persistent_keepalive_interval": configuration.persistentKeepalive = try UAPIValue.unsigned(value)
        case "allowed_ip":
            do { configuration.allowedIPs.append(try IPPrefix(String(decoding: value, as: UTF8.self))) } catch {
                throw UAPIValueError(reason: "is not an ADDRESS/LENGTH prefix", isSecret: false)
            }
        default: break  // unknown keys are tolerated
        }
    }

    func status(now: Timestamp) -> PeerStatus {
        var handshake: Timestamp?
        if handshakeSeconds != 0 || handshakeNanoseconds != 0 {
            if handshakeSeconds < UAPI.earliestEpochHandshake {
                // An age (boringtun): now − age.
                var seconds = now.seconds - handshakeSeconds
                var nanoseconds = now.nanoseconds - handshakeNanoseconds
                while nanoseconds < 0 {
                    nanoseconds += 1_000_000_000
                    seconds -= 1
                }
                handshake = Timestamp(seconds: seconds, nanoseconds: nanoseconds)
            } else {
                handshake = Timestamp(seconds: handshakeSeconds, nanoseconds: handshakeNanoseconds)
            }
        }
        return PeerStatus(
            configuration: configuration, lastHandshake: handshake, receivedBytes: receivedBytes,
            transmittedBytes: transmittedBytes, protocolVersion: protocolVersion)
    }
}

/// Strict value parsers: decimal digits only (no sign, no spaces), keys exactly 64 hex digits.
enum UAPIValue {
    static func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ value: ArraySlice<UInt8>) throws(UAPIValueError) -> T {
        guard let number = digits(value), let result = T(exactly: number) else {
            throw UAPIValueError(reason: "is not a decimal number in 0–\(T.max)", isSecret: false)
        }
        return result
    }

    static func nonNegative(_ value: ArraySlice<UInt8>, below limit: Int64 = .max) throws(UAPIValueError) -> Int64 {
        guard let number = digits(value), number < UInt64(limit) else {
            throw UAPIValueError(reason: "is not a decimal number in 0–\(limit - 1)", isSecret: false)
        }
        return Int64(number)
    }

    static func key(_ value: ArraySlice<UInt8>, secret: Bool = false) throws(UAPIValueError) -> WireGuardKey {
        guard value.count == 64, let key = WireGuardKey(hex: String(decoding: value, as: UTF8.self)) else {
            throw UAPIValueError(reason: "is not 64 hex digits", isSecret: secret)
        }
        return key
    }

    /// Decimal with an optional sign (errno: wireguard-go negative, boringtun positive).
    static func signedInteger(_ value: ArraySlice<UInt8>) -> Int64? {
        var rest = value
        var negative = false
        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard let magnitude = digits(rest), magnitude <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    private static func digits(_ value: ArraySlice<UInt8>) -> UInt64? {
        guard !value.isEmpty, value.count <= 20 else { return nil }
        var result: UInt64 = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            result = sum
        }
        return result
    }
}

extension UAPI {
    /// The index of the interface a named IPv6 scope refers to, in the calling thread's namespace.
    static func scopeIndex(_ name: Substring) -> UInt32? {
        let index = if_nametoindex(String(name))
        return index == 0 ? nil : index
    }
}
