/// Why an exchange produced no HTTP response.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Equatable {
        /// libcurl failed (connection refused, timeout, reset, TLS verification, …).
        case curl
        /// The response body exceeded ``TransportOptions/maximumResponseBytes``.
        case responseTooLarge
        /// The awaiting task was cancelled; the transfer was removed.
        case cancelled
        /// The transport shut down before the transfer finished.
        case shutDown
    }

    public let kind: Kind
    /// libcurl's `CURLcode` (0 for failures that are not libcurl's).
    public let code: Int
    /// libcurl's detailed error text, or what happened in words.
    public let message: String

    public init(kind: Kind, code: Int, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    static let cancelled = TransportFailure(kind: .cancelled, code: 0, message: "cancelled")
    static let shutDown = TransportFailure(kind: .shutDown, code: 0, message: "the HTTP transport was shut down")

    /// Whether a new attempt may succeed: the connection could not be made, was reset or timed out, or the
    /// answer was cut off. Not for TLS verification, a bad URL or an oversized body, which repeat identically.
    public var isTransient: Bool {
        kind == .curl && CurlCodes.transient.contains(code)
    }

    /// Whether the request certainly did not reach the server (it is safe to retry even a non-idempotent one).
    public var isBeforeSending: Bool {
        kind == .curl && CurlCodes.beforeSending.contains(code)
    }

    public var description: String { code == 0 ? message : "\(message) (curl error \(code))" }
}

/// The `CURLcode` values the client classifies (curl/curl.h).
enum CurlCodes {
    static let couldNotResolveProxy = 5
    static let couldNotResolveHost = 6
    static let couldNotConnect = 7
    static let partialFile = 18
    static let writeError = 23
    static let operationTimedOut = 28
    static let gotNothing = 52
    static let sendError = 55
    static let receiveError = 56
    static let fileSizeExceeded = 63

    /// Worth another attempt.
    static let transient: Set<Int> = [
        couldNotResolveProxy, couldNotResolveHost, couldNotConnect, partialFile, operationTimedOut, gotNothing,
        sendError, receiveError,
    ]
    /// No byte of the request reached a server.
    static let beforeSending: Set<Int> = [couldNotResolveProxy, couldNotResolveHost, couldNotConnect]
}
