/// Byte-level text writers shared by `description` and the bulk formatters (`wg show dump` of
/// 10,000 peers): appending ASCII to a `[UInt8]` avoids a `String` per field.
enum TextBytes {
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` in decimal.
    @inline(__always)
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }

    /// Appends `value` in lowercase hex without leading zeros.
    @inline(__always)
    static func appendHex(_ value: UInt16, to out: inout [UInt8]) {
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = Int(value >> UInt16(shift) & 0xf)
            if nibble != 0 || started || shift == 0 {
                out.append(hexDigits[nibble])
                started = true
            }
        }
    }

    /// Appends every byte of `bytes` as two lowercase hex digits.
    static func appendHex(bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xf)])
        }
    }

    static func string(_ write: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(48)
        write(&out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension IPv4Address {
    /// Appends the dotted quad.
    public func append(to out: inout [UInt8]) {
        TextBytes.appendDecimal(UInt64(value >> 24), to: &out)
        out.append(0x2e)
        TextBytes.appendDecimal(UInt64(value >> 16 & 0xff), to: &out)
        out.append(0x2e)
        TextBytes.appendDecimal(UInt64(value >> 8 & 0xff), to: &out)
        out.append(0x2e)
        TextBytes.appendDecimal(UInt64(value & 0xff), to: &out)
    }
}

extension IPv6Address {
    /// Appends the text glibc's `inet_ntop` writes: the longest run (at least two) of zero groups
    /// compressed to `::` (the first such run on a tie), lower case, and a dotted IPv4 tail for
    /// IPv4-mapped and IPv4-compatible addresses.
    public func append(to out: inout [UInt8]) {
        var words: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            let w = raw.bindMemory(to: UInt16.self)
            for i in 0..<4 {
                w[i] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))
                w[i + 4] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))
            }
        }
        withUnsafeBytes(of: &words) { raw in
            let w = raw.bindMemory(to: UInt16.self)
            var bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0
            for i in 0..<8 {
                if w[i] == 0 {
                    if currentBase == -1 { currentBase = i; currentLength = 1 } else { currentLength += 1 }
                } else if currentBase != -1 {
                    if bestBase == -1 || currentLength > bestLength { bestBase = currentBase; bestLength = currentLength }
                    currentBase = -1
                }
            }
            if currentBase != -1, bestBase == -1 || currentLength > bestLength {
                bestBase = currentBase
                bestLength = currentLength
            }
            if bestBase != -1, bestLength < 2 { bestBase = -1 }
            var i = 0
            while i < 8 {
                if bestBase != -1, i >= bestBase, i < bestBase + bestLength {
                    if i == bestBase { out.append(0x3a) }
                    i += 1
                    continue
                }
                if i != 0 { out.append(0x3a) }
                if i == 6, bestBase == 0, bestLength == 6 || (bestLength == 5 && w[5] == 0xffff) {
                    IPv4Address(UInt32(truncatingIfNeeded: low)).append(to: &out)
                    return
                }
                TextBytes.appendHex(w[i], to: &out)
                i += 1
            }
            if bestBase != -1, bestBase + bestLength == 8 { out.append(0x3a) }
        }
    }
}

extension IPAddress {
    public func append(to out: inout [UInt8]) {
        switch self {
        case .v4(let a): a.append(to: &out)
        case .v6(let a): a.append(to: &out)
        }
    }
}

extension IPPrefix {
    /// Appends `ADDRESS/LENGTH`.
    public func append(to out: inout [UInt8]) {
        address.append(to: &out)
        out.append(0x2f)
        TextBytes.appendDecimal(UInt64(length), to: &out)
    }
}

extension WireGuardKey {
    /// Appends the 44 characters of base64, as `wg` prints keys.
    public func appendBase64(to out: inout [UInt8]) {
        withUnsafeBytes { raw in
            var i = 0
            while i + 3 <= 32 {
                let n = UInt32(raw[i]) << 16 | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2])
                out.append(Base64.alphabet[Int(n >> 18 & 63)])
                out.append(Base64.alphabet[Int(n >> 12 & 63)])
                out.append(Base64.alphabet[Int(n >> 6 & 63)])
                out.append(Base64.alphabet[Int(n & 63)])
                i += 3
            }
            let n = UInt32(raw[30]) << 16 | UInt32(raw[31]) << 8
            out.append(Base64.alphabet[Int(n >> 18 & 63)])
            out.append(Base64.alphabet[Int(n >> 12 & 63)])
            out.append(Base64.alphabet[Int(n >> 6 & 63)])
            out.append(0x3d)
        }
    }
}
