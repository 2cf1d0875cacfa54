import Foundation
import WidashSandboxKit

/// IAM `projects.serviceAccounts.getIamPolicy`
/// (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/getIamPolicy):
/// `POST /v1/projects/{project}/serviceAccounts/{email}:getIamPolicy`, where the project may be `-`
/// (the project is inferred from the account, as the resource-name docs recommend). The policy is
/// built from `GCPServiceAccount.workloadIdentityUsers`, the list `generateAccessToken` checks, so an
/// audit of the policy and an exchange agree. The caller needs `iam.serviceAccounts.getIamPolicy`
/// (the full demo operator's token has it, the limited one's not).
public struct GCPIAMService: SandboxService {
    static let role = "roles/iam.workloadIdentityUser"
    static let permission = "iam.serviceAccounts.getIamPolicy"
    /// The etag Google gives a policy with no bindings.
    static let emptyPolicyEtag = "ACAB"

    let directory: GCPDirectory
    let tokens: GCPTokenStore
    let now: @Sendable () -> Date

    public func answers(host: String) -> Bool { host == "iam.googleapis.com" }
    /// `POST /v1/projects/P/serviceAccounts/EMAIL:getIamPolicy` on the sandbox's own address.
    public func answersLoopback(_ request: SandboxRequest) -> Bool {
        request.method == "POST" && request.path.hasPrefix("/v1/projects/") && request.path.hasSuffix(":getIamPolicy")
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let path = request.path.removingPercentEncoding ?? request.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let suffix = ":getIamPolicy"
        guard request.method == "POST", parts.count == 5, parts[0] == "v1", parts[1] == "projects", parts[3] == "serviceAccounts",
              parts[4].hasSuffix(suffix) else {
            return GCPError.status(404, "NOT_FOUND", "The requested URL \(request.path) was not found on this server.")
        }
        let project = parts[2]
        let email = String(parts[4].dropLast(suffix.count))
        // Authentication first (Google API error model: https://cloud.google.com/apis/design/errors,
        // UNAUTHENTICATED for a missing or invalid OAuth token).
        guard let bearer = request.bearerToken, !bearer.isEmpty else {
            return GCPError.status(401, "UNAUTHENTICATED",
                                   "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                   details: [errorInfo("CREDENTIALS_MISSING", domain: "googleapis.com")])
        }
        guard let caller = await tokens.lookup(bearer), caller.expires > now() else {
            return GCPError.status(401, "UNAUTHENTICATED",
                                   "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                   details: [errorInfo("ACCESS_TOKEN_TYPE_UNSUPPORTED", domain: "googleapis.com")])
        }
        guard let version = requestedPolicyVersion(request), [0, 1, 3].contains(version) else {
            return GCPError.status(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        }
        // IAM answers a missing account like a refused one, "(or it may not exist)", so a caller
        // cannot probe which accounts exist (a get of an unknown account is a 403 too:
        // hashicorp/terraform-provider-google#3349 and #11208).
        let projectMatches = ["-", directory.projectID, directory.projectNumber].contains(project)
        guard caller.principals.contains(where: directory.iamPolicyReaders.contains), projectMatches,
              let account = directory.serviceAccounts.first(where: { $0.email.lowercased() == email.lowercased() }) else {
            return GCPError.status(403, "PERMISSION_DENIED", "Permission '\(Self.permission)' denied on resource (or it may not exist).",
                                   details: [errorInfo("IAM_PERMISSION_DENIED", domain: "iam.googleapis.com",
                                                       metadata: ["permission": Self.permission])])
        }
        return GCPWire.json(200, Self.policy(account))
    }

    /// The IAM Policy (https://cloud.google.com/iam/docs/reference/rest/v1/Policy): version 1 (no
    /// conditions, whatever version was requested), one binding of roles/iam.workloadIdentityUser
    /// with its members sorted, and an etag that changes with the bindings.
    static func policy(_ account: GCPServiceAccount) -> [String: Any] {
        let members = account.workloadIdentityUsers.sorted()
        guard !members.isEmpty else { return ["etag": emptyPolicyEtag] }
        let etag = Data(StableUUID.digest("\(account.email)|\(role)|\(members.joined(separator: ","))", count: 8)).base64EncodedString()
        return ["version": 1, "etag": etag, "bindings": [["role": role, "members": members]]]
    }

    /// `options.requestedPolicyVersion` from the query (the REST reference's form) or a JSON body
    /// (`{"options":{"requestedPolicyVersion":3}}`, as client libraries send it); 0 when absent,
    /// nil when malformed.
    func requestedPolicyVersion(_ request: SandboxRequest) -> Int? {
        if let text = request.query["options.requestedPolicyVersion"] { return Int(text) }
        guard let body = GCPWire.body(request) else { return nil }
        guard let options = body["options"] else { return 0 }
        guard let object = options as? [String: Any] else { return nil }
        guard let value = object["requestedPolicyVersion"] else { return 0 }
        return (value as? NSNumber)?.intValue ?? (value as? String).flatMap { Int($0) }
    }

    private func errorInfo(_ reason: String, domain: String, metadata: [String: String]? = nil) -> [String: Any] {
        ["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": domain,
         "metadata": metadata ?? ["service": "iam.googleapis.com", "method": "google.iam.admin.v1.IAM.GetIamPolicy"]]
    }
}
