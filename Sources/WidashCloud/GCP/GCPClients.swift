import Foundation
import WidashCore
import WidashHTTP

/// A Google error: STS's OAuth form (`{"error","error_description"}`) or the API form
/// (`{"error":{"code","message","status"}}`).
public struct GCPServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var service: String
    public var httpStatus: Int
    /// `invalid_grant`, `PERMISSION_DENIED`, …
    public var code: String
    public var message: String

    public var description: String { "Google \(service) refused the request (HTTP \(httpStatus) \(code)): \(message)" }

    public static func parse(service: String, status: Int, body: Data) -> GCPServiceError? {
        guard let o = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return nil }
        if let code = o["error"] as? String {
            return GCPServiceError(service: service, httpStatus: status, code: code, message: o["error_description"] as? String ?? "")
        }
        if let e = o["error"] as? [String: Any] {
            return GCPServiceError(service: service, httpStatus: status, code: e["status"] as? String ?? "\(status)",
                                   message: e["message"] as? String ?? "")
        }
        return nil
    }
}

/// A Google access token (federated or service-account). Kept in memory only.
public struct GCPAccessToken: Sendable, CustomStringConvertible {
    /// Do not log.
    public var accessToken: String
    public var tokenType: String?
    public var issuedTokenType: String?
    public var expiresOn: Date?
    public var description: String { "Google token \(TokenRedaction.redactOpaque(accessToken))" + (expiresOn.map { ", expires \(TokenClock.timestamp($0))" } ?? "") }
}

/// Google STS token exchange: a Kubernetes token for a federated access token.
public struct GCPSTSClient: Sendable {
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    public var transport: any HTTPTransport
    /// `https://sts.googleapis.com` unless overridden.
    public var baseURL: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, baseURL: String = "https://sts.googleapis.com", timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    /// `POST /v1/token` with the token-exchange grant (RFC 8693), as google-auth's external_account does.
    /// `audience` is the provider: `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`
    /// (or `identitynamespace:POOL:ISSUER` for GKE). Sent once: a 429/503 throws `CloudError.retryLater`.
    public func exchange(subjectToken: String, audience: String, scope: String = cloudPlatformScope) async throws -> (requestLine: String, status: Int, result: Result<GCPAccessToken, GCPServiceError>) {
        let fields = [("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("audience", audience), ("scope", scope),
                      ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                      ("subject_token", subjectToken), ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt")]
        let request = HTTPRequest(method: "POST", url: joinURL(baseURL, "/v1/token"),
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                  body: Data(FormEncoding.encode(fields).utf8), timeouts: timeouts)
        let response = try await send(transport, request)
        try TokenExchangeRetry.check(response, request: request, exchange: "the Google STS token exchange") {
            GCPServiceError.parse(service: "sts", status: response.status, body: response.body)?.description
        }
        if response.status == 200, let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
           let token = o["access_token"] as? String {
            let expires = (o["expires_in"] as? NSNumber).map { Date().addingTimeInterval($0.doubleValue) }
            return (RequestLine.of(request), 200, .success(GCPAccessToken(accessToken: token, tokenType: o["token_type"] as? String,
                                                                          issuedTokenType: o["issued_token_type"] as? String, expiresOn: expires)))
        }
        if let e = GCPServiceError.parse(service: "sts", status: response.status, body: response.body) {
            return (RequestLine.of(request), response.status, .failure(e))
        }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }
}

/// IAM Service Account Credentials: `generateAccessToken` for a Google service account, called
/// with the federated token (needs `roles/iam.workloadIdentityUser` on that service account).
public struct GCPIAMCredentialsClient: Sendable {
    public var transport: any HTTPTransport
    public var baseURL: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, baseURL: String = "https://iamcredentials.googleapis.com", timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    public func generateAccessToken(serviceAccount: String, federatedToken: String,
                                    scopes: [String] = [GCPSTSClient.cloudPlatformScope]) async throws -> (requestLine: String, status: Int, result: Result<GCPAccessToken, GCPServiceError>) {
        let body = (try? JSONSerialization.data(withJSONObject: ["scope": scopes])) ?? Data()
        let request = HTTPRequest(method: "POST",
                                  url: joinURL(baseURL, "/v1/projects/-/serviceAccounts/\(FormEncoding.escape(serviceAccount)):generateAccessToken"),
                                  headers: [("Authorization", "Bearer \(federatedToken)"), ("Content-Type", "application/json")],
                                  body: body, timeouts: timeouts)
        let response = try await send(transport, request)
        try TokenExchangeRetry.check(response, request: request, exchange: "Google IAM generateAccessToken") {
            GCPServiceError.parse(service: "iamcredentials", status: response.status, body: response.body)?.description
        }
        if response.status == 200, let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
           let token = o["accessToken"] as? String {
            return (RequestLine.of(request), 200, .success(GCPAccessToken(accessToken: token, tokenType: "Bearer", issuedTokenType: nil,
                                                                          expiresOn: (o["expireTime"] as? String).flatMap(TokenClock.parseTimestamp))))
        }
        if let e = GCPServiceError.parse(service: "iamcredentials", status: response.status, body: response.body) {
            return (RequestLine.of(request), response.status, .failure(e))
        }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }
}
