import Foundation
import Logging
import WidashHTTP
import WidashKubeProtobuf

/// Builds a transport for a set of client options (the lead passes `CurlTransport.init`).
public typealias HTTPTransportFactory = @Sendable (HTTPClientOptions) -> any HTTPTransport

/// A typed client for one cluster: the resolved kubeconfig, its credentials and a transport.
/// Value type, `Sendable`; copies share the credential cache and the transport.
public struct KubeClient: Sendable {
    public let config: ResolvedKubeConfig
    public let options: KubeClientOptions
    public let credentials: KubeCredentialsProvider
    let transports: TransportPool

    public var readOnly: Bool { options.readOnly }
    var logger: Logger { options.logger }

    public init(config: ResolvedKubeConfig, options: KubeClientOptions = KubeClientOptions(),
                transportFactory: @escaping HTTPTransportFactory) {
        self.config = config
        self.options = options
        self.credentials = KubeCredentialsProvider(
            config: config, fileSystem: options.fileSystem,
            plugin: ExecCredentialPlugin(baseEnvironment: options.execEnvironment, timeout: options.execTimeout),
            now: options.now, sharedExec: options.sharedExecCredentials)
        self.transports = TransportPool(factory: transportFactory)
    }

    // MARK: - Requests

    /// Sends a request to the API server and returns the 2xx response.
    ///
    /// - A 401 drops cached credentials and, when they can be refreshed (exec plugin, token file),
    ///   the request is sent once more.
    /// - Idempotent requests (GET, HEAD: lists, gets, discovery) answered 429, 500, 502, 503 or 504
    ///   are retried, at most `maxAttempts` tries in all, after the server's Retry-After (seconds or
    ///   an HTTP date, capped at `maxRetryAfter`) or else an exponential backoff from `retryBaseDelay`.
    /// - Non-idempotent ones (TokenRequest) are never retried blindly: a 429 or 503 throws
    ///   `KubeRetryLaterError`, which says when the server asked to be asked again.
    /// - Other statuses throw `KubeAPIError`; transport failures throw `HTTPError` unchanged.
    public func send(method: String = "GET", path: String, body: Data? = nil, idempotent: Bool? = nil,
                     timeouts: HTTPTimeouts? = nil, accept: String = "application/json") async throws -> HTTPResponse {
        let retryable = idempotent ?? (method == "GET" || method == "HEAD")
        var attempt = 1
        var reauthenticated = false
        while true {
            let (transport, request) = try await prepare(method: method, path: path, body: body, timeouts: timeouts, accept: accept)
            let response = try await transport.send(request)
            if (200..<300).contains(response.status) { return response }
            if response.status == 401, !reauthenticated, await credentials.invalidate() {
                reauthenticated = true
                continue
            }
            if retryable, Self.retryableStatuses.contains(response.status), attempt < options.maxAttempts {
                let delay = retryDelay(response, attempt: attempt)
                logger.debug("\(method) \(path): \(response.status), retrying after \(delay) (attempt \(attempt + 1) of \(options.maxAttempts))")
                try await options.sleep(delay)
                attempt += 1
                continue
            }
            let error = apiError(status: response.status, headers: response.headers, body: response.body, method: method, path: path)
            if !retryable, response.status == 429 || response.status == 503 {
                throw KubeRetryLaterError(apiError: error,
                                          retryAfterSeconds: RetryAfter.seconds(response.header("retry-after"), now: options.now()))
            }
            throw error
        }
    }

    /// Statuses after which an idempotent request is tried again: throttling (429) and the
    /// transient server and gateway errors (500, 502, 503, 504).
    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// GET and decode JSON.
    public func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let response = try await send(path: path)
        return try decode(type, from: response.body, path: path)
    }

    /// Opens a streamed GET (watch). The caller checks the head's status.
    func openStream(path: String, timeouts: HTTPTimeouts) async throws -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        let (transport, request) = try await prepare(method: "GET", path: path, body: nil, timeouts: timeouts)
        return transport.stream(request)
    }

    func prepare(method: String, path: String, body: Data?, timeouts: HTTPTimeouts?,
                 accept: String = "application/json") async throws -> (any HTTPTransport, HTTPRequest) {
        let credentials = try await credentials.current()
        var clientOptions = config.httpOptions(timeouts: options.timeouts, userAgent: options.userAgent)
        if let certificate = credentials.clientCertificatePEM, let key = credentials.clientKeyPEM {
            clientOptions.tls.clientCertificatePEM = certificate
            clientOptions.tls.clientKeyPEM = key
            clientOptions.tls.clientCertificateFile = nil
            clientOptions.tls.clientKeyFile = nil
        }
        var headers: [(name: String, value: String)] = [("Accept", accept)]
        if let authorization = credentials.authorization { headers.append(("Authorization", authorization)) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, url: config.server + path, headers: headers, body: body,
                                  timeouts: timeouts)
        return (transports.transport(for: clientOptions), request)
    }

    /// The server's Retry-After when it sent one (capped at `maxRetryAfter`), else `retryBaseDelay`
    /// doubled per attempt (also capped).
    func retryDelay(_ response: HTTPResponse, attempt: Int) -> Duration {
        if let seconds = RetryAfter.seconds(response.header("retry-after"), now: options.now()) {
            return min(.seconds(seconds), options.maxRetryAfter)
        }
        return min(options.retryBaseDelay * (1 << min(attempt - 1, 16)), options.maxRetryAfter)
    }

    func apiError(status: Int, headers: [String: String], body: Data, method: String, path: String) -> KubeAPIError {
        let isProtobuf = headers["content-type"]?.hasPrefix(KubeProtobufDecoder.contentType) == true
        let decoded = isProtobuf ? KubeProtobufDecoder.decodeStatus(body).map(KubeStatus.init(protobuf:)) : KubeStatus.decode(body)
        var snippet: String?
        if decoded == nil, !body.isEmpty {
            snippet = KubeConfigError.oneLine(String(decoding: body.prefix(200), as: UTF8.self))
        }
        return KubeAPIError(statusCode: status, method: method, path: path, userName: config.userName,
                            status: decoded, bodySnippet: snippet, contentType: headers["content-type"])
    }

    func decode<T: Decodable>(_ type: T.Type, from body: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw KubeClientError.decoding(path: path, detail: Self.summary(error))
        }
    }

    static func summary(_ error: DecodingError) -> String {
        func where_(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "top level" : (text.hasPrefix(".") ? String(text.dropFirst()) : text)
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(where_(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(where_(context.codingPath)): missing \(type)"
        case .keyNotFound(let key, let context): return "\(where_(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON (truncated?)" : "\(where_(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A request that is not safe to send twice (a TokenRequest: each answer may have minted a token)
/// was answered 429 or 503. widash does not resend it by itself; the message says when the server
/// asked to be asked again.
public struct KubeRetryLaterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The answer as an API error (status code, the server's Status, request line).
    public var apiError: KubeAPIError
    /// The server's Retry-After in seconds, when it sent one.
    public var retryAfterSeconds: Int?

    public init(apiError: KubeAPIError, retryAfterSeconds: Int?) {
        self.apiError = apiError
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        let request = "\(apiError.method) \(apiError.path.split(separator: "?").first.map(String.init) ?? apiError.path)"
        let answer = apiError.statusCode == 429 ? "429 (too many requests)" : "\(apiError.statusCode) (service unavailable)"
        let when = retryAfterSeconds.map { "asked to retry after \($0) s" } ?? "asked to retry later"
        let server = apiError.status?.message.map { " (server: \(KubeConfigError.oneLine($0)))" } ?? ""
        // Only TokenRequests are sent as not idempotent today; say why they are not resent.
        let what = apiError.path.contains("/token") ? "a token request by itself (a token may already have been issued)"
            : "this request by itself (it is not safe to repeat)"
        return "the API server answered \(request) with \(answer) and \(when); widash does not resend \(what): "
            + "run the command again \(retryAfterSeconds == nil ? "in a moment" : "after that")\(server)"
    }
}

/// Reuses one transport per distinct set of client options (they change only when an exec plugin
/// hands out a new client certificate).
///
/// An `NSLock` (pthread mutex), not `Mutex`: the transport created under it is then used from other
/// threads, and ThreadSanitizer sees that hand-over only through a lock it intercepts (the standard
/// library's futex-based `Mutex` is invisible to it and made `./sanitize.sh thread` report a race).
final class TransportPool: @unchecked Sendable {
    // Safety: `current` is only touched while `lock` is held.
    private let factory: HTTPTransportFactory
    private let lock = NSLock()
    private var current: (options: HTTPClientOptions, transport: any HTTPTransport)?

    init(factory: @escaping HTTPTransportFactory) { self.factory = factory }

    func transport(for options: HTTPClientOptions) -> any HTTPTransport {
        lock.withLock {
            if let current, current.options == options { return current.transport }
            let transport = factory(options)
            current = (options, transport)
            return transport
        }
    }
}

/// Percent-encodes query values (continue tokens are base64 and contain '+', '/', '=').
func queryEscape(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}

/// Builds "path?k=v&…", skipping nil values.
func pathWithQuery(_ path: String, _ items: [(String, String?)]) -> String {
    let query = items.compactMap { key, value in value.map { "\(key)=\(queryEscape($0))" } }.joined(separator: "&")
    return query.isEmpty ? path : "\(path)?\(query)"
}
