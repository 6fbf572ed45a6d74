/// Problems found reading a planner document (a spec or a plan), each as `path: message`, e.g.
/// `nodes[2].public_key: not a WireGuard key …`; or one JSON syntax error with its line and column.
public struct DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem, in document order.
    public let problems: [String]

    /// Problems as given.
    public init(_ problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
}
