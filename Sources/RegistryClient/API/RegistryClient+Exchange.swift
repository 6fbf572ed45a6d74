import Logging
import RegistryProtocol

/// One API call as the exchange loop needs it.
struct RegistryCall: Sendable {
    /// What the call does, in words ("register node"): named in errors and logs.
    var operation: String
    var method: HTTPMethod
    /// The API path and query (`/v1/nodes/<id>/mailbox?after=3&wait=30`), before the URL's prefix.
    var path: String
    var body: [UInt8] = []
    var signed = false
    /// Safe to repeat after an ambiguous failure (the request may have been processed).
    var idempotent = true
    /// The exchange's deadline (the configuration's request timeout when nil).
    var timeout: Duration? = nil
    /// Overrides the configuration's retry policy.
    var retry: RetryPolicy? = nil
    /// The success statuses the call expects.
    var expected: Set<Int> = [200]
}

/// How one attempt ended.
enum AttemptOutcome: Sendable {
    /// The expected answer.
    case success(HTTPResponse)
    /// A failure; `retryable` when another attempt may succeed, `retryAfter` when the registry asked for a
    /// delay (`Retry-After` on 429 or 503), `reason` a short text for logs.
    case failure(RegistryClientError, retryable: Bool, retryAfter: Duration?, reason: String)
}

extension RegistryClient {
    /// Sends `call`, retrying per policy, and returns the successful answer.
    func exchange(_ call: RegistryCall) async throws(RegistryClientError) -> HTTPResponse {
        let policy = call.retry ?? configuration.retry
        var failures = 0
        while true {
            guard !Task.isCancelled else { throw .cancelled(operation: call.operation) }
            let attempt = failures + 1
            switch await self.attempt(call) {
            case .success(let response):
                return response
            case .failure(let error, let retryable, let retryAfter, let reason):
                guard retryable, attempt < policy.attempts else { throw Self.gaveUp(error, after: attempt) }
                let delay = retryAfter.map { min($0, policy.maximumRetryAfter) } ?? policy.delay(afterFailures: attempt)
                failures = attempt
                logger.info(
                    "registry request failed; retrying",
                    metadata: [
                        "operation": "\(call.operation)", "target": "\(url.target(call.path))",
                        "attempt": "\(attempt)/\(policy.attempts)", "reason": "\(reason)",
                        "delay_ms": "\(delay.curlMilliseconds)",
                    ])
                do { try await Task.sleep(for: delay) } catch { throw .cancelled(operation: call.operation) }
            }
        }
    }

    /// One attempt of `call`, signed anew, classified for the retry loops (``exchange(_:)``, ``MailboxPoller``).
    func attempt(_ call: RegistryCall) async -> AttemptOutcome {
        let target = url.target(call.path)
        let address = url.url(forTarget: target)
        let request: HTTPRequest
        do { request = try makeRequest(call, target: target, address: address) } catch {
            return .failure(error, retryable: false, retryAfter: nil, reason: error.description)
        }
        let response: HTTPResponse
        do {
            response = try await transport.perform(request)
        } catch {
            switch error.kind {
            case .cancelled:
                return .failure(.cancelled(operation: call.operation), retryable: false, retryAfter: nil, reason: "cancelled")
            case .responseTooLarge:
                let failure = RegistryClientError.responseTooLarge(
                    operation: call.operation, url: address, limit: configuration.maximumResponseBytes)
                return .failure(failure, retryable: false, retryAfter: nil, reason: failure.description)
            case .shutDown, .curl:
                let failure = RegistryClientError.transport(
                    operation: call.operation, url: address, code: error.code, message: error.message)
                let retryable = error.isTransient && (call.idempotent || error.isBeforeSending)
                return .failure(failure, retryable: retryable, retryAfter: nil, reason: error.description)
            }
        }
        if call.expected.contains(response.status) { return .success(response) }
        let refusal = Self.refusal(response, operation: call.operation, url: address)
        if adoptRegistryClock(after: refusal, response) {
            return .failure(refusal, retryable: true, retryAfter: .zero, reason: "\(refusal.code ?? ""), clock adjusted")
        }
        let retryable = response.status == 429 || (call.idempotent && (500...599).contains(response.status))
        let retryAfter = (response.status == 429 || response.status == 503)
            ? Self.retryAfter(response.header("retry-after")) : nil
        return .failure(refusal, retryable: retryable, retryAfter: retryAfter, reason: "\(response.status) \(refusal.code ?? "")")
    }

    /// After a refused timestamp, takes the registry's clock from its `Date` header; true when the offset
    /// changed (so signing again may succeed), false when there is nothing new to try.
    private func adoptRegistryClock(after refusal: RegistryClientError, _ response: HTTPResponse) -> Bool {
        guard configuration.adoptsRegistryClock, response.status == 401,
            refusal.code == "clock_skew" || refusal.code == "stale_timestamp",
            let date = response.header("date"), let registryTime = HTTPDate.unixSeconds(date)
        else { return false }
        let offset = registryTime - configuration.clock()
        // The Date header has whole seconds and the request took some time: a change of a second is noise.
        guard abs(offset - clockOffset.value) >= 2 else { return false }
        clockOffset.set(offset)
        logger.notice(
            "the registry refused the local clock; stamping requests with the registry's",
            metadata: ["offset_seconds": "\(offset)", "code": "\(refusal.code ?? "")"])
        return true
    }

    /// The error reported after the last attempt: a transport error says how many attempts were made.
    static func gaveUp(_ error: RegistryClientError, after attempts: Int) -> RegistryClientError {
        guard attempts > 1, case .transport(let operation, let url, let code, let message) = error else { return error }
        return .transport(operation: operation, url: url, code: code, message: "\(message); gave up after \(attempts) attempts")
    }

    /// A `Retry-After` value in delta-seconds (an HTTP date gives `nil`).
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Int64(header.trimmingWhitespace()), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    /// The request for one attempt; a signed call gets a fresh timestamp and nonce each time.
    private func makeRequest(_ call: RegistryCall, target: String, address: String) throws(RegistryClientError)
        -> HTTPRequest
    {
        var headers = [HTTPHeader("Accept", "application/json")]
        if call.method == .post { headers.append(HTTPHeader("Content-Type", "application/json")) }
        if call.signed {
            guard let identity else { throw .missingIdentity(operation: call.operation) }
            for header in RequestSigning.headers(
                identity: identity, method: call.method.rawValue, target: target, body: call.body,
                timestamp: configuration.clock() + clockOffset.value)
            {
                headers.append(HTTPHeader(header.name, header.value))
            }
        }
        return HTTPRequest(
            method: call.method, url: address, headers: headers, body: call.body,
            timeout: call.timeout ?? configuration.requestTimeout)
    }

    /// The typed error for a non-success answer: the registry's JSON error, or a malformed-answer error.
    static func refusal(_ response: HTTPResponse, operation: String, url: String) -> RegistryClientError {
        guard let wire = try? WireObject.parse(response.body), let error = try? wire.object("error"),
            let code = try? error.string("code"), let message = try? error.string("message")
        else {
            let kind = (200...299).contains(response.status) ? "an unexpected" : "a"
            return .malformedResponse(
                operation: operation, url: url, status: response.status,
                reason: "\(kind) \(response.status) answer without the registry's JSON error body")
        }
        var problems: [RegistryClientError.Problem] = []
        for problem in (try? error.objects("problems", optional: true)) ?? [] {
            guard let message = try? problem.string("message") else { continue }
            problems.append(.init(path: (try? problem.string("path")) ?? "", message: message))
        }
        return .refused(status: response.status, code: code, message: message, problems: problems)
    }

    /// Reads a successful answer with `read`; a mismatch becomes ``RegistryClientError/malformedResponse(operation:url:status:reason:)``.
    func decode<T>(
        _ response: HTTPResponse, _ call: RegistryCall, _ read: (WireObject) throws(WireError) -> T
    ) throws(RegistryClientError) -> T {
        do {
            return try read(try WireObject.parse(response.body))
        } catch {
            throw .malformedResponse(
                operation: call.operation, url: url.url(forTarget: url.target(call.path)), status: response.status,
                reason: error.description)
        }
    }

    /// `exchange` then `decode`.
    func fetch<T>(_ call: RegistryCall, _ read: (WireObject) throws(WireError) -> T) async throws(RegistryClientError)
        -> T
    {
        let response = try await exchange(call)
        return try decode(response, call, read)
    }
}
