import ZmeshModel

/// Key files as `wg set … private-key FILE` and `preshared-key FILE` read them.
enum WGKeyFile {
    /// Reads a base64 key from `path`, ignoring surrounding whitespace. An empty file (such as
    /// `/dev/null`) is the zero key, which removes the key it is given for. Errors name the file,
    /// never its contents.
    static func read(_ path: String, what: String) throws(WGCommandError) -> WireGuardKey {
        let bytes = try WGIO.readFile(path, limit: 4096, what: what)
        return try parse(bytes, path: path, what: what)
    }

    /// The key in a key file's bytes.
    static func parse(_ bytes: [UInt8], path: String, what: String) throws(WGCommandError) -> WireGuardKey {
        let isSpace = { (b: UInt8) in b == 0x20 || (b >= 0x09 && b <= 0x0d) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return .zero }
        let text = String(decoding: bytes[first...last], as: UTF8.self)
        guard let key = WireGuardKey(base64: text) else {
            throw WGCommandError(
                "\(what) '\(path)' does not hold a key: expected 44 characters of base64 encoding 32 bytes "
                    + "(found \(last - first + 1) characters, not shown)")
        }
        return key
    }
}
