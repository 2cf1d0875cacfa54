import Foundation
import WidashCore

/// Hand-built trace steps for the snapshot tests (fed into the pure update/render functions only;
/// the product traces for real against the cluster and the clouds).
enum SampleTrace {
    static let redactedAssertion = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ta2V5LTEifQ.eyJhdWQiOi….…"
    static let redactedAccessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOi….…"

    /// The default step-5 resource for a provider.
    static func defaultResource(_ provider: Provider?) -> String {
        switch provider {
        case .awsIRSA?, .awsPodIdentity?: return "sts:GetCallerIdentity"
        case .gcp?: return "https://storage.googleapis.com/storage/v1/b?project=widash-demo"
        default: return "https://shop-kv.vault.azure.net/secrets/db-password"
        }
    }

    static func resources(for provider: Provider?) -> [String] {
        switch provider {
        case .awsIRSA?, .awsPodIdentity?: return ["sts:GetCallerIdentity", "s3:ListBuckets"]
        case .gcp?: return [defaultResource(provider), "https://cloudresourcemanager.googleapis.com/v1/projects/widash-demo"]
        default:
            return ["https://shop-kv.vault.azure.net/secrets/db-password", "https://shopstorage.blob.core.windows.net/orders",
                    "https://shop-cosmos.documents.azure.com/dbs", "https://shop-bus.servicebus.windows.net/orders/messages",
                    "https://management.azure.com/subscriptions?api-version=2022-12-01"]
        }
    }

    /// The final steps of a trace of `entry`'s pod.
    static func steps(for entry: IdentityEntry, pod: String, resource: String?) -> [TraceStep] {
        let provider = entry.bindings.first?.provider
        let ns = entry.namespace, sa = entry.name
        let subject = "system:serviceaccount:\(ns):\(sa)"
        let isAWS = provider == .awsIRSA || provider == .awsPodIdentity
        let aud = entry.bindings.first?.audience ?? SampleInventory.azureAudience
        let resource = resource ?? defaultResource(provider)
        var s = TraceStep.titles.enumerated().map { TraceStep(number: $0.offset + 1, title: $0.element) }
        let durations = [312, 402, 515, 388, 421]
        for i in s.indices { s[i].durationMs = durations[i] }

        func skipRest(from index: Int) {
            for j in index..<s.count { s[j].status = .skipped; s[j].durationMs = nil }
        }

        // Step 1: token projected.
        if entry.pods.first(where: { $0.name == pod })?.injected != true {
            s[0].status = .failed
            s[0].evidence = Evidence([("pod", "\(ns)/\(pod)"), ("env", "no identity variables injected"), ("volume", "no projected token")])
            s[0].diagnosis = provider == .azurePodIdentity
                ? Diagnosis(summary: "The pod uses aad-pod-identity (NMI), which has no projected service-account token to trace.",
                            fix: "Migrate to Azure Workload Identity: annotate the service account with azure.workload.identity/client-id and label the pod azure.workload.identity/use=true.")
                : Diagnosis(summary: "The webhook did not mutate the pod: AZURE_FEDERATED_TOKEN_FILE and the projected token volume are missing because the pod is not labelled azure.workload.identity/use=\"true\".",
                            mismatches: [Mismatch(field: "label azure.workload.identity/use", expected: "true", actual: "(absent)")],
                            fix: "Add the label azure.workload.identity/use: \"true\" to the pod template, then restart the pods.")
            skipRest(from: 1)
            return s
        }
        s[0].status = .passed
        s[0].evidence = Evidence([("iss", SampleInventory.issuer), ("sub", subject), ("aud", aud),
                                  ("exp", "in 3600 s"), ("kid", "demo-key-1")])

        // Step 2: token sent.
        s[1].status = .passed
        if isAWS {
            s[1].evidence = Evidence([("request", "POST https://sts.us-east-1.amazonaws.com/ Action=AssumeRoleWithWebIdentity"),
                                      ("RoleArn", entry.bindings.first?.cloudIdentity ?? "-"), ("WebIdentityToken", redactedAssertion)])
        } else if provider == .gcp {
            s[1].evidence = Evidence([("request", "POST https://sts.googleapis.com/v1/token"),
                                      ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", redactedAssertion)])
        } else {
            s[1].evidence = Evidence([("request", "POST https://login.microsoftonline.com/\(SampleInventory.tenant)/oauth2/v2.0/token"),
                                      ("client_id", entry.bindings.first?.cloudIdentity ?? "-"), ("scope", "https://vault.azure.net/.default"),
                                      ("client_assertion", redactedAssertion)])
        }

        // Step 3: trust checked.
        let fail3: Diagnosis?
        switch (ns, sa) {
        case ("broken", "wrong-subject"):
            fail3 = Diagnosis(summary: "AADSTS700213: No matching federated identity record found for presented assertion subject '\(subject)'. The federated credential aks-wrong-subject of id-wrong-subject trusts another subject.",
                              mismatches: [Mismatch(field: "subject", expected: "system:serviceaccount:broken:wrongsubject", actual: subject)],
                              fix: "az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subject -n aks-wrong-subject --subject \(subject)")
        case ("broken", "wrong-issuer"):
            fail3 = Diagnosis(summary: "AADSTS700211: No matching federated identity record found for presented assertion issuer '\(SampleInventory.issuer)'.",
                              mismatches: [Mismatch(field: "issuer", expected: SampleInventory.issuer + "/", actual: SampleInventory.issuer)],
                              fix: "Set the federated credential's issuer to exactly \(SampleInventory.issuer) (no trailing slash).")
        case ("broken", "wrong-audience"):
            fail3 = Diagnosis(summary: "AADSTS700212: No matching federated identity record found for presented assertion audience '\(SampleInventory.azureAudience)'.",
                              mismatches: [Mismatch(field: "audience", expected: "api://AzureADTokenExchangeChina", actual: SampleInventory.azureAudience)],
                              fix: "Set the federated credential's audience to \(SampleInventory.azureAudience).")
        case ("broken", "stale-token"):
            fail3 = Diagnosis(summary: "AADSTS700024: Client assertion is not within its valid time range: the projected token expired 2 minutes ago and kubelet has not refreshed it.",
                              fix: "Check kubelet on the pod's node; restart the pod to get a fresh token.")
        case ("aws", "irsa-bad-trust"):
            fail3 = Diagnosis(summary: "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity. The role's trust policy condition names another service account.",
                              mismatches: [Mismatch(field: "subject (oidc:sub)", expected: "system:serviceaccount:aws:irsa-bad-trust-old", actual: subject)],
                              fix: "Update the trust policy of irsa-bad-trust: \"<issuer>:sub\": \"\(subject)\".")
        default:
            fail3 = nil
        }
        if let d = fail3 {
            s[2].status = .failed
            s[2].evidence = isAWS ? Evidence([("response", "403 AccessDenied")])
                : Evidence([("response", "400 invalid_request"), ("error", d.summary.components(separatedBy: ":").first ?? "")])
            s[2].diagnosis = d
            skipRest(from: 3)
            return s
        }
        s[2].status = .passed
        s[2].evidence = isAWS ? Evidence([("trust policy", "oidc provider \(SampleInventory.issuer), :sub and :aud match")])
            : Evidence([("federated credential", "aks-\(ns == "shop" ? "shop-" : "")\(sa): issuer, subject, audience match")])

        // Step 4: token issued.
        s[3].status = .passed
        s[3].evidence = isAWS ? Evidence([("credentials", "ASIA…XMPL (session, expires in 3600 s)")])
            : Evidence([("token_type", "Bearer"), ("expires_in", "3599"), ("access_token", redactedAccessToken)])

        // Step 5: resource called.
        if (ns, sa) == ("broken", "no-role") {
            s[4].status = .failed
            s[4].evidence = Evidence([("request", "GET \(resource)"), ("response", "403 Forbidden")])
            s[4].diagnosis = Diagnosis(summary: "The token was issued, but id-no-role has no role on the resource: 403 Forbidden (ForbiddenByRbac).",
                                       fix: "Grant the identity a role, e.g. az role assignment create --role \"Key Vault Secrets User\" --assignee 07d9c246-7d81-44b5-a012-6c7d8e9fa0b7 --scope <vault id>")
        } else {
            s[4].status = .passed
            s[4].evidence = Evidence([("request", "GET \(resource)"), ("response", "200 OK")])
        }
        return s
    }
}
