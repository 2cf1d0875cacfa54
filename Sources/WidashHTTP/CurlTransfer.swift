import CCurl
import Foundation

/// The cancel flag and the multi handle to wake, shared between the transfer thread and any canceller.
final class TransferControl: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var multi: UnsafeMutableRawPointer?

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Sets the flag and wakes the transfer's `curl_multi_poll` so it notices at once.
    func cancel() {
        lock.withLock {
            cancelled = true
            if let multi { _ = curl_multi_wakeup(multi) }
        }
    }

    func attach(_ handle: UnsafeMutableRawPointer?) { lock.withLock { multi = handle } }
}

/// One HTTP transfer on its own thread with its own libcurl handles.
///
/// Threading: `start` spawns a `Thread`; the easy and multi handles are created (or taken from the
/// transport's pool), driven and freed (or given back) on that thread only, and libcurl calls the
/// callbacks below on it, so the mutable response state needs no lock.
/// Only `TransferControl` is touched from other threads (`cancel`). Blocking work therefore never runs on
/// the Swift concurrency pool. The multi interface (one easy handle per multi) is used instead of
/// `curl_easy_perform` so that `curl_multi_wakeup` can interrupt a wait immediately on cancel; the
/// progress callback also checks the flag (libcurl calls it at least once a second).
final class CurlTransfer: @unchecked Sendable {
    typealias Completion = @Sendable (Result<HTTPResponse, HTTPError>) -> Void
    typealias Continuation = AsyncThrowingStream<HTTPStreamEvent, Error>.Continuation

    enum Sink {
        /// Collect the whole body (`send`).
        case collect
        /// Yield `.head` then `.body` chunks as they arrive (`stream`).
        case stream(Continuation)
    }

    private let plan: CurlRequestPlan
    private let sink: Sink
    private let control = TransferControl()
    /// Where the handles come from and go back to after a completed transfer (nil: own handles).
    private let pool: CurlHandlePool?

    // Confined to the transfer thread.
    private var status = 0
    private var headers: [String: String] = [:]
    private var lastHeaderName: String?
    private var sawLocation = false
    private var finalHeadComplete = false
    private var headSent = false
    private var body = Data()
    private var bodyBytes = 0
    private var exceededLimit: Int?

    init(plan: CurlRequestPlan, sink: Sink, pool: CurlHandlePool? = nil) {
        self.plan = plan
        self.sink = sink
        self.pool = pool
    }

    /// Aborts the transfer promptly; it then completes with `HTTPError.cancelled`. Safe from any thread.
    func cancel() { control.cancel() }

    func start(completion: @escaping Completion) {
        let thread = Thread { [self] in
            BackgroundPriority.lowerCurrentThread()
            completion(run())
        }
        thread.name = "widash-curl"
        thread.start()
    }

    // MARK: the transfer thread

    private func run() -> Result<HTTPResponse, HTTPError> {
        if control.isCancelled { return .failure(.cancelled(url: plan.displayURL)) }
        guard let pair = pool?.take() ?? CurlHandlePool.newPair() else {
            return .failure(.other(url: plan.displayURL, code: Int(CURLE_FAILED_INIT.rawValue), detail: "libcurl could not create a handle"))
        }
        let easy = pair.easy
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let lists = CurlStringLists()
        var reusable = false
        defer {
            // Back to the pool (options reset first) only after a clean end; else freed.
            if reusable, let pool { pool.give(pair) } else { CurlHandlePool.free(pair) }
            lists.freeAll()
            errorBuffer.deallocate()
        }
        do {
            try CurlHandleSetup(easy: easy, plan: plan, lists: lists).apply()
            try installCallbacks(easy, errorBuffer: errorBuffer)
        } catch {
            return .failure(error)
        }

        let code = drive(easy, multi: pair.multi)
        if code != CURLE_OK || control.isCancelled {
            var verifyResult = 0
            _ = widash_curl_getinfo_long(easy, CURLINFO_SSL_VERIFYRESULT, &verifyResult)
            let failure = CurlFailure(code: code.rawValue, errorText: String(cString: errorBuffer),
                                      verifyResult: verifyResult, cancelled: control.isCancelled,
                                      exceededBodyLimit: exceededLimit, viaProxy: plan.viaProxy)
            return .failure(CurlErrorMapping.map(failure, url: plan.displayURL, host: plan.route.host))
        }

        var responseCode = 0
        _ = widash_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        var version = 0
        _ = widash_curl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        if responseCode != 0 { status = responseCode }
        sendHeadIfNeeded()
        reusable = true
        return .success(HTTPResponse(status: status, headers: headers, body: body,
                                     httpVersion: Self.versionName(version),
                                     certificateChain: plan.request.capturesCertificateChain ? Self.certificateChain(easy) : []))
    }

    /// The server's certificates as libcurl reports them (CURLINFO_CERTINFO): one list of
    /// `Name:value` entries per certificate, leaf first; the `Cert:` entry holds its PEM.
    static func certificateChain(_ easy: UnsafeMutableRawPointer) -> [String] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard widash_curl_getinfo_certinfo(easy, &info) == CURLE_OK, let info, let lists = info.pointee.certinfo else { return [] }
        var chain: [String] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var node = lists[index]
            while let current = node {
                if let data = current.pointee.data {
                    let entry = String(cString: data)
                    if entry.hasPrefix("Cert:") { chain.append(String(entry.dropFirst("Cert:".count))) }
                }
                node = current.pointee.next
            }
        }
        return chain
    }

    private func installCallbacks(_ easy: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>) throws(HTTPError) {
        let setup = CurlHandleSetup(easy: easy, plan: plan, lists: CurlStringLists())
        let context = Unmanaged.passUnretained(self).toOpaque()  // `run` keeps self alive for the transfer
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try setup.check(widash_curl_setopt_datacb(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveBody(data, size * count)
        }, "WRITEFUNCTION")
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try setup.check(widash_curl_setopt_datacb(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeader(data, size * count)
        }, "HEADERFUNCTION")
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try setup.check(widash_curl_setopt_xferinfocb(easy, CURLOPT_XFERINFOFUNCTION) { context, _, _, _, _ in
            guard let context else { return 1 }
            // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().control.isCancelled ? 1 : 0
        }, "XFERINFOFUNCTION")
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, context), "XFERINFODATA")
        try setup.set(CURLOPT_NOPROGRESS, 0)
    }

    /// Runs the transfer to its end, or until cancelled, and returns its result code. The easy
    /// handle leaves the multi handle before this returns (the caller frees or pools both).
    private func drive(_ easy: UnsafeMutableRawPointer, multi: UnsafeMutableRawPointer) -> CURLcode {
        control.attach(multi)
        defer {
            control.attach(nil)  // under the lock: no wakeup can hit a handle being freed or reused
            _ = curl_multi_remove_handle(multi, easy)
        }
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else { return CURLE_FAILED_INIT }
        var running: Int32 = 1
        while true {
            guard curl_multi_perform(multi, &running) == CURLM_OK else { return CURLE_FAILED_INIT }
            if running == 0 { break }
            if control.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
        }
        return CURLE_GOT_NOTHING
    }

    // MARK: callbacks (transfer thread)

    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        if control.isCancelled { return 0 }
        guard let data, count > 0 else { return count }
        if let limit = plan.maxBodyBytes, bodyBytes + count > limit {
            exceededLimit = limit
            return 0  // short write: libcurl aborts with CURLE_WRITE_ERROR
        }
        bodyBytes += count
        switch sink {
        case .collect:
            body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: count)
        case .stream(let continuation):
            sendHeadIfNeeded()
            if case .terminated = continuation.yield(.body(Data(bytes: data, count: count))) {
                control.cancel()  // nobody is listening any more
                return 0
            }
        }
        return count
    }

    private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data, count > 0 else { return count }
        let raw = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        let line = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or a 1xx): only the final one's headers remain.
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headers = [:]
            lastHeaderName = nil
            sawLocation = false
            finalHeadComplete = false
            return count
        }
        if finalHeadComplete { return count }  // trailers
        if line.isEmpty {
            if isFinalResponse {
                finalHeadComplete = true
                sendHeadIfNeeded()
            }
            return count
        }
        if line.first == " " || line.first == "\t", let name = lastHeaderName {
            headers[name, default: ""] += " " + line.trimmed  // obsolete line folding
            return count
        }
        guard let colon = line.firstIndex(of: ":") else { return count }
        let name = line[..<colon].trimmed.lowercased()
        headers[name] = line[line.index(after: colon)...].trimmed
        lastHeaderName = name
        if name == "location" { sawLocation = true }
        return count
    }

    /// Whether the response whose headers just ended is the one the caller gets (not a 1xx, not a
    /// redirect libcurl is about to follow).
    private var isFinalResponse: Bool {
        if (100...199).contains(status) { return false }
        if (300...399).contains(status) && status != 304 && sawLocation { return false }
        return true
    }

    private func sendHeadIfNeeded() {
        guard case .stream(let continuation) = sink, !headSent else { return }
        headSent = true
        if case .terminated = continuation.yield(.head(status: status, headers: headers)) { control.cancel() }
    }

    private static func versionName(_ version: Int) -> String {
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): return "HTTP/1.0"
        case Int(CURL_HTTP_VERSION_2_0): return "HTTP/2"
        case Int(CURL_HTTP_VERSION_3): return "HTTP/3"
        default: return "HTTP/1.1"
        }
    }
}

private extension Substring {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
