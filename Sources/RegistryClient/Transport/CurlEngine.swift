internal import CCurl
import Logging
import Synchronization

/// One libcurl multi handle and the loop that drives it on a dedicated thread.
///
/// Any task may ``submit(_:)`` a transfer or ``cancel(_:)`` one: both queue the request under a lock and
/// call `curl_multi_wakeup`, which interrupts the loop's `curl_multi_poll`. The loop alone adds and
/// removes easy handles, runs `curl_multi_perform`, reads finished transfers and resumes their
/// continuations, so thousands of concurrent long-polls cost one thread and their sockets.
final class CurlEngine: Sendable {
    /// The multi handle (`CURLM *`); used by the loop thread, except for the thread-safe `curl_multi_wakeup`.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let queue = Mutex(Queue())
    private let logger: Logger

    private struct Queue: ~Copyable {
        var incoming: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var stopping = false
    }

    init(logger: Logger) throws(TransportFailure) {
        CurlGlobal.initialise()
        guard let multi = curl_multi_init() else {
            throw TransportFailure(kind: .curl, code: 2, message: "libcurl could not create a multi handle")
        }
        self.multi = multi
        self.logger = logger
    }

    /// Hands `transfer` to the loop; it finishes at once with ``TransportFailure/shutDown`` after ``stop()``.
    func submit(_ transfer: CurlTransfer) {
        let accepted = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.incoming.append(transfer)
            return true
        }
        guard accepted else {
            transfer.finish(.failure(.shutDown))
            return
        }
        curl_multi_wakeup(multi)
    }

    /// Asks the loop to remove `transfer` and finish it with ``TransportFailure/cancelled`` (unless it already finished).
    func cancel(_ transfer: CurlTransfer) {
        transfer.markCancelled()
        queue.withLock { $0.cancellations.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Makes the loop finish every transfer with ``TransportFailure/shutDown`` and return.
    func stop() {
        queue.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    /// The loop; returns after ``stop()``, having cleaned up the multi handle.
    func run() {
        var active: [UInt: CurlTransfer] = [:]
        func key(_ easy: UnsafeMutableRawPointer) -> UInt { UInt(bitPattern: easy) }

        while true {
            let (incoming, cancellations, stopping) = queue.withLock { queue in
                defer {
                    queue.incoming.removeAll()
                    queue.cancellations.removeAll()
                }
                return (queue.incoming, queue.cancellations, queue.stopping)
            }
            for transfer in incoming {
                // Cancelled before the loop saw it: never added.
                guard !transfer.isCancelled else {
                    transfer.finish(.failure(.cancelled))
                    continue
                }
                let rc = curl_multi_add_handle(multi, transfer.easy)
                guard rc == CURLM_OK else {
                    transfer.finish(.failure(TransportFailure(
                        kind: .curl, code: 0,
                        message: "libcurl could not start \(transfer.summary): \(String(cString: curl_multi_strerror(rc)))")))
                    continue
                }
                active[key(transfer.easy)] = transfer
            }
            for transfer in cancellations {
                guard let removed = active.removeValue(forKey: key(transfer.easy)) else { continue }
                curl_multi_remove_handle(multi, removed.easy)
                removed.finish(.failure(.cancelled))
            }
            if stopping {
                for transfer in active.values {
                    curl_multi_remove_handle(multi, transfer.easy)
                    transfer.finish(.failure(.shutDown))
                }
                active.removeAll()
                break
            }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.error(
                    "curl_multi_perform failed", metadata: ["error": "\(String(cString: curl_multi_strerror(performed)))"])
            }
            while true {
                var left: Int32 = 0
                guard let message = curl_multi_info_read(multi, &left) else { break }
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = zmesh_curl_message_result(message)
                // `message` is invalid once the handle is removed: everything needed was read above.
                guard let transfer = active.removeValue(forKey: key(easy)) else { continue }
                curl_multi_remove_handle(multi, easy)
                transfer.complete(code)
            }

            var ready: Int32 = 0
            let polled = curl_multi_poll(multi, nil, 0, 1000, &ready)
            if polled != CURLM_OK {
                logger.error("curl_multi_poll failed", metadata: ["error": "\(String(cString: curl_multi_strerror(polled)))"])
            }
        }
        // Transfers submitted after the last drain found `stopping` set and finished themselves.
        curl_multi_cleanup(multi)
    }
}

/// libcurl's process-wide initialisation, done once before the first handle.
enum CurlGlobal {
    private static let done: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func initialise() { _ = done }
}
