internal import CCurl
import Synchronization

/// One request on its libcurl easy handle, from setup to completion.
///
/// Built on the submitting task (``init(_:options:)`` configures the handle), then owned by the
/// ``CurlEngine`` thread, which alone touches the mutable parts — the response headers and body the
/// callbacks fill in — and resumes the continuation exactly once. The handle, its header list and its
/// error buffer are freed with the transfer, after the engine has removed the handle from the multi handle.
final class CurlTransfer: @unchecked Sendable {
    /// The easy handle (`CURL *`).
    let easy: UnsafeMutableRawPointer
    /// What the request was, for messages (no header values: they may carry signatures).
    let summary: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maximumBodyBytes: Int

    // Engine thread only, after submission.
    private var body: [UInt8] = []
    private var headers: [HTTPHeader] = []
    private var bodyTooLarge = false
    private var continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>?

    /// Set by any thread when the awaiting task is cancelled; read by the engine before it adds the handle.
    private let cancelledFlag = Atomic<Bool>(false)

    /// Creates and configures the easy handle for `request`.
    init(_ request: HTTPRequest, options: TransportOptions) throws(TransportFailure) {
        guard let easy = curl_easy_init() else {
            throw TransportFailure(kind: .curl, code: 2, message: "libcurl could not create a handle")
        }
        self.easy = easy
        summary = "\(request.method.rawValue) \(request.url)"
        maximumBodyBytes = options.maximumResponseBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure(request, options: options)
    }

    deinit {
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, options: TransportOptions) throws(TransportFailure) {
        let this = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.curlMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        try set(CURLOPT_USERAGENT, options.userAgent)
        try set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(options.maximumResponseBytes))
        if let caFile = options.caFile { try set(CURLOPT_CAINFO, caFile) }
        try check(zmesh_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        try check(zmesh_curl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlBodyCallback), CURLOPT_WRITEFUNCTION)
        try check(zmesh_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, this), CURLOPT_WRITEDATA)
        try check(
            zmesh_curl_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), CURLOPT_HEADERFUNCTION)
        try check(zmesh_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, this), CURLOPT_HEADERDATA)

        switch request.method {
        case .get:
            try set(CURLOPT_HTTPGET, 1)
        case .post:
            try set(CURLOPT_POST, 1)
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
            // COPYPOSTFIELDS copies the bytes now, so the body need not outlive this call.
            if request.body.isEmpty {
                try set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                let rc = request.body.withUnsafeBytes { raw in
                    zmesh_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                }
                try check(rc, CURLOPT_COPYPOSTFIELDS)
            }
        }

        // "Expect:" turns off libcurl's 100-continue wait for larger bodies (the registry does not send 100).
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            guard let list = curl_slist_append(headerList, line) else {
                throw TransportFailure(kind: .curl, code: 27, message: "out of memory building the headers of \(summary)")
            }
            headerList = list
        }
        try check(zmesh_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(TransportFailure) {
        try check(zmesh_curl_easy_setopt_long(easy, option, value), option)
    }

    private func set(_ option: CURLoption, offset value: Int64) throws(TransportFailure) {
        try check(zmesh_curl_easy_setopt_off_t(easy, option, curl_off_t(value)), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(TransportFailure) {
        try check(zmesh_curl_easy_setopt_string(easy, option, value), option)
    }

    private func check(_ rc: CURLcode, _ option: CURLoption) throws(TransportFailure) {
        guard rc == CURLE_OK else {
            throw TransportFailure(
                kind: .curl, code: Int(rc.rawValue),
                message: "libcurl refused option \(option.rawValue) for \(summary): \(String(cString: curl_easy_strerror(rc)))")
        }
    }

    // MARK: Cancellation and completion

    /// Marks the transfer cancelled (any thread).
    func markCancelled() { cancelledFlag.store(true, ordering: .sequentiallyConsistent) }

    var isCancelled: Bool { cancelledFlag.load(ordering: .sequentiallyConsistent) }

    /// Stores the continuation; called by the submitting task before it hands the transfer to the engine.
    func attach(_ continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) {
        self.continuation = continuation
    }

    /// Resumes the awaiting task (engine thread; at most once).
    func finish(_ result: Result<HTTPResponse, TransportFailure>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(returning: result)
    }

    /// Turns libcurl's result code into a response or a failure (engine thread, handle already removed).
    func complete(_ code: CURLcode) {
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            finish(.failure(TransportFailure(
                kind: .responseTooLarge, code: Int(code.rawValue),
                message: "the answer to \(summary) is larger than the limit of \(maximumBodyBytes) bytes")))
            return
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            finish(.failure(TransportFailure(kind: .curl, code: Int(code.rawValue), message: text)))
            return
        }
        var status = 0
        _ = zmesh_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        finish(.success(HTTPResponse(status: status, headers: headers, body: body)))
    }

    // MARK: Callbacks (engine thread)

    /// Appends body bytes; returning less than offered makes libcurl fail with `CURLE_WRITE_ERROR`.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard body.count + bytes.count <= maximumBodyBytes else {
            bodyTooLarge = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Records one header line; a status line starts a new response (after a 1xx), dropping earlier headers.
    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers.removeAll()
        } else if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].lowercased()
            let value = text[text.index(after: colon)...].trimmingWhitespace()
            headers.append(HTTPHeader(name, value))
        }
        return line.count
    }
}

private let curlBodyCallback: curl_write_callback = { data, size, count, user in
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: curl_write_callback = { data, size, count, user in
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
