import Foundation
import WidashCore
import WidashHTTP

/// Where Entra's token endpoint lives.
public enum EntraAuthority {
    /// Public cloud default, as azure-identity uses when AZURE_AUTHORITY_HOST is unset.
    public static let defaultHost = "https://login.microsoftonline.com/"

    /// The authority host a pod would use: its injected `AZURE_AUTHORITY_HOST` first (the webhook
    /// sets it from the cluster's cloud), then the operator's environment, then the public cloud.
    public static func host(podEnvironment: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for candidate in [podEnvironment["AZURE_AUTHORITY_HOST"], environment["AZURE_AUTHORITY_HOST"]] {
            if let value = candidate?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                return value.contains("://") ? value : "https://" + value
            }
        }
        return defaultHost
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    public static func tokenURL(host: String, tenantID: String) -> String {
        joinURL(host, "\(tenantID)/oauth2/v2.0/token")
    }
}

/// An Entra access token. The token itself is kept in memory only and never printed.
public struct EntraAccessToken: Sendable, CustomStringConvertible {
    public var tokenType: String
    public var expiresIn: Int
    public var extExpiresIn: Int?
    /// When the token expires, computed from `expires_in` at receipt.
    public var expiresOn: Date
    /// The bearer token. Do not log it.
    public var accessToken: String

    public var description: String {
        "\(tokenType) token \(TokenRedaction.redact(accessToken)), expires in \(expiresIn) s"
    }

    /// Parses a success body; nil when the body is not Entra's token JSON.
    public static func parse(_ body: Data, receivedAt: Date = Date()) -> EntraAccessToken? {
        struct Wire: Decodable {
            var token_type: String
            var expires_in: FlexibleInt
            var ext_expires_in: FlexibleInt?
            var access_token: String
        }
        guard let w = try? JSONDecoder().decode(Wire.self, from: body) else { return nil }
        return EntraAccessToken(tokenType: w.token_type, expiresIn: w.expires_in.value, extExpiresIn: w.ext_expires_in?.value,
                                expiresOn: receivedAt.addingTimeInterval(TimeInterval(w.expires_in.value)),
                                accessToken: w.access_token)
    }
}

/// An integer that some endpoints send as a string ("3599") and others as a number.
struct FlexibleInt: Decodable, Sendable {
    var value: Int
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { value = i; return }
        let s = try c.decode(String.self)
        guard let i = Int(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an integer: \(s)")
        }
        value = i
    }
}

/// The outcome of one token request: what was sent, the status, and the token or the error.
public struct EntraExchange: Sendable {
    /// `POST https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    public var requestLine: String
    /// The form field names sent, in order (values are not kept: the assertion is a secret).
    public var formFields: [String]
    public var status: Int
    public var result: Result<EntraAccessToken, EntraError>
}

/// Entra's v2.0 token endpoint with a client assertion: the request azure-identity's
/// `WorkloadIdentityCredential` sends (`ClientAssertionCredential` → `AadClient`), field for field.
public struct EntraTokenClient: Sendable {
    public static let clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    public var transport: any HTTPTransport
    public var authorityHost: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, authorityHost: String = EntraAuthority.defaultHost, timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.authorityHost = authorityHost
        self.timeouts = timeouts
    }

    /// `https://vault.azure.net` → `https://vault.azure.net/.default`; a value already ending in
    /// `/.default` (or any scope with a path) is kept.
    public static func scope(forResource resource: String) -> String {
        if resource.hasSuffix("/.default") { return resource }
        var r = resource
        while r.hasSuffix("/") { r.removeLast() }
        return r + "/.default"
    }

    /// The form fields, in azure-identity's order: client_assertion, client_assertion_type,
    /// client_id, grant_type, scope.
    public static func formFields(clientID: String, assertion: String, scope: String) -> [(String, String)] {
        [("client_assertion", assertion),
         ("client_assertion_type", clientAssertionType),
         ("client_id", clientID),
         ("grant_type", "client_credentials"),
         ("scope", scope)]
    }

    /// The HTTP request for a client-assertion token request.
    public func request(tenantID: String, clientID: String, assertion: String, scope: String) -> HTTPRequest {
        HTTPRequest(method: "POST", url: EntraAuthority.tokenURL(host: authorityHost, tenantID: tenantID),
                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                    body: Data(FormEncoding.encode(Self.formFields(clientID: clientID, assertion: assertion, scope: scope)).utf8),
                    timeouts: timeouts)
    }

    /// Sends the request once and returns the token or Entra's error. Throws `CloudError.unreachable`
    /// when Entra cannot be reached, `.retryLater` on 429/503 (never resent: see `TokenExchangeRetry`)
    /// and `.unexpectedResponse` when its answer is unreadable.
    public func exchange(tenantID: String, clientID: String, assertion: String, scope: String) async throws -> EntraExchange {
        let req = request(tenantID: tenantID, clientID: clientID, assertion: assertion, scope: scope)
        let response = try await send(transport, req)
        try TokenExchangeRetry.check(response, request: req, exchange: "the Entra token request") {
            EntraError.parse(status: response.status, body: response.body)?.description
        }
        let fields = Self.formFields(clientID: clientID, assertion: "", scope: scope).map(\.0)
        if (200..<300).contains(response.status), let token = EntraAccessToken.parse(response.body) {
            return EntraExchange(requestLine: RequestLine.of(req), formFields: fields, status: response.status, result: .success(token))
        }
        if let error = EntraError.parse(status: response.status, body: response.body) {
            return EntraExchange(requestLine: RequestLine.of(req), formFields: fields, status: response.status, result: .failure(error))
        }
        throw CloudError.unexpectedResponse(endpoint: req.url, status: response.status, detail: bodyExcerpt(response.body))
    }

    /// Convenience: the token, or `CloudError.entra` with Entra's error.
    public func acquire(tenantID: String, clientID: String, assertion: String, scope: String) async throws -> EntraAccessToken {
        switch try await exchange(tenantID: tenantID, clientID: clientID, assertion: assertion, scope: scope).result {
        case .success(let token): return token
        case .failure(let error): throw CloudError.entra(error)
        }
    }
}
