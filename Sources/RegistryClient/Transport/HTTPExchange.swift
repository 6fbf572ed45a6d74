/// The HTTP methods the registry API uses.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET"
    case post = "POST"
}

/// One request header.
public struct HTTPHeader: Sendable, Hashable {
    /// The name as sent (requests) or in lowercase (responses).
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request for ``HTTPTransport``: an absolute `http`/`https` URL, headers, body and a deadline.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL (`http://127.0.0.1:8080/v1/twins`); built from a ``RegistryURL``.
    public var url: String
    public var headers: [HTTPHeader]
    /// The body bytes (sent for POST, also when empty).
    public var body: [UInt8]
    /// The whole exchange — connecting, sending, waiting, receiving — must end within this time.
    public var timeout: Duration

    public init(
        method: HTTPMethod, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The answer to an ``HTTPRequest``: the final status, its headers and its body.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// The headers of the final response, names in lowercase, in arrival order.
    public let headers: [HTTPHeader]
    public let body: [UInt8]

    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}
