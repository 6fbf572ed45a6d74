import Logging
import SystemSupport

/// An `async` HTTP client on one libcurl multi handle and one dedicated thread.
///
/// ``perform(_:)`` may be called from any number of tasks at once; each exchange is an easy handle on the
/// shared multi handle (which also keeps a cache of connections for reuse). Cancelling the awaiting task
/// removes its transfer at once and ends the call with ``TransportFailure/Kind/cancelled``. Redirects are
/// not followed, only `http` and `https` are allowed, and no signal is used for timeouts (`CURLOPT_NOSIGNAL`).
///
/// The thread stops when the transport is released (nothing can be in flight then: each call holds it).
public final class HTTPTransport: Sendable {
    public let options: TransportOptions
    private let engine: CurlEngine
    private let thread: WorkerThread

    /// Starts the transport's thread.
    public init(options: TransportOptions = TransportOptions(), logger: Logger) throws(TransportFailure) {
        self.options = options
        let engine = try CurlEngine(logger: logger)
        self.engine = engine
        do {
            thread = try WorkerThread { engine.run() }
        } catch {
            throw TransportFailure(kind: .curl, code: 0, message: "could not start the HTTP transport thread: \(error)")
        }
    }

    deinit {
        engine.stop()
        thread.join()
    }

    /// Sends `request` and returns the response, whatever its status.
    /// - Throws: ``TransportFailure`` when no response arrived: connection, TLS, timeout, size limit,
    ///   cancellation of the calling task.
    public func perform(_ request: HTTPRequest) async throws(TransportFailure) -> HTTPResponse {
        guard !Task.isCancelled else { throw .cancelled }
        let transfer = try CurlTransfer(request, options: options)
        let engine = self.engine
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.attach(continuation)
                engine.submit(transfer)
            }
        } onCancel: {
            engine.cancel(transfer)
        }
        return try result.get()
    }
}
