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
            e["poolProvider"] = "not read: widash reads no workload identity pool configuration (the STS verdict below is authoritative)"
            if let gsa = i.cloudIdentity, !gsa.hasPrefix("principal://") {
                // What step 4 needs, read now (shared with the trust audit): the account's IAM policy.
                let subject = TrustSubject(provider: .gcp, cloudIdentity: gsa, namespace: i.namespace, serviceAccount: i.serviceAccount,
                                           issuer: issuer, audience: pool)
                let verdict = TrustEvaluator.gke(subject, policy: await context.services.trustReader.serviceAccountPolicy(email: gsa),
                                                 now: context.options.now())
                e["serviceAccountPolicy"] = "\(verdict.state.rawValue): \(verdict.reason ?? "")"
            }
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

        // Step 4: the federated token; with a Google service account, generateAccessToken for it
        // (which checks roles/iam.workloadIdentityUser). Direct resource access uses the federated
        // token itself.
        let gsa = i.cloudIdentity.flatMap { $0.hasPrefix("principal://") ? nil : $0 }
        let credentials = GCPIAMCredentialsClient(transport: transport, baseURL: context.services.gcpIAMCredentialsBaseURL, timeouts: timeouts)
        let issued = await runner.run(4, endpoint: gsa.map { _ in RequestLine.endpoint(context.services.gcpIAMCredentialsBaseURL) }) { () async throws -> StepOutcome<String> in
            var e = Evidence([("federatedToken", TokenRedaction.redactOpaque(federated.accessToken))])
            if let t = federated.issuedTokenType { e["issuedTokenType"] = t }
            if let exp = federated.expiresOn { e["expiresOn"] = TokenClock.timestamp(exp) }
            guard let gsa else {
                e["principal"] = i.cloudIdentity ?? "?"
                e["note"] = "direct resource access: the federated token is the access token (no Google service account)"
                return .passed(e, federated.accessToken)
            }
            let x = try await credentials.generateAccessToken(serviceAccount: gsa, federatedToken: federated.accessToken)
            e["request"] = x.requestLine
            e["status"] = String(x.status)
            switch x.result {
            case .failure(let err):
                e["errorCode"] = err.code
                e["error"] = err.message
                let member = GKEWorkloadIdentity.member(pool: pool, namespace: i.namespace, serviceAccount: i.serviceAccount)
                return .failed(e, Diagnosis(summary: "\(err.code): \(i.namespace)/\(i.serviceAccount) may not impersonate \(gsa): \(err.message)",
                                            mismatches: [Mismatch(field: "roles/iam.workloadIdentityUser on \(gsa)", expected: member, actual: "(not granted)")],
                                            fix: "gcloud iam service-accounts add-iam-policy-binding \(gsa) --role roles/iam.workloadIdentityUser --member \"\(member)\""))
            case .success(let saToken):
                e["serviceAccountToken"] = TokenRedaction.redactOpaque(saToken.accessToken)
                if let exp = saToken.expiresOn { e["serviceAccountTokenExpiresOn"] = TokenClock.timestamp(exp) }
                return .passed(e, saToken.accessToken)
            }
        }
        guard let accessToken = issued.value, issued.status == .passed else { return runner.skipRest(from: 5, reason: "step 4 failed") }

        guard runner.mayCallResource(context.options) else { return }
        // Step 5: a Google API call with the access token: --resource, else listing the buckets of
        // the project (Cloud Storage JSON API buckets.list), which needs storage.buckets.list.
        let project = gsa.flatMap(BindingExtractor.gcpProject(fromServiceAccount:)) ?? String(pool.dropLast(".svc.id.goog".count))
        let resource = context.options.resourceURL ?? "https://storage.googleapis.com/storage/v1/b?project=\(project)"
        let who = gsa ?? i.cloudIdentity ?? "the principal"
        _ = await runner.run(5, endpoint: RequestLine.endpoint(resource)) { () async throws -> StepOutcome<Bool> in
            var e = Evidence([("request", "GET \(resource)")])
            if context.options.resourceURL == nil { e["chosenBy"] = "default (Cloud Storage buckets.list in project \(project))" }
            let response = try await WidashCloudSend.send(transport, HTTPRequest(url: resource, headers: [("Authorization", "Bearer \(accessToken)")], timeouts: timeouts))
            e["status"] = String(response.status)
            if (200..<300).contains(response.status) { return .passed(e, true) }
            let (code, message) = ServiceErrorBody.parse(response)
            if let code { e["errorCode"] = code }
            if let message { e["error"] = message }
            return .failed(e, Diagnosis(summary: "\(resource) refused \(who)'s token with HTTP \(response.status)\(message.map { ": \($0)" } ?? "")",
                                        fix: gsa.map { "grant \($0) a role on the resource, e.g. gcloud projects add-iam-policy-binding \(project) --member serviceAccount:\($0) --role roles/storage.objectViewer" }
                                            ?? "grant the principal a role on the resource: gcloud projects add-iam-policy-binding \(project) --member '\(who)' --role roles/storage.objectViewer"))
        }
    }
}
