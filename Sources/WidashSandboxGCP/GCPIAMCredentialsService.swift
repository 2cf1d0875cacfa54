import Foundation
import WidashSandboxKit

/// IAM Service Account Credentials `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`,
/// authorised by a federated token whose principal holds `roles/iam.workloadIdentityUser` on the account.
public struct GCPIAMCredentialsService: SandboxService {
    let directory: GCPDirectory
    let tokens: GCPTokenStore
    let now: @Sendable () -> Date

    public func answers(host: String) -> Bool { host == "iamcredentials.googleapis.com" }
    /// `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken` on the sandbox's own address.
    public func answersLoopback(_ request: SandboxRequest) -> Bool {
        request.method == "POST" && request.path.hasPrefix("/v1/projects/") && request.path.hasSuffix(":generateAccessToken")
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let prefix = "/v1/projects/-/serviceAccounts/", suffix = ":generateAccessToken"
        let decodedPath = request.path.removingPercentEncoding ?? request.path
        guard request.method == "POST", decodedPath.hasPrefix(prefix), decodedPath.hasSuffix(suffix) else {
            return GCPError.status(404, "NOT_FOUND", "The requested URL \(request.path) was not found on this server.")
        }
        let email = String(decodedPath.dropFirst(prefix.count).dropLast(suffix.count))
        guard let bearer = request.bearerToken, let federated = await tokens.lookup(bearer), federated.expires > now() else {
            return GCPError.status(401, "UNAUTHENTICATED",
                                   "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                   details: [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                                              "domain": "googleapis.com", "metadata": ["service": "iamcredentials.googleapis.com", "method": "google.iam.credentials.v1.IAMCredentials.GenerateAccessToken"]]])
        }
        guard let sa = directory.serviceAccounts.first(where: { $0.email == email }),
              federated.principals.contains(where: sa.workloadIdentityUsers.contains) else {
            return GCPError.status(403, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
                                   details: [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
                                              "domain": "iam.googleapis.com", "metadata": ["permission": "iam.serviceAccounts.getAccessToken"]]])
        }
        let body = GCPWire.body(request) ?? [:]
        guard let scopes = body["scope"] as? [String], !scopes.isEmpty else {
            return GCPError.status(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        }
        var lifetime = 3600
        if let text = body["lifetime"] as? String {
            guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 1, seconds <= 3600 else {
                return GCPError.status(400, "INVALID_ARGUMENT", "The lifetime must be between 1s and 3600s; got \(text).")
            }
            lifetime = Int(seconds)
        }
        let expires = now().addingTimeInterval(TimeInterval(lifetime))
        let token = await tokens.issue(principals: ["serviceAccount:\(sa.email)"], expires: expires, prefix: "ya29.c.")
        return GCPWire.json(200, ["accessToken": token, "expireTime": GCPWire.timestamp(expires)])
    }
}
