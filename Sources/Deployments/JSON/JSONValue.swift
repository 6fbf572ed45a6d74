/// A JSON value as the strict parser reads it (RFC 8259). Numbers keep their literal text, so that
/// integers are read exactly and `1.0` is not mistaken for `1`; objects keep their member order
/// (the writer reproduces it) and have unique keys (the parser refuses duplicates).
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, already checked against the RFC 8259 grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// How messages name the kind of value found: "a string", "null", …
    var kindDescription: String {
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
    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// An integer number.
    static func integer(_ value: Int64) -> JSONValue { .number(String(value)) }
}

/// One member of a JSON object.
struct JSONMember: Sendable, Hashable {
    var key: String
    var value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
