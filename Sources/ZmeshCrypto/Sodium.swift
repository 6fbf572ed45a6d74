internal import CSodium

/// libsodium's one-time initialisation and its base64 and hex codecs, shared by this module's types.
enum Sodium {
    /// `sodium_init()` ran (it is idempotent and thread-safe; a failure means no usable RNG).
    static let initialised: Bool = sodium_init() >= 0

    /// Traps when libsodium could not initialise: every operation here depends on it.
    static func ensureInitialised() {
        precondition(initialised, "libsodium failed to initialise")
    }

    /// Standard base64 with padding (RFC 4648 §4), as `wg` and the deployment document write keys.
    static func base64(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output = [UInt8](repeating: 0, count: encodedLength(input.count))
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                target.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: target.count) { chars in
                        _ = sodium_bin2base64(
                            chars, target.count, source.baseAddress, source.count, sodium_base64_VARIANT_ORIGINAL)
                    }
                }
            }
        }
        return String(decoding: output.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Lowercase hex, two digits a byte (`sodium_bin2hex`).
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output = [CChar](repeating: 0, count: input.count * 2 + 1)
        _ = sodium_bin2hex(&output, output.count, input, input.count)
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The length of the NUL-terminated base64 text of `count` bytes.
    static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 + 1 }

    /// Decodes canonical standard base64 (padding required, no whitespace, zero trailing bits) into
    /// exactly `count` bytes, or `nil`.
    static func decodeBase64(_ text: some StringProtocol, count: Int) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        guard utf8.count == encodedLength(count) - 1 else { return nil }
        var output = [UInt8](repeating: 0, count: count)
        var written = 0
        let rc = utf8.withUnsafeMutableBufferPointer { source in
            source.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: source.count) { chars in
                    sodium_base642bin(
                        &output, count, chars, source.count, nil, &written, nil, sodium_base64_VARIANT_ORIGINAL)
                }
            } ?? -1
        }
        sodium_memzero(&utf8, utf8.count)
        guard rc == 0, written == count else {
            sodium_memzero(&output, output.count)
            return nil
        }
        // libsodium accepts non-zero trailing bits; a signed document must have one spelling per value.
        guard base64(output).utf8.elementsEqual(text.utf8) else {
            sodium_memzero(&output, output.count)
            return nil
        }
        return output
    }

    /// Base64 of a secret, as bytes the caller wipes (a `String` cannot be wiped).
    static func base64Secret(_ secret: UnsafePointer<UInt8>, count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: encodedLength(count))
        output.withUnsafeMutableBufferPointer { target in
            target.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: target.count) { chars in
                    _ = sodium_bin2base64(chars, target.count, secret, count, sodium_base64_VARIANT_ORIGINAL)
                }
            }
        }
        output.removeLast()  // the NUL terminator
        return output
    }

    /// Decodes canonical base64 of exactly `count` secret bytes into `target`; the bytes in between
    /// are wiped. Returns whether `text` was such an encoding.
    static func decodeBase64Secret(_ text: ArraySlice<UInt8>, count: Int, into target: UnsafeMutablePointer<UInt8>)
        -> Bool
    {
        var input = Array(text)
        defer { sodium_memzero(&input, input.count) }
        guard input.count == encodedLength(count) - 1 else { return false }
        var written = 0
        let rc = input.withUnsafeBufferPointer { source in
            source.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: source.count) { chars in
                    sodium_base642bin(
                        target, count, chars, source.count, nil, &written, nil, sodium_base64_VARIANT_ORIGINAL)
                }
            } ?? -1
        }
        guard rc == 0, written == count else { return false }
        var again = base64Secret(target, count: count)
        defer { sodium_memzero(&again, again.count) }
        return again.count == input.count && sodium_memcmp(again, input, input.count) == 0
    }
}
