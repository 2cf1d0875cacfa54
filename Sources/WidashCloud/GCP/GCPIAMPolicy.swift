import Foundation
import WidashCore
import WidashHTTP

/// An IAM policy: role → members (`serviceAccount:POOL[NS/KSA]`, `principal://…`, `user:…`).
public struct GCPIAMPolicy: Sendable, Hashable {
    public var bindings: [String: [String]]
    public var etag: String?

    public func members(of role: String) -> [String] { bindings[role] ?? [] }
}

/// IAM: `getIamPolicy` on a Google service account, called with the operator's token (needs
/// `iam.serviceAccounts.getIamPolicy`, e.g. in roles/iam.securityReviewer).
/// https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/getIamPolicy
public struct GCPIAMClient: Sendable {
    public var transport: any HTTPTransport
    public var baseURL: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, baseURL: String = "https://iam.googleapis.com", timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    public func serviceAccountPolicy(email: String, token: String) async throws -> GCPIAMPolicy {
        // The project of `name@PROJECT.iam.gserviceaccount.com`; `-` lets IAM find any other form.
        let project = BindingExtractor.gcpProject(fromServiceAccount: email) ?? "-"
        let url = joinURL(baseURL, "/v1/projects/\(FormEncoding.escape(project))/serviceAccounts/\(FormEncoding.escape(email)):getIamPolicy")
        let body = (try? JSONSerialization.data(withJSONObject: ["options": ["requestedPolicyVersion": 3]])) ?? Data()
        let response = try await send(transport, HTTPRequest(method: "POST", url: url,
                                                             headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                                             body: body, timeouts: timeouts))
        guard response.status == 200 else {
            if let e = GCPServiceError.parse(service: "iam", status: response.status, body: response.body) { throw CloudError.gcp(e) }
            throw CloudError.unexpectedResponse(endpoint: url, status: response.status, detail: bodyExcerpt(response.body))
        }
        guard let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            throw CloudError.unexpectedResponse(endpoint: url, status: 200, detail: bodyExcerpt(response.body))
        }
        var bindings: [String: [String]] = [:]
        for b in o["bindings"] as? [[String: Any]] ?? [] {
            guard let role = b["role"] as? String else { continue }
            bindings[role, default: []] += b["members"] as? [String] ?? []
        }
        return GCPIAMPolicy(bindings: bindings, etag: o["etag"] as? String)
    }
}

/// The operator's Google access token: `GOOGLE_OAUTH_ACCESS_TOKEN` (the variable the Terraform Google
/// provider reads), else `gcloud auth print-access-token`.
public struct GoogleOperatorCredential: Sendable {
    public var environment: [String: String]
    public var runner: any CommandRunner

    public init(environment: [String: String], runner: any CommandRunner = ProcessCommandRunner()) {
        self.environment = environment
        self.runner = runner
    }

    public func token() async -> OperatorTokenResult {
        if let token = environment["GOOGLE_OAUTH_ACCESS_TOKEN"], !token.isEmpty {
            return .token(OperatorToken(accessToken: token, expiresOn: nil, source: "GOOGLE_OAUTH_ACCESS_TOKEN"))
        }
        guard let output = try? await runner.run("gcloud", ["auth", "print-access-token"], timeout: .seconds(30)) else {
            return .unavailable(reason: "gcloud auth print-access-token could not be run")
        }
        if output.status == 127 { return .unavailable(reason: "no GOOGLE_OAUTH_ACCESS_TOKEN and gcloud is not installed") }
        let token = String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.status == 0, !token.isEmpty else {
            return .unavailable(reason: "gcloud auth print-access-token failed: run `gcloud auth login` or set GOOGLE_OAUTH_ACCESS_TOKEN")
        }
        return .token(OperatorToken(accessToken: token, expiresOn: nil, source: "gcloud"))
    }
}
