import Foundation
import WidashCore

/// Hand-built dashboard state for the snapshot tests (views are pure functions of state): shaped like
/// the demo, but only ever fed to views in tests; the product never uses it.
enum SampleInventory {
    static let issuer = "https://oidc.widash-demo.local/6c3e9f70-aks"
    static let tenant = "5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f"
    static let azureAudience = "api://AzureADTokenExchange"
    static let azureTokenPath = "/var/run/secrets/azure/tokens/azure-identity-token"
    static let awsTokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

    struct Spec {
        var ns: String
        var name: String
        var provider: Provider?
        var identity: String?
        var tenant: String?
        var pods: [String]
        var ttl: Int
        var injected = true
        var findings: [Finding] = []
        var status: IdentityStatus
        var age: Int
    }

    static func sub(_ ns: String, _ sa: String) -> String { "system:serviceaccount:\(ns):\(sa)" }

    static let specs: [Spec] = [
        Spec(ns: "shop", name: "frontend", provider: .azure, identity: "a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51", tenant: tenant,
             pods: ["frontend-7d9c5b8f4-x2x4k", "frontend-7d9c5b8f4-pq8wz"], ttl: 3600, status: .ok, age: 720),
        Spec(ns: "shop", name: "backend", provider: .azure, identity: "b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62", tenant: tenant,
             pods: ["backend-6f8b9c7d5-m3n4p"], ttl: 3600, status: .ok, age: 1500),
        Spec(ns: "broken", name: "wrong-subject", provider: .azure, identity: "c3f5e802-3f4d-4071-8cbd-2e3f4a5b6c73", tenant: tenant,
             pods: ["wrong-subject-5c9d8b7f6-h2x7q"], ttl: 3600,
             findings: [Finding(code: "fic-subject-mismatch", severity: .error, subject: "broken/wrong-subject",
                                message: "federated credential aks-wrong-subject trusts subject \(sub("broken", "wrongsubject")), the token's is \(sub("broken", "wrong-subject"))",
                                fix: "az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subject -n aks-wrong-subject --subject \(sub("broken", "wrong-subject"))")],
             status: .error, age: 2400),
        Spec(ns: "broken", name: "wrong-issuer", provider: .azure, identity: "d4a6f913-4a5e-4182-9dce-3f4a5b6c7d84", tenant: tenant,
             pods: ["wrong-issuer-7b6c5d4e3-k9l8m"], ttl: 3600,
             findings: [Finding(code: "fic-issuer-mismatch", severity: .error, subject: "broken/wrong-issuer",
                                message: "federated credential issuer \(issuer)/ has a trailing slash the cluster's issuer lacks",
                                fix: "set the credential's issuer to exactly \(issuer)")],
             status: .error, age: 3000),
        Spec(ns: "broken", name: "wrong-audience", provider: .azure, identity: "e5b7a024-5b6f-4293-8edf-4a5b6c7d8e95", tenant: tenant,
             pods: ["wrong-audience-6d5e4f3a2-q1w2e"], ttl: 3600,
             findings: [Finding(code: "fic-audience-mismatch", severity: .error, subject: "broken/wrong-audience",
                                message: "federated credential audience is api://AzureADTokenExchangeChina",
                                fix: "set the credential's audience to \(azureAudience)")],
             status: .error, age: 3300),
        Spec(ns: "broken", name: "no-label", provider: .azure, identity: "f6c8b135-6c70-43a4-9f01-5b6c7d8e9fa6", tenant: tenant,
             pods: ["no-label-5f4e3d2c1-z9x8c"], ttl: 3600, injected: false,
             findings: [Finding(code: "missing-use-label", severity: .warning, subject: "broken/no-label-5f4e3d2c1-z9x8c",
                                message: "pod is not labelled azure.workload.identity/use=true, so the webhook did not inject the token",
                                fix: "add the label azure.workload.identity/use: \"true\" to the pod template and restart the pods")],
             status: .warning, age: 600),
        Spec(ns: "broken", name: "no-role", provider: .azure, identity: "07d9c246-7d81-44b5-a012-6c7d8e9fa0b7", tenant: tenant,
             pods: ["no-role-8e7d6c5b4-r5t6y"], ttl: 3600, status: .ok, age: 1800),
        Spec(ns: "broken", name: "stale-token", provider: .azure, identity: "18eac357-8e92-45c6-b123-7d8e9fa0b1c8", tenant: tenant,
             pods: ["stale-token-4a3b2c1d0-u7i8o"], ttl: 3600,
             findings: [Finding(code: "token-near-expiry", severity: .warning, subject: "broken/stale-token-4a3b2c1d0-u7i8o",
                                message: "projected token was not refreshed: it expires in under 5 minutes",
                                fix: "check kubelet on the node and restart the pod")],
             status: .warning, age: 3420),
        Spec(ns: "legacy", name: "default", provider: .azurePodIdentity, identity: "29fbd468-9fa3-46d7-8234-8e9fa0b1c2d9", tenant: tenant,
             pods: ["legacy-app-66b5c4d3e2-a1s2d"], ttl: 0, injected: false,
             findings: [Finding(code: "legacy-aad-pod-identity", severity: .warning, subject: "legacy/default",
                                message: "uses aad-pod-identity (deprecated), not workload identity",
                                fix: "migrate to Azure Workload Identity: annotate the service account with azure.workload.identity/client-id")],
             status: .warning, age: 0),
        Spec(ns: "aws", name: "irsa-ok", provider: .awsIRSA, identity: "arn:aws:iam::111122223333:role/irsa-ok", tenant: "111122223333",
             pods: ["irsa-ok-5d6f7g8h9-b3n4m"], ttl: 86400, status: .ok, age: 7200),
        Spec(ns: "aws", name: "irsa-bad-trust", provider: .awsIRSA, identity: "arn:aws:iam::111122223333:role/irsa-bad-trust", tenant: "111122223333",
             pods: ["irsa-bad-trust-7f8g9h0j1-c5v6b"], ttl: 86400,
             findings: [Finding(code: "trust-policy-subject", severity: .error, subject: "aws/irsa-bad-trust",
                                message: "role trust policy allows \(sub("aws", "irsa-bad-trust-old")), not this service account",
                                fix: "update the role's trust policy condition :sub to \(sub("aws", "irsa-bad-trust"))")],
             status: .error, age: 9000),
        Spec(ns: "aws", name: "podid-ok", provider: .awsPodIdentity, identity: "arn:aws:iam::111122223333:role/podid-ok", tenant: "111122223333",
             pods: ["podid-ok-9h0j1k2l3-d7f8g"], ttl: 86400, status: .ok, age: 4000),
        Spec(ns: "gcp", name: "gke-ok", provider: .gcp, identity: "gke-ok@widash-demo.iam.gserviceaccount.com", tenant: "widash-demo",
             pods: ["gke-ok-3l4m5n6o7-h9j0k"], ttl: 3600, status: .ok, age: 900),
        Spec(ns: "shop", name: "default", provider: nil, identity: nil, tenant: nil, pods: [], ttl: 0, status: .none, age: 0),
    ]

    /// The demo inventory as seen at `now` (token schedules relative to it).
    static func inventory(now: Date) -> Inventory {
        Inventory(issuer: issuer,
                  webhooks: [WebhookSummary(kind: "azure", name: "azure-wi-webhook-mutating-webhook-configuration", failurePolicy: "Fail")],
                  identities: specs.map { entry($0, now: now) }, clusterFindings: [])
    }

    static func entry(_ s: Spec, now: Date) -> IdentityEntry {
        var annotations: [String: String] = [:]
        var bindings: [IdentityBinding] = []
        if let p = s.provider, let id = s.identity {
            switch p {
            case .azure:
                annotations["azure.workload.identity/client-id"] = id
                annotations["azure.workload.identity/tenant-id"] = s.tenant
                bindings.append(IdentityBinding(provider: p, cloudIdentity: id, tenant: s.tenant, audience: azureAudience,
                                                tokenExpirationSeconds: s.ttl, source: "annotation azure.workload.identity/client-id"))
            case .awsIRSA:
                annotations["eks.amazonaws.com/role-arn"] = id
                bindings.append(IdentityBinding(provider: p, cloudIdentity: id, tenant: s.tenant, audience: "sts.amazonaws.com",
                                                tokenExpirationSeconds: s.ttl, source: "annotation eks.amazonaws.com/role-arn"))
            case .awsPodIdentity:
                bindings.append(IdentityBinding(provider: p, cloudIdentity: id, tenant: s.tenant, audience: "pods.eks.amazonaws.com",
                                                tokenExpirationSeconds: s.ttl, source: "EKS pod identity association"))
            case .gcp:
                annotations["iam.gke.io/gcp-service-account"] = id
                bindings.append(IdentityBinding(provider: p, cloudIdentity: id, tenant: s.tenant, audience: "widash-demo.svc.id.goog",
                                                tokenExpirationSeconds: s.ttl, source: "annotation iam.gke.io/gcp-service-account"))
            case .azurePodIdentity:
                bindings.append(IdentityBinding(provider: p, cloudIdentity: id, tenant: s.tenant, source: "AzureIdentityBinding legacy/app-binding"))
            }
        }
        let pods = s.pods.enumerated().map { i, name in pod(s, name: name, index: i, now: now) }
        return IdentityEntry(namespace: s.ns, name: s.name, annotations: annotations, bindings: bindings, pods: pods,
                             findings: s.findings, status: s.status)
    }

    static func pod(_ s: Spec, name: String, index: Int, now: Date) -> PodIdentity {
        var env: [String] = []
        var path: String?
        var aud: String?
        switch s.provider {
        case .azure?:
            env = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"]
            path = azureTokenPath; aud = azureAudience
        case .awsIRSA?:
            env = ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]; path = awsTokenPath; aud = "sts.amazonaws.com"
        case .awsPodIdentity?:
            env = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
            path = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"; aud = "pods.eks.amazonaws.com"
        case .gcp?:
            path = "/var/run/secrets/tokens/gcp-ksa/token"; aud = "widash-demo.svc.id.goog"
        default: break
        }
        let injected = s.injected && s.provider != nil
        var schedule: TokenSchedule?
        if injected, s.ttl > 0 {
            let issued = now.addingTimeInterval(-TimeInterval(s.age + index * 97))
            let refresh = issued.addingTimeInterval(TimeInterval(min(Double(s.ttl) * 0.8, 86400)))
            schedule = TokenSchedule(ttlSeconds: s.ttl, issuedAt: issued, refreshAt: refresh,
                                     expiresAt: issued.addingTimeInterval(TimeInterval(s.ttl)))
        }
        return PodIdentity(namespace: s.ns, name: name, serviceAccount: s.name, provider: s.provider, injected: injected,
                           injectedEnv: injected ? env : [], tokenPath: injected ? path : nil, audience: injected ? aud : nil,
                           tokenTTLSeconds: injected && s.ttl > 0 ? s.ttl : nil, startTime: now.addingTimeInterval(-86400),
                           schedule: schedule, phase: "Running", readyContainers: 1, totalContainers: 1)
    }
}
