import Foundation
import WidashHTTP

// The contract between the sandbox's HTTPS server (WidashSandbox) and the emulated cloud services
// (WidashSandboxAzure, WidashSandboxAWS, …). The server terminates TLS, routes by Host header and
// hands each request to the first service that answers for that host.

/// One request as the server received it.
public struct SandboxRequest: Sendable {
    public var method: String
    /// Host header, lower-cased, without the port.
    public var host: String
    /// Path without the query, as sent (percent-encoding kept).
    public var path: String
    /// Raw query string without the leading `?` ("" when none).
    public var rawQuery: String
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, host: String, path: String, rawQuery: String = "", headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.host = host
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    /// Query parameters, percent-decoded ('+' as space); a repeated name keeps its last value.
    public var query: [String: String] { FormCoding.decode(rawQuery) }
    /// The body as `application/x-www-form-urlencoded` fields.
    public var form: [String: String] { FormCoding.decode(String(decoding: body, as: UTF8.self)) }
    /// `Authorization: Bearer …`, when present.
    public var bearerToken: String? {
        guard let auth = headers["authorization"], auth.lowercased().hasPrefix("bearer ") else { return nil }
        return String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}

/// One complete response.
public struct SandboxResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from an `Encodable` value or raw JSON object.
    public static func json(_ status: Int, _ object: Any, headers: [(name: String, value: String)] = []) -> SandboxResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return SandboxResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: data)
    }

    public static func xml(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> SandboxResponse {
        SandboxResponse(status: status, headers: [("Content-Type", "text/xml")] + headers, body: Data(text.utf8))
    }
}

/// What every emulated cloud service may use from the server that hosts it.
public struct SandboxContext: Sendable {
    /// The cluster's service-account issuer URL (exactly as in the tokens' `iss`).
    public var clusterIssuer: String
    /// The sandbox CA certificate (PEM); clients of the sandbox trust it.
    public var caPEM: Data
    /// A transport that trusts the sandbox CA and routes the emulated host names to the sandbox:
    /// how an emulated cloud fetches the issuer's discovery document and JWKS over HTTPS, as the
    /// real cloud does.
    public var transport: any HTTPTransport
    /// Base URL the sandbox listens on, e.g. `https://127.0.0.1:8443`.
    public var baseURL: String
    /// The current time; a seam so tests and scenarios can move the clock.
    public var now: @Sendable () -> Date
    /// The cloud side of the `scale` scenario when it is the one running (its identities, trust and
    /// role assignments); nil for the `demo` scenario, whose facts are `DemoDirectory`'s.
    public var scale: ScaleIdentities?

    public init(clusterIssuer: String, caPEM: Data, transport: any HTTPTransport, baseURL: String,
                now: @escaping @Sendable () -> Date = { Date() }, scale: ScaleIdentities? = nil) {
        self.clusterIssuer = clusterIssuer
        self.caPEM = caPEM
        self.transport = transport
        self.baseURL = baseURL
        self.now = now
        self.scale = scale
    }
}

/// An emulated service. The server asks each service in turn whether it answers for a host.
public protocol SandboxService: Sendable {
    /// Whether this service answers requests sent to `host` (lower-case, no port).
    func answers(host: String) -> Bool
    func handle(_ request: SandboxRequest) async -> SandboxResponse
    /// Whether this service takes a request sent to the sandbox's loopback address (Host 127.0.0.1
    /// or localhost) that is not a Kubernetes API path. Clients that cannot map real host names to
    /// the sandbox (azure-identity, botocore with `endpoint_url`) reach the clouds this way; the
    /// service decides from the path, the form `Action` or the SigV4 credential scope.
    func answersLoopback(_ request: SandboxRequest) -> Bool
}

extension SandboxService {
    public func answersLoopback(_ request: SandboxRequest) -> Bool { false }
}

/// `application/x-www-form-urlencoded` decoding, as used by query strings and token endpoints.
public enum FormCoding {
    public static func decode(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(String(parts[0]))
            out[key] = parts.count > 1 ? unescape(String(parts[1])) : ""
        }
        return out
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    public static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }
}
