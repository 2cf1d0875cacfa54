import Foundation

/// One HTTP request. Bodies are bytes; headers keep their order and case as given.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Per-request timeouts; `nil` fields fall back to the client's defaults.
    public var timeouts: HTTPTimeouts?
    /// The largest response body accepted; larger bodies end with `HTTPError.bodyTooLarge`.
    public var maxBodyBytes: Int?
    /// Keep the certificates the server presented in `HTTPResponse.certificateChain` (e.g. to
    /// compare an issuer's chain with the thumbprints an IAM OIDC provider trusts).
    public var capturesCertificateChain: Bool

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
                body: Data? = nil, timeouts: HTTPTimeouts? = nil, maxBodyBytes: Int? = nil,
                capturesCertificateChain: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.maxBodyBytes = maxBodyBytes
        self.capturesCertificateChain = capturesCertificateChain
    }
}

public struct HTTPTimeouts: Sendable, Equatable {
    /// Time allowed to connect, including the TLS handshake.
    public var connect: Duration
    /// Time allowed for the whole transfer; `nil` for none (watch streams).
    public var total: Duration?
    /// A transfer slower than `lowSpeedBytes` per second for `lowSpeedTime` is aborted (trickling servers).
    public var lowSpeedBytes: Int
    public var lowSpeedTime: Duration

    public init(connect: Duration = .seconds(10), total: Duration? = .seconds(60),
                lowSpeedBytes: Int = 1, lowSpeedTime: Duration = .seconds(30)) {
        self.connect = connect
        self.total = total
        self.lowSpeedBytes = lowSpeedBytes
        self.lowSpeedTime = lowSpeedTime
    }
}

/// TLS material and policy. PEM data is passed to libcurl in memory (curl blobs) and never written to disk.
public struct TLSOptions: Sendable, Equatable {
    public var caPEM: Data?
    public var caFile: String?
    public var clientCertificatePEM: Data?
    public var clientCertificateFile: String?
    public var clientKeyPEM: Data?
    public var clientKeyFile: String?
    /// Only ever set from kubeconfig's `insecure-skip-tls-verify`; the UI shows a warning when it is on.
    public var insecureSkipVerify: Bool
    /// kubeconfig `tls-server-name`: the name verified against the certificate (and sent as SNI).
    public var serverName: String?

    public init(caPEM: Data? = nil, caFile: String? = nil, clientCertificatePEM: Data? = nil,
                clientCertificateFile: String? = nil, clientKeyPEM: Data? = nil, clientKeyFile: String? = nil,
                insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.caPEM = caPEM
        self.caFile = caFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyPEM = clientKeyPEM
        self.clientKeyFile = clientKeyFile
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// Everything a transport needs besides the request itself.
public struct HTTPClientOptions: Sendable, Equatable {
    public var tls: TLSOptions
    /// Explicit proxy (kubeconfig `proxy-url`); when nil, HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply.
    public var proxyURL: String?
    /// libcurl CONNECT_TO entries, `HOST:PORT:CONNECT-HOST:CONNECT-PORT`: URL, Host header and SNI stay the
    /// real ones while the connection goes elsewhere (how `--demo` reaches the sandbox for cloud host names).
    public var connectTo: [String]
    public var timeouts: HTTPTimeouts
    public var userAgent: String

    public init(tls: TLSOptions = TLSOptions(), proxyURL: String? = nil, connectTo: [String] = [],
                timeouts: HTTPTimeouts = HTTPTimeouts(), userAgent: String = "widash/0.1") {
        self.tls = tls
        self.proxyURL = proxyURL
        self.connectTo = connectTo
        self.timeouts = timeouts
        self.userAgent = userAgent
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data
    /// The negotiated protocol, e.g. "HTTP/2" or "HTTP/1.1".
    public var httpVersion: String
    /// The certificates the server presented, leaf first, as PEM (only when the request asked).
    public var certificateChain: [String]

    public init(status: Int, headers: [String: String], body: Data, httpVersion: String = "HTTP/1.1",
                certificateChain: [String] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.certificateChain = certificateChain
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Events of a streamed response: the head once, then body chunks as they arrive.
public enum HTTPStreamEvent: Sendable {
    case head(status: Int, headers: [String: String])
    case body(Data)
}

/// Transport failures, each with a message a person can act on.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case dnsFailure(host: String, detail: String)
    case connectionRefused(url: String, detail: String)
    case timeout(url: String, detail: String)
    case tlsUnknownCA(url: String, detail: String)
    case tlsHostnameMismatch(url: String, detail: String)
    case tlsCertificateExpired(url: String, detail: String)
    case tlsClientCertificateRejected(url: String, detail: String)
    case tls(url: String, detail: String)
    case tooManyRedirects(url: String)
    case bodyTooLarge(url: String, limit: Int)
    case cancelled(url: String)
    case proxy(url: String, detail: String)
    case other(url: String, code: Int, detail: String)

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid URL \(u): check the server address"
        case .dnsFailure(let h, let d): return "cannot resolve host \(h) (\(d)): check the server name and your DNS"
        case .connectionRefused(let u, let d): return "connection to \(u) refused (\(d)): is the server running and the port right?"
        case .timeout(let u, let d): return "\(u) did not answer in time (\(d)): check the network or raise the timeout"
        case .tlsUnknownCA(let u, let d): return "TLS: the certificate of \(u) is signed by an unknown authority (\(d)): set certificate-authority(-data) in the kubeconfig"
        case .tlsHostnameMismatch(let u, let d): return "TLS: the certificate of \(u) does not match its host name (\(d)): use the name in the certificate or set tls-server-name"
        case .tlsCertificateExpired(let u, let d): return "TLS: the certificate of \(u) has expired or is not yet valid (\(d)): renew it or check the clock"
        case .tlsClientCertificateRejected(let u, let d): return "TLS: \(u) rejected the client certificate (\(d)): check client-certificate and client-key in the kubeconfig"
        case .tls(let u, let d): return "TLS handshake with \(u) failed: \(d)"
        case .tooManyRedirects(let u): return "\(u) redirected too many times: check the server address"
        case .bodyTooLarge(let u, let l): return "response from \(u) is larger than \(l) bytes and was cut off"
        case .cancelled(let u): return "request to \(u) was cancelled"
        case .proxy(let u, let d): return "proxy failed for \(u) (\(d)): check HTTPS_PROXY/NO_PROXY or the kubeconfig proxy-url"
        case .other(let u, let c, let d): return "request to \(u) failed (curl \(c)): \(d)"
        }
    }
}

/// The one seam the service layer talks through. `CurlTransport` is the real one.
public protocol HTTPTransport: Sendable {
    /// Sends a request and collects the whole response. Throws `HTTPError` on transport failure;
    /// HTTP error statuses are returned, not thrown.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Streams a response (watch). The stream ends when the server closes; cancelling the consuming
    /// task aborts the transfer.
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error>
    /// Opens a WebSocket (RFC 6455) with a GET upgrade offering `protocols` (`Sec-WebSocket-Protocol`).
    /// Throws `WebSocketUpgradeRefused` when the server answers with another status than 101,
    /// `WebSocketError.handshakeFailed` for a bad 101, `HTTPError` on transport failure. The default
    /// implementation (test fakes) throws `WebSocketError.unsupported`; `CurlTransport` implements it.
    func webSocket(_ request: HTTPRequest, protocols: [String]) async throws -> any WebSocketConnection
}
