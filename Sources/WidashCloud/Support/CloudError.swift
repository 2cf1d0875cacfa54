import Foundation
import WidashHTTP

/// Failures of the cloud clients. Each message says what failed, why, and what to do next.
public enum CloudError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The endpoint could not be reached (DNS, refused, TLS, timeout): `endpoint` names it.
    case unreachable(endpoint: String, HTTPError)
    /// The service answered with something widash cannot read (status and a short excerpt of the body).
    case unexpectedResponse(endpoint: String, status: Int, detail: String)
    /// Entra (login.microsoftonline.com) refused the request.
    case entra(EntraError)
    /// An AWS service returned an error document.
    case aws(AWSServiceError)
    /// Google STS or IAM Credentials returned an error document.
    case gcp(GCPServiceError)
    /// An HTTP API (Graph, ARM, a resource) returned an error status.
    case http(endpoint: String, status: Int, code: String?, message: String?)
    /// Something needed for the call is missing from the configuration.
    case notConfigured(String)
    /// A local helper (the Azure CLI) failed.
    case command(String)
    /// A token exchange (`exchange`, e.g. "the Entra token request") was answered 429 or 503. It is
    /// not resent by widash (see `TokenExchangeRetry`); `retryAfterSeconds` is the server's Retry-After.
    case retryLater(exchange: String, endpoint: String, status: Int, retryAfterSeconds: Int?, detail: String?)

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let error):
            return "\(endpoint) could not be reached: \(error)"
        case .unexpectedResponse(let endpoint, let status, let detail):
            return "\(endpoint) answered HTTP \(status) with a body widash cannot read (\(detail)): check the endpoint URL"
        case .entra(let e): return e.description
        case .aws(let e): return e.description
        case .gcp(let e): return e.description
        case .http(let endpoint, let status, let code, let message):
            let what = [code, message].compactMap { $0 }.joined(separator: ": ")
            return "\(endpoint) answered HTTP \(status)\(what.isEmpty ? "" : " (\(what))")"
        case .notConfigured(let what): return what
        case .command(let what): return what
        case .retryLater(let exchange, let endpoint, let status, let retryAfter, let detail):
            let answer = status == 429 ? "429 (too many requests)" : "\(status) (service unavailable)"
            let when = retryAfter.map { "asked to retry after \($0) s" } ?? "asked to retry later"
            let next = retryAfter == nil ? "in a moment" : "after that"
            return "\(exchange) (POST \(endpoint)) was answered \(answer) and the server \(when); widash does not resend "
                + "a token exchange by itself: run it again \(next)\(detail.map { " (server: \($0))" } ?? "")"
        }
    }

    /// True when the failure is about reaching a remote service rather than its answer.
    public var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }
}

/// Sends a request and maps transport failures to `CloudError.unreachable` naming the endpoint.
func send(_ transport: any HTTPTransport, _ request: HTTPRequest) async throws -> HTTPResponse {
    do {
        return try await transport.send(request)
    } catch let error as HTTPError {
        throw CloudError.unreachable(endpoint: RequestLine.endpoint(request.url), error)
    } catch is CancellationError {
        throw CancellationError()
    } catch {
        throw CloudError.unreachable(endpoint: RequestLine.endpoint(request.url),
                                     .other(url: request.url, code: -1, detail: "\(error)"))
    }
}

/// How a request is shown in evidence: method and URL without the query's secrets.
public enum RequestLine {
    /// `POST https://host/path` (the query string is kept; widash never puts secrets in queries).
    public static func of(_ request: HTTPRequest) -> String { "\(request.method) \(request.url)" }

    /// `https://host` of a URL, for messages about reachability.
    public static func endpoint(_ url: String) -> String {
        guard let c = URLComponents(string: url), let host = c.host else { return url }
        let port = c.port.map { ":\($0)" } ?? ""
        return "\(c.scheme ?? "https")://\(host)\(port)"
    }
}

/// A short, printable excerpt of a response body for error messages (never a token: only used
/// for bodies that failed to parse, which are error pages).
func bodyExcerpt(_ data: Data, limit: Int = 200) -> String {
    let text = String(decoding: data.prefix(limit), as: UTF8.self)
        .replacingOccurrences(of: "\n", with: " ")
    return data.count > limit ? text + "…" : text
}
