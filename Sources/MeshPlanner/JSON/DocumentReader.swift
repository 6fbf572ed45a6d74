import ZmeshJSON
import ZmeshModel

/// Walks a parsed JSON document, collecting every problem with its path, and returns typed values
/// (or `nil` where something was wrong, so that the walk can go on and report everything).
struct DocumentReader {
    private(set) var problems: [String] = []

    /// Parses `bytes` as JSON, or records the syntax error.
    mutating func parse(_ bytes: [UInt8]) -> JSONValue? {
        do { return try JSONParser.parse(bytes) } catch {
            problems.append("invalid JSON: \(error)")
            return nil
        }
    }

    mutating func fail(_ path: String, _ message: String) {
        problems.append(path.isEmpty ? message : "\(path): \(message)")
    }

    /// The members of an object, checking that every `required` one is present and, when `strict`, that
    /// there is no member outside `required` and `optional`.
    mutating func object(
        _ value: JSONValue?, _ path: String, required: [String], optional: [String] = [], strict: Bool = true
    ) -> [String: JSONValue]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            fail(path, "expected an object, found \(value.kindDescription)")
            return nil
        }
        var out: [String: JSONValue] = [:]
        for member in members {
            if strict, !required.contains(member.key), !optional.contains(member.key) {
                fail(
                    join(path, member.key), "unknown member (expected \((required + optional).joined(separator: ", ")))"
                )
            }
            out[member.key] = member.value
        }
        for key in required where out[key] == nil { fail(join(path, key), "missing") }
        return out
    }

    /// The elements of an array.
    mutating func array(_ value: JSONValue?, _ path: String) -> [JSONValue]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            fail(path, "expected an array, found \(value.kindDescription)")
            return nil
        }
        return elements
    }

    /// A string.
    mutating func string(_ value: JSONValue?, _ path: String) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            fail(path, "expected a string, found \(value.kindDescription)")
            return nil
        }
        return text
    }

    /// An integer within `range`.
    mutating func integer(_ value: JSONValue?, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        guard case .number(let text) = value, let n = Int(text) else {
            fail(path, "expected an integer, found \(value.kindDescription)")
            return nil
        }
        guard range.contains(n) else {
            fail(path, "\(n) is outside \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return n
    }

    /// A string parsed by `parse`, whose error message is recorded.
    mutating func parsed<T>(_ value: JSONValue?, _ path: String, _ parse: (String) throws(ParseError) -> T) -> T? {
        guard let text = string(value, path) else { return nil }
        do { return try parse(text) } catch {
            fail(path, error.description)
            return nil
        }
    }

    /// A WireGuard public key in base64.
    mutating func key(_ value: JSONValue?, _ path: String) -> WireGuardKey? {
        guard let text = string(value, path) else { return nil }
        guard let key = WireGuardKey(base64: text), !key.isZero else {
            fail(path, "not a WireGuard public key: expected 44 characters of base64 encoding 32 bytes, not all zero")
            return nil
        }
        return key
    }

    /// An address family: `"ipv4"` or `"ipv6"`.
    mutating func family(_ value: JSONValue?, _ path: String) -> IPFamily? {
        guard let text = string(value, path) else { return nil }
        guard let family = IPFamily(rawValue: text) else {
            fail(path, "expected \"ipv4\" or \"ipv6\", found \"\(text)\"")
            return nil
        }
        return family
    }

    /// `path.key`, or `key` at the root.
    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
