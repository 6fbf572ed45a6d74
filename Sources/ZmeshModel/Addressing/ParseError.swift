/// A value that failed validation at the edge, with the offending text and the reason.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of value was being parsed ("IPv4 address", "prefix", "key", …).
    public let kind: String
    /// The offending input, as given (never a secret: key parsers redact themselves).
    public let value: String
    /// Why it was refused.
    public let reason: String

    public init(kind: String, value: String, reason: String) {
        self.kind = kind
        self.value = value
        self.reason = reason
    }

    public var description: String { "invalid \(kind) '\(value)': \(reason)" }
}
