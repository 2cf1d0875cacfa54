import Foundation
import WidashCore
import WidashCloud
import WidashHTTP

/// Steps 2–5 for GKE Workload Identity / Workload Identity Federation.
struct GCPFlow: Sendable {
    var context: TraceContext
    var runner: StepRunner
    var minted: MintedToken

    func run() async {
        let i = context.reading
        let transport = context.services.transport
        let timeouts = context.timeouts
        let pool = i.audience
        let issuer = minted.jwt?.iss ?? ""
        let audience = context.options.gcpSTSAudience ?? "identitynamespace:\(pool):\(issuer)"
        let sts = GCPSTSClient(transport: transport, baseURL: context.services.gcpSTSBaseURL, timeouts: timeouts)
        let token = minted.token

        let sent = await runner.run(2, endpoint: RequestLine.endpoint(context.services.gcpSTSBaseURL)) { () async throws -> StepOutcome<(String, Int, Result<GCPAccessToken, GCPServiceError>)> in
            var e = Evidence([("request", "POST \(context.services.gcpSTSBaseURL)/v1/token"),
                              ("form", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&audience=\(audience)&scope=\(GCPSTSClient.cloudPlatformScope)&requested_token_type=urn:ietf:params:oauth:token-type:access_token&subject_token=<test token, redacted>&subject_token_type=urn:ietf:params:oauth:token-type:jwt")])
            let x = try await sts.exchange(subjectToken: token, audience: audience)
            e["status"] = String(x.status)
            if case .failure(let err) = x.result { e["errorCode"] = err.code; e["error"] = err.message }
            return .passed(e, x)
        }
        guard let exchange = sent.value, sent.status == .passed else { return runner.skipRest(from: 3, reason: "step 2 failed") }

        let trusted = await runner.run(3, endpoint: "the issuer") { () async throws -> StepOutcome<Bool> in
            let check = await IssuerCheck.run(cluster: context.cluster, transport: transport, jwt: minted.jwt, timeouts: context.preflightTimeouts)
            var e = check.evidence
            e["poolProvider"] = "not checked: widash reads no Google IAM configuration (the STS verdict below is authoritative)"
            switch exchange.2 {
            case .success:
                e["verdict"] = "Google STS accepted the token for \(audience)"
                return .passed(e, true)
            case .failure(let err):
                e["errorCode"] = err.code
                e["verdict"] = err.message
                let fix = err.code == "invalid_target"
                    ? "check the pool/provider name in the audience (\(audience)) and that the provider exists and is enabled"
                    : "the pool provider must trust issuer \(issuer) and accept audience \(minted.jwt?.aud.joined(separator: ",") ?? pool)"
                return .failed(e, Diagnosis(summary: "\(err.code): Google STS rejected the token: \(err.message)" + (check.problem.map { " (\($0.summary))" } ?? ""),
                                            mismatches: [Mismatch(field: "audience/issuer", expected: audience, actual: "iss \(issuer), aud \(minted.jwt?.aud.joined(separator: ",") ?? "?")")],
                                            fix: check.problem?.fix ?? fix))
            }
        }
        guard trusted.status == .passed, case .success(let federated) = exchange.2 else { return runner.skipRest(from: 4, reason: "step 3 failed") }

        _ = await runner.run(4, endpoint: nil) { () async throws -> StepOutcome<Bool> in
            var e = Evidence([("federatedToken", TokenRedaction.redactOpaque(federated.accessToken))])
            if let t = federated.issuedTokenType { e["issuedTokenType"] = t }
            if let exp = federated.expiresOn { e["expiresOn"] = TokenClock.timestamp(exp) }
            return .passed(e, true)
        }

        guard runner.mayCallResource(context.options) else { return }
        // Step 5: generateAccessToken for the Google service account (checks roles/iam.workloadIdentityUser),
        // then the user's URL with that token when one was given.
        let gsa = i.cloudIdentity ?? ""
        let credentials = GCPIAMCredentialsClient(transport: transport, baseURL: context.services.gcpIAMCredentialsBaseURL, timeouts: timeouts)
        let resource = context.options.resourceURL
        _ = await runner.run(5, endpoint: RequestLine.endpoint(resource ?? context.services.gcpIAMCredentialsBaseURL)) { () async throws -> StepOutcome<Bool> in
            var e = Evidence()
            let x = try await credentials.generateAccessToken(serviceAccount: gsa, federatedToken: federated.accessToken)
            e["request"] = x.requestLine
            e["status"] = String(x.status)
            switch x.result {
            case .failure(let err):
                e["errorCode"] = err.code
                e["error"] = err.message
                let member = "serviceAccount:\(pool)[\(i.namespace)/\(i.serviceAccount)]"
                return .failed(e, Diagnosis(summary: "\(err.code): \(i.namespace)/\(i.serviceAccount) may not impersonate \(gsa): \(err.message)",
                                            mismatches: [Mismatch(field: "roles/iam.workloadIdentityUser on \(gsa)", expected: member, actual: "(not granted)")],
                                            fix: "gcloud iam service-accounts add-iam-policy-binding \(gsa) --role roles/iam.workloadIdentityUser --member \"\(member)\""))
            case .success(let saToken):
                e["serviceAccountToken"] = TokenRedaction.redactOpaque(saToken.accessToken)
                if let exp = saToken.expiresOn { e["expiresOn"] = TokenClock.timestamp(exp) }
                guard let resource else { return .passed(e, true) }
                let response = try await WidashCloudSend.send(transport, HTTPRequest(url: resource, headers: [("Authorization", "Bearer \(saToken.accessToken)")], timeouts: timeouts))
                e["resourceRequest"] = "GET \(resource)"
                e["resourceStatus"] = String(response.status)
                if (200..<300).contains(response.status) { return .passed(e, true) }
                let (code, message) = ServiceErrorBody.parse(response)
                if let code { e["errorCode"] = code }
                return .failed(e, Diagnosis(summary: "\(resource) refused \(gsa)'s token with HTTP \(response.status)\(message.map { ": \($0)" } ?? "")",
                                            fix: "grant \(gsa) a role on the resource"))
            }
        }
    }
}
