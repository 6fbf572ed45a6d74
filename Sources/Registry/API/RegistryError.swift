import Foundation
import Hummingbird

/// A refused request: the HTTP status, a stable machine-readable code and a sentence naming the problem.
///
/// Every refusal happens before anything is stored. The body is
/// `{"error": {"code": "...", "message": "...", "problems": [{"path": "...", "message": "..."}]}}`;
/// `problems` appears only for deployments, one entry per problem the Deployments module found.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (always 4xx, or 500 for a storage failure).
    public let status: HTTPResponse.Status
    /// A stable code such as `bad_signature` or `unknown_identity`.
    public let code: String
    /// What was wrong, in words.
    public let message: String
    /// Per-field problems of a deployment document, in document order.
    public let problems: [Problem]
    /// Seconds after which a refused request may be retried (`Retry-After`), for 429s.
    public var retryAfter: Int? = nil

    /// One problem inside a document.
    public struct Problem: Sendable, Equatable, Codable {
        /// Where in the document (`nodes[1].listen_port`); empty for the whole document.
        public let path: String
        /// What is wrong there.
        public let message: String
    }

    /// A refusal with `status`, `code` and `message`.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, problems: [Problem] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON response for this error.
    func response() -> Response {
        let body = ErrorBody(error: .init(code: code, message: message, problems: problems.isEmpty ? nil : problems))
        var response = JSONResponse.make(status: status, body)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let problems: [Problem]?
        }
        let error: Detail
    }
}

extension RegistryError {
    /// 400: the body is not the JSON the endpoint expects.
    static func malformed(_ what: String, _ error: any Error) -> RegistryError {
        RegistryError(.badRequest, "malformed_json", "the body is not a valid \(what): \(DecodingErrorText.describe(error))")
    }

    /// 413: the body is larger than the configured limit.
    static func bodyTooLarge(limit: Int) -> RegistryError {
        RegistryError(.contentTooLarge, "body_too_large", "the request body exceeds the limit of \(limit) bytes")
    }

    /// 500: the store failed; the message does not include the underlying error (it is logged instead).
    static let storageFailure = RegistryError(.internalServerError, "storage_failure", "the registry could not read or write its database")
}

/// Short, field-naming text for Foundation's decoding errors.
enum DecodingErrorText {
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "it is not JSON" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing member \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not JSON" : "bad value at \(path(context.codingPath))"
        @unknown default:
            return "it is not JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "(the document)" }
        // networks[0].version
        return keys.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }
}

/// JSON responses through Foundation's encoder (the registry is a server; the `zmesh` node side avoids Foundation).
enum JSONResponse {
    static func make(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"encoding_failure","message":"response could not be encoded"}}"#.utf8)
        return raw(status: status, Array(data))
    }

    static func raw(status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
