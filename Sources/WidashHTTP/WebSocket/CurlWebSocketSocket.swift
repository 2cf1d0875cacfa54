import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A libcurl connection opened with `CURLOPT_CONNECT_ONLY`: libcurl did the TCP connect, the proxy
/// CONNECT and the TLS handshake exactly as for every other request (same `CurlHandleSetup`), and then
/// hands the raw byte stream over through `curl_easy_send` / `curl_easy_recv` (libcurl's documented
/// use of CONNECT_ONLY, see `curl_easy_send(3)`). The handle is never pooled: a CONNECT_ONLY
/// connection cannot be reused for another request.
///
/// Confined to one thread (libcurl: one handle, one thread at a time); only `WebSocketWakeup` is shared.
final class CurlWebSocketSocket {
    let plan: CurlRequestPlan
    private let easy: UnsafeMutableRawPointer
    private let lists = CurlStringLists()
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var socket: Int32 = -1

    /// Creates the handle and applies the plan; nil when libcurl cannot make a handle.
    init(plan: CurlRequestPlan) throws(HTTPError) {
        self.plan = plan
        guard let easy = curl_easy_init() else {
            throw .other(url: plan.displayURL, code: Int(CURLE_FAILED_INIT.rawValue), detail: "libcurl could not create a handle")
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(easy)
        lists.freeAll()
        errorBuffer.deallocate()
    }

    /// Connects (TCP, proxy, TLS) and stops before any HTTP request. `isCancelled` is polled by
    /// libcurl's progress callback (several times a second while connecting).
    func connect(isCancelled: WebSocketAbortFlag) throws(HTTPError) {
        let setup = CurlHandleSetup(easy: easy, plan: plan, lists: lists)
        try setup.apply()
        // After the shared setup: only what an upgrade needs differently.
        try setup.set(CURLOPT_CONNECT_ONLY, 1)
        // RFC 6455 §4.1 is an HTTP/1.1 upgrade; offered over ALPN, h2 would make the server expect HTTP/2 frames.
        try setup.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try setup.set(CURLOPT_FOLLOWLOCATION, 0)
        // The connect phase only: the total timeout bounds the whole connection elsewhere.
        try setup.set(CURLOPT_TIMEOUT_MS, max(1, plan.timeouts.connect.milliseconds))
        // widash writes an origin-form request itself, so even a plain http:// URL must be tunnelled
        // (CONNECT), as gorilla/websocket does through proxies.
        if plan.viaProxy { try setup.set(CURLOPT_HTTPPROXYTUNNEL, 1) }
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        let context = Unmanaged.passUnretained(isCancelled).toOpaque()  // `connect`'s caller keeps the flag alive
        try setup.check(widash_curl_setopt_xferinfocb(easy, CURLOPT_XFERINFOFUNCTION) { context, _, _, _, _ in
            guard let context else { return 1 }
            return Unmanaged<WebSocketAbortFlag>.fromOpaque(context).takeUnretainedValue().isSet ? 1 : 0
        }, "XFERINFOFUNCTION")
        try setup.check(widash_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, context), "XFERINFODATA")
        try setup.set(CURLOPT_NOPROGRESS, 0)

        let code = curl_easy_perform(easy)
        guard code == CURLE_OK, !isCancelled.isSet else { throw failure(code, cancelled: isCancelled.isSet) }
        // CURLINFO_ACTIVESOCKET writes a curl_socket_t (an int) at the address given: read those 4 bytes.
        var storage = 0
        let info = withUnsafeMutablePointer(to: &storage) { widash_curl_getinfo_long(easy, CURLINFO_ACTIVESOCKET, $0) }
        socket = withUnsafeBytes(of: &storage) { $0.load(as: Int32.self) }
        guard info == CURLE_OK, socket >= 0 else {
            throw .other(url: plan.displayURL, code: Int(info.rawValue), detail: "libcurl reported no socket for the connection")
        }
    }

    enum IOResult {
        case done(Int)
        /// Nothing can be transferred now (`CURLE_AGAIN`): wait for the socket.
        case wouldBlock
        /// The server closed the connection (recv only).
        case closed
        case failed(HTTPError)
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .done(0) }
        var sent = 0
        let code = curl_easy_send(easy, base, bytes.count, &sent)
        if code == CURLE_AGAIN { return .wouldBlock }
        guard code == CURLE_OK else { return .failed(failure(code, cancelled: false)) }
        return .done(sent)
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        guard let base = buffer.baseAddress else { return .wouldBlock }
        var received = 0
        let code = curl_easy_recv(easy, base, buffer.count, &received)
        if code == CURLE_AGAIN { return .wouldBlock }
        guard code == CURLE_OK else { return .failed(failure(code, cancelled: false)) }
        return received == 0 ? .closed : .done(received)
    }

    /// Waits until the socket is readable (`read`) or writable (`write`), `wakeup` fires, or
    /// `timeout` passes. Call only after a `.wouldBlock` (TLS may hold decrypted bytes the socket
    /// no longer shows as readable).
    func wait(read: Bool, write: Bool, wakeup: WebSocketWakeup, timeout: Duration) {
        var events: Int16 = 0
        if read { events |= Int16(POLLIN) }
        if write { events |= Int16(POLLOUT) }
        var fds = [pollfd(fd: socket, events: events, revents: 0),
                   pollfd(fd: wakeup.readDescriptor, events: Int16(POLLIN), revents: 0)]
        let milliseconds = Int32(clamping: max(0, min(timeout.milliseconds, 1000)))
        let ready = poll(&fds, nfds_t(fds.count), milliseconds)
        if ready > 0 && fds[1].revents != 0 { wakeup.drain() }
    }

    private func failure(_ code: CURLcode, cancelled: Bool) -> HTTPError {
        let failure = CurlFailure(code: code.rawValue, errorText: String(cString: errorBuffer), verifyResult: verifyResult(),
                                  cancelled: cancelled, exceededBodyLimit: nil, viaProxy: plan.viaProxy)
        return CurlErrorMapping.map(failure, url: plan.displayURL, host: plan.route.host)
    }

    private func verifyResult() -> Int {
        var result = 0
        _ = widash_curl_getinfo_long(easy, CURLINFO_SSL_VERIFYRESULT, &result)
        return result
    }
}

/// A flag set from any thread (cancel, drop) and read by the connection thread and libcurl's callback.
final class WebSocketAbortFlag: @unchecked Sendable {
    // Safety: `value` only under `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// A self-pipe that interrupts the connection thread's `poll` when a caller queues work or aborts.
/// At most one byte is ever in the pipe (`pending`), so a write never blocks; after `close` nothing
/// writes to it again, so a reused descriptor number is never touched.
final class WebSocketWakeup: @unchecked Sendable {
    // Safety: `pending` and `open` only under `lock`; descriptors are immutable.
    private let lock = NSLock()
    private var pending = false
    private var open = true
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    func fire() {
        lock.withLock {
            guard open, !pending else { return }
            pending = true
            var byte: UInt8 = 1
            _ = Glibc.write(writeDescriptor, &byte, 1)
        }
    }

    /// On the connection thread, after poll saw the pipe readable.
    func drain() {
        lock.withLock { pending = false }
        var byte: UInt8 = 0
        _ = Glibc.read(readDescriptor, &byte, 1)
    }

    func close() {
        lock.withLock {
            guard open else { return }
            open = false
            _ = Glibc.close(readDescriptor)
            _ = Glibc.close(writeDescriptor)
        }
    }
}
