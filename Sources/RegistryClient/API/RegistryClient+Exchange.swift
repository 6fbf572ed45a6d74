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

extension RegistryClient {
    /// Sends `call`, retrying per policy, and returns the successful answer.
    func exchange(_ call: RegistryCall) async throws(RegistryClientError) -> HTTPResponse {
        let target = url.target(call.path)
        let address = url.url(forTarget: target)
        let policy = call.retry ?? configuration.retry
        var failures = 0
        while true {
            guard !Task.isCancelled else { throw .cancelled(operation: call.operation) }
            let request = try makeRequest(call, target: target, address: address)
            let reason: String
            let delay: Duration
            let attempt = failures + 1
            let outcome: Result<HTTPResponse, TransportFailure>
            do { outcome = .success(try await transport.perform(request)) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let response):
                if call.expected.contains(response.status) { return response }
                let refusal = Self.refusal(response, operation: call.operation, url: address)
                let retryable = response.status == 429 || (call.idempotent && (500...599).contains(response.status))
                guard retryable, attempt < policy.attempts else { throw refusal }
                reason = "\(response.status) \(refusal.code ?? "")"
                delay = policy.retryAfter(response.header("retry-after")) ?? policy.delay(afterFailures: attempt)
            case .failure(let failure):
                switch failure.kind {
                case .cancelled: throw .cancelled(operation: call.operation)
                case .responseTooLarge:
                    throw .responseTooLarge(operation: call.operation, url: address, limit: configuration.maximumResponseBytes)
                case .shutDown, .curl: break
                }
                let retryable = failure.isTransient && (call.idempotent || failure.isBeforeSending)
                guard retryable, attempt < policy.attempts else {
                    let suffix = attempt > 1 ? "; gave up after \(attempt) attempts" : ""
                    throw .transport(operation: call.operation, url: address, code: failure.code, message: failure.message + suffix)
                }
                reason = failure.description
                delay = policy.delay(afterFailures: attempt)
            }
            failures = attempt
            logger.info(
                "registry request failed; retrying",
                metadata: [
                    "operation": "\(call.operation)", "target": "\(target)", "attempt": "\(attempt)/\(policy.attempts)",
                    "reason": "\(reason)", "delay_ms": "\(delay.curlMilliseconds)",
                ])
            do { try await Task.sleep(for: delay) } catch { throw .cancelled(operation: call.operation) }
        }
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
                timestamp: configuration.clock())
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
