import Foundation

/// The real `HTTPTransport`, over libcurl.
///
/// Each request runs on its own thread with libcurl handles no other thread uses meanwhile, so
/// blocking network work never runs on the Swift concurrency pool and never on the UI thread. A
/// completed `send` hands its handles to the next one (`CurlHandlePool`), which reuses their open
/// connection: no new TCP and TLS handshake per request.
/// Cancelling the awaiting task (or dropping a stream) aborts the transfer and ends it with
/// `HTTPError.cancelled`. HTTP error statuses are returned, not thrown.
///
/// - TLS: the system trust store unless `tls.caPEM`/`caFile` is set (which then replaces it, as in
///   client-go); PEM material is handed over in memory (curl blobs). `tls.serverName` is honoured by
///   putting that name in the URL given to libcurl (so SNI and verification use it), routing the
///   connection to the real host with `CONNECT_TO`, and sending the original `Host` header.
/// - Proxies: `proxyURL`, else `HTTPS_PROXY`/`https_proxy` (https URLs) or `HTTP_PROXY`/`http_proxy`
///   (http URLs), minus `NO_PROXY`/`no_proxy`, read by widash and set explicitly on libcurl.
/// - Timeouts: the request's `HTTPTimeouts`, else the client's; `lowSpeedBytes == 0` disables the
///   low-speed check (use that, or a long `lowSpeedTime`, for quiet watch streams).
/// - Redirects: followed up to 10 times. HTTP/2 is used where the server offers it over TLS.
/// - Body size: `request.maxBodyBytes`; for `send` without one, `defaultSendBodyLimit` still applies so
///   that an endless body cannot exhaust memory. Streams have no default limit (watches run for hours).
public final class CurlTransport: HTTPTransport, Sendable {
    /// The body limit `send` applies when the request sets none: 256 MiB.
    public static let defaultSendBodyLimit = 256 * 1024 * 1024

    public let options: HTTPClientOptions
    /// Internal, not private: `webSocket` (WebSocket/CurlWebSocketConnection.swift) plans its upgrade with it.
    let environment: [String: String]
    /// Handles with open connections for `send` (streams keep their own: a watch holds one for hours).
    private let handles = CurlHandlePool()

    /// - Parameter options: TLS material, proxy, CONNECT_TO routes, default timeouts, user agent.
    public convenience init(options: HTTPClientOptions) {
        self.init(options: options, environment: ProcessInfo.processInfo.environment)
    }

    /// - Parameter environment: where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are read (tests inject it).
    public init(options: HTTPClientOptions, environment: [String: String]) {
        WidashHTTPRuntime.initialize()
        self.options = options
        self.environment = environment
    }

    /// The proxy a request to `url` would use (for diagnostics and the UI); nil for a direct connection.
    public func proxy(for url: String) -> String? {
        guard let plan = try? CurlRequestPlan(request: HTTPRequest(url: url), options: options,
                                              environment: environment),
              plan.viaProxy else { return nil }
        return redactedURL(plan.proxy.proxy)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let plan = try CurlRequestPlan(request: request, options: options, environment: environment,
                                       defaultMaxBodyBytes: Self.defaultSendBodyLimit)
        let transfer = CurlTransfer(plan: plan, sink: .collect, pool: handles)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                transfer.start { result in continuation.resume(with: result.mapError { $0 as Error }) }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { continuation in
            let plan: CurlRequestPlan
            do {
                plan = try CurlRequestPlan(request: request, options: options, environment: environment)
            } catch {
                continuation.finish(throwing: error)
                return
            }
            let transfer = CurlTransfer(plan: plan, sink: .stream(continuation))
            continuation.onTermination = { _ in transfer.cancel() }
            transfer.start { result in
                switch result {
                case .success: continuation.finish()
                case .failure(let error): continuation.finish(throwing: error)
                }
            }
        }
    }
}
