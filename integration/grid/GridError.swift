/// A step of the simulated grid that did not work: what was attempted, on what, and what happened
/// (a command's status and output, or the last state seen before a wait gave up).
public struct GridError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let object: String
    public let detail: String

    public init(_ operation: String, _ object: String, _ detail: String) {
        self.operation = operation
        self.object = object
        self.detail = detail
    }

    public var description: String { "\(operation) \(object): \(detail)" }
}
