/// A JSON value as the strict parser reads it (RFC 8259).
///
/// Numbers keep their literal text, so that integers are read exactly and `1.0` is not mistaken for
/// `1`: a reader that wants an integer converts the text itself (`Int64(text)` refuses `1.0`, `1e2`
/// and anything out of range). Objects keep their member order (``JSONWriter`` reproduces it) and,
/// when they come from ``JSONParser``, have unique keys (the parser refuses duplicates).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, checked against the RFC 8259 grammar when parsed.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// The members in document (or building) order.
    case object([JSONMember])

    /// How messages name the kind of value found: "a string", "null", …
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Not an array or an object.
    public var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// An integer number, written in decimal.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }
}

/// One member of a JSON object: a key and its value.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    /// The member `key: value`.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
