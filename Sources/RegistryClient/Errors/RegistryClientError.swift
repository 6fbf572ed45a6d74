/// What went wrong talking to the registry. Every description names the operation or the value at fault
/// and can be printed to a user as it is.
public enum RegistryClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem the registry found inside a submitted document.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// Where in the document (`nodes[1].listen_port`); empty for the whole document.
        public let path: String
        public let message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    /// The registry answered with a refusal: its HTTP status, stable code (`bad_signature`,
    /// `unknown_node`, `rate_limited`, …), message and, for documents, the problems it found.
    case refused(status: Int, code: String, message: String, problems: [Problem])
    /// No answer: the connection failed, timed out or was cut, or TLS verification failed, also after the
    /// allowed retries. `code` is libcurl's `CURLcode` (0 when not libcurl's).
    case transport(operation: String, url: String, code: Int, message: String)
    /// The registry answered something the client cannot read (not the expected JSON, an unexpected status).
    case malformedResponse(operation: String, url: String, status: Int, reason: String)
    /// The answer was larger than the configured limit and was not read.
    case responseTooLarge(operation: String, url: String, limit: Int)
    /// The calling task was cancelled; the request was abandoned.
    case cancelled(operation: String)
    /// A registry URL that does not parse.
    case invalidURL(value: String, reason: String)
    /// An argument the client refuses before sending anything (the operation, the value, why).
    case invalidArgument(operation: String, value: String, reason: String)
    /// A signed operation on a client made without an identity.
    case missingIdentity(operation: String)

    public var description: String {
        switch self {
        case .refused(let status, let code, let message, let problems):
            let head = "the registry refused the request (\(status) \(code)): \(message)"
            guard !problems.isEmpty else { return head }
            return ([head] + problems.map { "  - \($0)" }).joined(separator: "\n")
        case .transport(let operation, let url, let code, let message):
            return "\(operation): no answer from \(url): \(message)" + (code == 0 ? "" : " (curl error \(code))")
        case .malformedResponse(let operation, let url, let status, let reason):
            return "\(operation): unreadable answer from \(url) (status \(status)): \(reason)"
        case .responseTooLarge(let operation, let url, let limit):
            return "\(operation): the answer from \(url) exceeds the limit of \(limit) bytes"
        case .cancelled(let operation):
            return "\(operation): cancelled"
        case .invalidURL(let value, let reason):
            return "invalid registry URL '\(value)': \(reason)"
        case .invalidArgument(let operation, let value, let reason):
            return "\(operation): invalid value '\(value)': \(reason)"
        case .missingIdentity(let operation):
            return "\(operation): this request must be signed, but the client has no identity"
        }
    }

    /// The registry's error code of a refusal (`nil` for other errors).
    public var code: String? {
        if case .refused(_, let code, _, _) = self { return code }
        return nil
    }

    /// Whether the error is the cancellation of the calling task.
    public var isCancellation: Bool {
        if case .cancelled = self { return true }
        return false
    }
}
