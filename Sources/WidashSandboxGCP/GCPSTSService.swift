import Foundation
import WidashSandboxKit

/// Google STS `POST /v1/token` (RFC 8693 token exchange) for workload identity federation and GKE.
public struct GCPSTSService: SandboxService {
    static let tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    let directory: GCPDirectory
    let tokens: GCPTokenStore
    let keys: IssuerKeyVerifier
    let now: @Sendable () -> Date

    public func answers(host: String) -> Bool { host == "sts.googleapis.com" }
    /// `POST /v1/token` on the sandbox's own address (a client given the sandbox as its STS endpoint).
    public func answersLoopback(_ request: SandboxRequest) -> Bool {
        request.method == "POST" && (request.path == "/v1/token" || request.path == "/v1beta/token")
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        guard request.method == "POST", request.path == "/v1/token" || request.path == "/v1beta/token" else {
            return GCPError.status(404, "NOT_FOUND", "The requested URL \(request.path) was not found on this server.")
        }
        let fields: [String: String]
        if request.headers["content-type"]?.contains("json") == true {
            let object = GCPWire.body(request) ?? [:]
            fields = object.compactMapValues { $0 as? String }
        } else {
            fields = request.form
        }
        switch await exchange(fields) {
        case .success(let body): return GCPWire.json(200, body)
        case .failure(let error): return error.response
        }
    }

    func exchange(_ f: [String: String]) async -> Result<[String: Any], GCPError> {
        guard f["grant_type"] == Self.tokenExchange else {
            return .failure(.oauth("unsupported_grant_type", "Invalid grant_type: \(f["grant_type"] ?? "")"))
        }
        guard let subjectType = f["subject_token_type"],
              ["urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"].contains(subjectType) else {
            return .failure(.oauth("invalid_request", "Invalid subject_token_type: \(f["subject_token_type"] ?? "")"))
        }
        if let requested = f["requested_token_type"], requested != Self.accessTokenType {
            return .failure(.oauth("invalid_request", "Invalid requested_token_type: \(requested)"))
        }
        guard let token = f["subject_token"], !token.isEmpty else {
            return .failure(.oauth("invalid_request", "Missing subject_token"))
        }
        guard let audience = f["audience"], let provider = directory.providers.first(where: { $0.audience == audience }) else {
            return .failure(.oauth("invalid_target", "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist."))
        }
        guard let claims = WebIdentityClaims.decodeUnverified(token) else {
            return .failure(.oauth("invalid_grant", "Unable to parse the ID Token."))
        }
        guard claims.issuer == provider.issuer else {
            return .failure(.oauth("invalid_grant", "The issuer in ID Token \(claims.issuer) does not match the expected ones: \(provider.issuer)"))
        }
        guard claims.audiences.contains(where: provider.allowedAudiences.contains) else {
            return .failure(.oauth("invalid_grant", "The audience in ID Token \(claims.audiences) does not match the expected audience \(provider.allowedAudiences.last ?? "")."))
        }
        if case .failure(let error) = await keys.verifySignature(of: token, issuer: claims.issuer) {
            if case .badSignature = error { return .failure(.oauth("invalid_grant", "Invalid JWT signature.")) }
            return .failure(.oauth("invalid_grant", "Unable to retrieve the public keys of issuer \(claims.issuer): \(error)"))
        }
        let clock = now()
        if let exp = claims.expiresAt, exp <= clock {
            return .failure(.oauth("invalid_grant", "ID Token issued at \(Int(claims.issuedAt?.timeIntervalSince1970 ?? 0)) is expired, expiration time is \(Int(exp.timeIntervalSince1970))."))
        }
        let lifetime = 3600
        let access = await tokens.issue(principals: provider.principal(claims.subject), expires: clock.addingTimeInterval(TimeInterval(lifetime)))
        return .success(["access_token": access, "issued_token_type": Self.accessTokenType, "token_type": "Bearer", "expires_in": lifetime])
    }
}

/// Google's two error shapes: OAuth (`{"error", "error_description"}`, STS) and the API status
/// envelope (`{"error": {"code", "message", "status", "details"}}`, iamcredentials).
struct GCPError: Error, Sendable {
    var response: SandboxResponse

    static func oauth(_ error: String, _ description: String, status: Int = 400) -> GCPError {
        GCPError(response: GCPWire.json(status, ["error": error, "error_description": description]))
    }

    static func status(_ code: Int, _ status: String, _ message: String, details: [[String: Any]] = []) -> SandboxResponse {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if !details.isEmpty { error["details"] = details }
        return GCPWire.json(code, ["error": error])
    }
}
