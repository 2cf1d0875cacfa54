import Foundation
import Logging
import WidashHTTP

/// Every Kubernetes and cloud call of a session, logged at debug level when it ends: method, URL
/// (query values that could be credentials are replaced by `redacted`), status, duration and the server's
/// request or correlation id, the handle a cloud's support needs. Headers and bodies are never
/// logged; the log handler scrubs token-shaped text on top.
struct LoggedTransport: HTTPTransport {
    let base: any HTTPTransport
    let logger: Logger

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        do {
            let response = try await base.send(request)
            log(request, "→ \(response.status)", started: started, headers: response.headers)
            return response
        } catch {
            log(request, "failed: \(error)", started: started, headers: [:])
            throw error
        }
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        let inner = base.stream(request)
        let started = ContinuousClock.now
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in inner {
                        if case .head(let status, let headers) = event { log(request, "→ \(status) (stream opened)", started: started, headers: headers) }
                        continuation.yield(event)
                    }
                    log(request, "stream ended", started: started, headers: [:])
                    continuation.finish()
                } catch {
                    log(request, "stream failed: \(error)", started: started, headers: [:])
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func webSocket(_ request: HTTPRequest, protocols: [String]) async throws -> any WebSocketConnection {
        let started = ContinuousClock.now
        do {
            let connection = try await base.webSocket(request, protocols: protocols)
            log(request, "→ 101 (WebSocket \(connection.subprotocol ?? "no subprotocol"))", started: started, headers: [:])
            return connection
        } catch let refused as WebSocketUpgradeRefused {
            log(request, "→ \(refused.response.status) (WebSocket refused)", started: started, headers: refused.response.headers)
            throw refused
        } catch {
            log(request, "WebSocket failed: \(error)", started: started, headers: [:])
            throw error
        }
    }

    private func log(_ request: HTTPRequest, _ outcome: String, started: ContinuousClock.Instant, headers: [String: String]) {
        guard logger.logLevel <= .debug else { return }
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = ["ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)"]
        for name in Self.requestIDHeaders {
            if let value = headers[name] { metadata[name] = "\(value)" }
        }
        logger.debug("\(request.method) \(Self.loggable(request.url)) \(outcome)", metadata: metadata)
    }

    /// Response headers that identify a request to the service that answered it: Kubernetes'
    /// audit id, Azure's request and correlation ids, AWS's request ids, Google's.
    static let requestIDHeaders = ["audit-id", "x-ms-request-id", "x-ms-correlation-request-id", "client-request-id",
                                   "x-amzn-requestid", "x-amz-request-id", "x-request-id", "x-goog-request-id"]

    /// The URL with the values of query parameters whose names suggest a credential replaced.
    static func loggable(_ url: String) -> String {
        guard var components = URLComponents(string: url), let items = components.queryItems, !items.isEmpty else { return url }
        let secret = ["sig", "signature", "token", "secret", "credential", "password", "assertion", "key", "code"]
        components.queryItems = items.map { item in
            let name = item.name.lowercased()
            return secret.contains(where: { name.contains($0) }) ? URLQueryItem(name: item.name, value: "redacted") : item
        }
        return components.string ?? url
    }
}
