import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

/// A member of a registry answer that is missing or has the wrong type, with its path.
struct WireError: Error, Sendable, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Typed access to one JSON object of a registry answer. Unknown members are ignored (the registry may
/// add members); missing or mistyped ones throw a ``WireError`` naming their path.
struct WireObject {
    let path: String
    private let members: [String: JSONValue]

    init(_ value: JSONValue, path: String = "") throws(WireError) {
        guard case .object(let list) = value else {
            throw WireError(path: path, reason: "expected an object, found \(value.kindDescription)")
        }
        var members: [String: JSONValue] = [:]
        for member in list { members[member.key] = member.value }
        self.path = path
        self.members = members
    }

    /// Parses `bytes` as one JSON object.
    static func parse(_ bytes: [UInt8]) throws(WireError) -> WireObject {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw WireError(path: "", reason: "not JSON (\(error))") }
        return try WireObject(value)
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member's value, `nil` when missing or null.
    func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    private func required(_ key: String) throws(WireError) -> JSONValue {
        guard let value = members[key] else { throw WireError(path: at(key), reason: "missing") }
        return value
    }

    func string(_ key: String) throws(WireError) -> String {
        try Self.string(try required(key), path: at(key))
    }

    func optionalString(_ key: String) throws(WireError) -> String? {
        guard let value = optional(key) else { return nil }
        return try Self.string(value, path: at(key))
    }

    func integer<T: FixedWidthInteger>(_ key: String, as type: T.Type = T.self) throws(WireError) -> T {
        try Self.integer(try required(key), path: at(key))
    }

    func optionalInteger<T: FixedWidthInteger>(_ key: String, as type: T.Type = T.self) throws(WireError) -> T? {
        guard let value = optional(key) else { return nil }
        return try Self.integer(value, path: at(key))
    }

    func identity(_ key: String) throws(WireError) -> IdentityID {
        let text = try string(key)
        do { return try IdentityID(text) } catch { throw WireError(path: at(key), reason: "\(error)") }
    }

    /// The elements of an array member (a missing or null member is an error unless `optional`).
    func array(_ key: String, optional isOptional: Bool = false) throws(WireError) -> [JSONValue] {
        let value: JSONValue
        if isOptional {
            guard let present = optional(key) else { return [] }
            value = present
        } else {
            value = try required(key)
        }
        guard case .array(let elements) = value else {
            throw WireError(path: at(key), reason: "expected an array, found \(value.kindDescription)")
        }
        return elements
    }

    /// The objects of an array member, each with its indexed path.
    func objects(_ key: String, optional isOptional: Bool = false) throws(WireError) -> [WireObject] {
        var out: [WireObject] = []
        for (i, element) in try array(key, optional: isOptional).enumerated() {
            out.append(try WireObject(element, path: "\(at(key))[\(i)]"))
        }
        return out
    }

    /// An object member.
    func object(_ key: String) throws(WireError) -> WireObject {
        try WireObject(try required(key), path: at(key))
    }

    /// The elements of an array of strings, each converted by `convert` (whose error text is kept).
    func strings<T>(_ key: String, optional isOptional: Bool = false, _ convert: (String) throws -> T) throws(WireError)
        -> [T]
    {
        var out: [T] = []
        for (i, element) in try array(key, optional: isOptional).enumerated() {
            let path = "\(at(key))[\(i)]"
            let text = try Self.string(element, path: path)
            do { out.append(try convert(text)) } catch { throw WireError(path: path, reason: "\(error)") }
        }
        return out
    }

    /// The elements of an array of integers.
    func integers<T: FixedWidthInteger>(_ key: String, optional isOptional: Bool = false, as type: T.Type = T.self)
        throws(WireError) -> [T]
    {
        var out: [T] = []
        for (i, element) in try array(key, optional: isOptional).enumerated() {
            out.append(try Self.integer(element, path: "\(at(key))[\(i)]"))
        }
        return out
    }

    private static func string(_ value: JSONValue, path: String) throws(WireError) -> String {
        guard case .string(let text) = value else {
            throw WireError(path: path, reason: "expected a string, found \(value.kindDescription)")
        }
        return text
    }

    private static func integer<T: FixedWidthInteger>(_ value: JSONValue, path: String) throws(WireError) -> T {
        guard case .number(let text) = value else {
            throw WireError(path: path, reason: "expected an integer, found \(value.kindDescription)")
        }
        guard let number = T(text) else {
            throw WireError(path: path, reason: "\(text) is not an integer in \(T.min)…\(T.max)")
        }
        return number
    }
}

/// JSON bodies the client sends: compact text, members in the order given.
enum WireBody {
    static func bytes(_ members: [JSONMember]) -> [UInt8] {
        Array(JSONWriter(pretty: false).write(.object(members)).utf8)
    }
}
