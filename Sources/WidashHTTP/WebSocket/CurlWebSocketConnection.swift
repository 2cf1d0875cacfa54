import Foundation

/// What `CurlTransport.webSocket` returns: a thin front over the mailbox of the connection's thread.
/// Dropping the last reference aborts the connection (the thread then frees the libcurl handle).
final class CurlWebSocketConnection: WebSocketConnection {
    let subprotocol: String?
    private let mailbox: WebSocketMailbox
    private let url: String

    init(subprotocol: String?, mailbox: WebSocketMailbox, url: String) {
        self.subprotocol = subprotocol
        self.mailbox = mailbox
        self.url = url
    }

    deinit { mailbox.abort(HTTPError.cancelled(url: url)) }

    func send(_ message: WebSocketMessage) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                mailbox.send(message, continuation: continuation)
            }
        } onCancel: { [mailbox, url] in
            mailbox.abort(HTTPError.cancelled(url: url))
        }
    }

    func receive() async throws -> WebSocketMessage? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WebSocketMessage?, Error>) in
                mailbox.receive(continuation: continuation)
            }
        } onCancel: { [mailbox, url] in
            mailbox.abort(HTTPError.cancelled(url: url))
        }
    }

    func close(code: UInt16, reason: String) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                mailbox.close(code: code, reason: reason, continuation: continuation)
            }
        } onCancel: { [mailbox, url] in
            mailbox.abort(HTTPError.cancelled(url: url))
        }
    }
}

extension CurlTransport {
    /// Opens a WebSocket over libcurl: libcurl connects (TCP, proxy CONNECT, TLS with the transport's
    /// CA, client certificate, server name and CONNECT_TO, exactly as for `send`) with
    /// `CURLOPT_CONNECT_ONLY`, and widash writes the RFC 6455 §4.1 upgrade and the frames itself
    /// (this libcurl has no WebSocket support). `ws://` and `wss://` URLs are taken as `http(s)://`.
    ///
    /// - The upgrade is always `GET` over HTTP/1.1; the request's headers (Authorization, …) are sent
    ///   with it, its body is not. Redirects are not followed (a 3xx is a refusal).
    /// - Timeouts (the request's, else the client's): `connect` bounds the TCP/TLS connect and, again,
    ///   the wait for the upgrade's answer; `total` (when set) the connection's whole life; with
    ///   `lowSpeedBytes > 0`, nothing received for `lowSpeedTime` ends it (`HTTPError.timeout`).
    /// - A refusal's body is kept up to `maxBodyBytes` (default 1 MiB).
    /// - Runs on a thread of its own, like every transfer; the handle never goes back to the pool.
    public func webSocket(_ request: HTTPRequest, protocols: [String]) async throws -> any WebSocketConnection {
        var upgrade = request
        upgrade.method = "GET"
        upgrade.body = nil
        upgrade.url = Self.httpURL(forWebSocketURL: request.url)
        let plan = try CurlRequestPlan(request: upgrade, options: options, environment: environment,
                                       defaultMaxBodyBytes: 1024 * 1024)
        if let bad = protocols.first(where: { !WebSocketHandshake.isToken($0) }) {
            throw WebSocketError.handshakeFailed(url: plan.displayURL, detail: "the subprotocol \"\(bad.prefix(80))\" is not an HTTP token")
        }
        guard let wakeup = WebSocketWakeup() else {
            throw HTTPError.other(url: plan.displayURL, code: 0, detail: "cannot create a pipe (too many open files?)")
        }
        let mailbox = WebSocketMailbox(wakeup: wakeup, inboxLimit: WebSocketFrameReader.defaultMaxFrameSize)
        let thread = CurlWebSocketThread(plan: plan, handshake: WebSocketHandshake(protocols: protocols), mailbox: mailbox)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any WebSocketConnection, Error>) in
                thread.start { result in continuation.resume(with: result) }
            }
        } onCancel: {
            mailbox.abort(HTTPError.cancelled(url: plan.displayURL))
        }
    }

    static func httpURL(forWebSocketURL url: String) -> String {
        let lower = url.lowercased()
        if lower.hasPrefix("wss://") { return "https://" + url.dropFirst("wss://".count) }
        if lower.hasPrefix("ws://") { return "http://" + url.dropFirst("ws://".count) }
        return url
    }
}
