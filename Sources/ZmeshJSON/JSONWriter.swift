/// Writes JSON deterministically: the same value always gives the same text.
///
/// Compact output has no whitespace at all. Pretty output (the default) is indented by two spaces
/// with one member or element per line, except that an array holding only strings, numbers, booleans
/// or nulls stays on one line (elements separated by `", "`), and ends with a newline.
/// Members are written in the value's order and numbers as their literal text. Strings escape only
/// what RFC 8259 requires — `"`, `\` and the control characters U+0000–U+001F (as `\n`, `\r`, `\t`,
/// `\b`, `\f`, or else `\u00XX` in lower-case hex) — and write everything else as UTF-8.
public struct JSONWriter: Sendable {
    /// Indented, one member or element per line, with a final newline; or compact.
    public let pretty: Bool

    /// A writer of pretty (indented) or compact JSON.
    public init(pretty: Bool = true) { self.pretty = pretty }

    /// `value` as JSON text.
    public func write(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        if pretty { out += "\n" }
        return out
    }

    private func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out += "[]"
                return
            }
            if pretty, elements.allSatisfy(\.isScalar) {
                out += "["
                for (i, element) in elements.enumerated() {
                    if i > 0 { out += ", " }
                    write(element, indent: indent, into: &out)
                }
                out += "]"
                return
            }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                newline(indent + 1, into: &out)
                write(element, indent: indent + 1, into: &out)
            }
            newline(indent, into: &out)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                newline(indent + 1, into: &out)
                Self.writeString(member.key, into: &out)
                out += pretty ? ": " : ":"
                write(member.value, indent: indent + 1, into: &out)
            }
            newline(indent, into: &out)
            out += "}"
        }
    }

    private func newline(_ indent: Int, into out: inout String) {
        guard pretty else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
