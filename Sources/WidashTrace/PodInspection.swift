import Foundation
import WidashCore

/// What step 1 reads from the pod spec and its service account.
public struct PodInspection: Sendable, Hashable {
    public var namespace: String
    public var podName: String
    public var podUID: String?
    public var serviceAccount: String
    public var provider: Provider?
    /// Identity env vars of the first container that has any (values are not secrets).
    public var environment: [String: String]
    /// The projected service-account token volume for the provider, when present.
    public var projectedVolume: (name: String, projection: ServiceAccountTokenProjection)?
    public var audience: String
    public var ttlSeconds: Int
    /// Azure client id, AWS role ARN or Google service account.
    public var cloudIdentity: String?
    /// Azure tenant id.
    public var tenantID: String?
    public var useLabel: String?
    /// A problem that fails step 1 (missing label, missing client id, …).
    public var problem: Diagnosis?

    public static func == (a: PodInspection, b: PodInspection) -> Bool {
        a.namespace == b.namespace && a.podName == b.podName && a.provider == b.provider && a.audience == b.audience
    }
    public func hash(into h: inout Hasher) { h.combine(namespace); h.combine(podName) }

    static let identityEnvNames = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
                                   "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_STS_REGIONAL_ENDPOINTS",
                                   "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "GOOGLE_APPLICATION_CREDENTIALS"]

    /// Inspects `pod` (run by `serviceAccount`) and decides the provider from the SA annotations and pod env.
    public static func inspect(pod: Pod, serviceAccount: ServiceAccount) -> PodInspection {
        let annotations = serviceAccount.metadata.annotations ?? [:]
        let labels = pod.metadata.labels ?? [:]
        let containers = pod.spec.containers + (pod.spec.initContainers ?? [])
        // All env values with literal values; identity vars are taken from the first container carrying them.
        var env: [String: String] = [:]
        for container in containers {
            for variable in container.env ?? [] where env[variable.name] == nil {
                if let value = variable.value { env[variable.name] = value }
            }
        }
        let projections = (pod.spec.volumes ?? []).flatMap { volume in
            (volume.projected?.sources ?? []).compactMap { $0.serviceAccountToken.map { (volume.name, $0) } }
        }
        let ns = pod.metadata.namespace ?? serviceAccount.metadata.namespace ?? "default"
        var result = PodInspection(namespace: ns, podName: pod.metadata.name, podUID: pod.metadata.uid,
                                   serviceAccount: serviceAccount.metadata.name, provider: nil, environment: env,
                                   projectedVolume: nil, audience: "", ttlSeconds: 3600, cloudIdentity: nil, tenantID: nil,
                                   useLabel: labels["azure.workload.identity/use"], problem: nil)
        func projection(audience: String, fileEnv: String?) -> (String, ServiceAccountTokenProjection)? {
            if let file = fileEnv.flatMap({ env[$0] }), let match = projections.first(where: { file.hasSuffix("/" + $0.1.path) || file == $0.1.path }) {
                return match
            }
            return projections.first { $0.1.audience == audience }
        }

        if annotations["azure.workload.identity/client-id"] != nil || result.useLabel != nil || env["AZURE_FEDERATED_TOKEN_FILE"] != nil {
            result.provider = .azure
            result.cloudIdentity = nonEmpty(annotations["azure.workload.identity/client-id"]) ?? nonEmpty(env["AZURE_CLIENT_ID"])
            result.tenantID = nonEmpty(annotations["azure.workload.identity/tenant-id"]) ?? nonEmpty(env["AZURE_TENANT_ID"])
            let defaultAudience = "api://AzureADTokenExchange"
            result.projectedVolume = projection(audience: defaultAudience, fileEnv: "AZURE_FEDERATED_TOKEN_FILE")
            result.audience = result.projectedVolume?.projection.audience ?? defaultAudience
            result.ttlSeconds = result.projectedVolume?.projection.expirationSeconds
                ?? Int(annotations["azure.workload.identity/service-account-token-expiration"] ?? "") ?? 3600
            if result.useLabel != "true" {
                result.problem = Diagnosis(
                    summary: "pod \(ns)/\(pod.metadata.name) is not labelled azure.workload.identity/use=\"true\" (\(result.useLabel.map { "it is \"\($0)\"" } ?? "the label is missing")), so the webhook did not inject AZURE_* env or the projected token",
                    mismatches: [Mismatch(field: "label azure.workload.identity/use", expected: "true", actual: result.useLabel ?? "(missing)")],
                    fix: "add the label to the pod template and roll the workload: kubectl patch \(ownerHint(pod)) -n \(ns) --type merge -p '{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"azure.workload.identity/use\":\"true\"}}}}}'")
            } else if result.cloudIdentity == nil {
                result.problem = Diagnosis(
                    summary: "service account \(ns)/\(serviceAccount.metadata.name) has no azure.workload.identity/client-id annotation and the pod has no AZURE_CLIENT_ID: there is no identity to exchange the token for",
                    mismatches: [Mismatch(field: "annotation azure.workload.identity/client-id", expected: "<client id of the identity>", actual: "(missing)")],
                    fix: "kubectl annotate serviceaccount \(serviceAccount.metadata.name) -n \(ns) azure.workload.identity/client-id=<client-id> --overwrite, then restart the pod")
            } else if result.tenantID == nil {
                result.problem = Diagnosis(summary: "no tenant: the pod has no AZURE_TENANT_ID and the service account no azure.workload.identity/tenant-id annotation",
                                           fix: "kubectl annotate serviceaccount \(serviceAccount.metadata.name) -n \(ns) azure.workload.identity/tenant-id=<tenant-id> --overwrite")
            }
        } else if annotations["eks.amazonaws.com/role-arn"] != nil || env["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil {
            result.provider = .awsIRSA
            result.cloudIdentity = nonEmpty(env["AWS_ROLE_ARN"]) ?? nonEmpty(annotations["eks.amazonaws.com/role-arn"])
            let defaultAudience = nonEmpty(annotations["eks.amazonaws.com/audience"]) ?? "sts.amazonaws.com"
            result.projectedVolume = projection(audience: defaultAudience, fileEnv: "AWS_WEB_IDENTITY_TOKEN_FILE")
            result.audience = result.projectedVolume?.projection.audience ?? defaultAudience
            result.ttlSeconds = result.projectedVolume?.projection.expirationSeconds
                ?? Int(annotations["eks.amazonaws.com/token-expiration"] ?? "") ?? 86400
            if result.cloudIdentity == nil {
                result.problem = Diagnosis(summary: "no role: the service account has no eks.amazonaws.com/role-arn annotation",
                                           fix: "kubectl annotate serviceaccount \(serviceAccount.metadata.name) -n \(ns) eks.amazonaws.com/role-arn=<role-arn> --overwrite")
            } else if env["AWS_WEB_IDENTITY_TOKEN_FILE"] == nil {
                result.problem = Diagnosis(summary: "the pod has no AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN: the EKS pod identity webhook did not mutate it (it was created before the annotation, or the webhook is not installed)",
                                           mismatches: [Mismatch(field: "env AWS_WEB_IDENTITY_TOKEN_FILE", expected: "set by the webhook", actual: "(missing)")],
                                           fix: "restart the pod after annotating its service account: kubectl rollout restart \(ownerHint(pod)) -n \(ns)")
            }
        } else if env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil || env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] != nil
                    || projections.contains(where: { $0.1.audience == "pods.eks.amazonaws.com" }) {
            result.provider = .awsPodIdentity
            result.projectedVolume = projection(audience: "pods.eks.amazonaws.com", fileEnv: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            result.audience = result.projectedVolume?.projection.audience ?? "pods.eks.amazonaws.com"
            result.ttlSeconds = result.projectedVolume?.projection.expirationSeconds ?? 86400
        } else if let gsa = nonEmpty(annotations["iam.gke.io/gcp-service-account"]) {
            result.provider = .gcp
            result.cloudIdentity = gsa
            result.ttlSeconds = 3600
        } else {
            result.problem = Diagnosis(
                summary: "pod \(ns)/\(pod.metadata.name) uses no workload identity: its service account \(serviceAccount.metadata.name) has no azure.workload.identity/client-id, eks.amazonaws.com/role-arn or iam.gke.io/gcp-service-account annotation and the pod has no identity env",
                fix: "annotate the service account for your cloud (e.g. kubectl annotate serviceaccount \(serviceAccount.metadata.name) -n \(ns) azure.workload.identity/client-id=<client-id>) and label the pod template")
        }
        return result
    }

    static func ownerHint(_ pod: Pod) -> String {
        guard let owner = pod.metadata.ownerReferences?.first else { return "pod/\(pod.metadata.name)" }
        if owner.kind == "ReplicaSet", let dash = owner.name.lastIndex(of: "-") {
            return "deployment/\(owner.name[..<dash])"
        }
        return "\(owner.kind.lowercased())/\(owner.name)"
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let t = s?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
    return t
}
