import Foundation

/// Recognises the workload identity webhooks among mutating webhook configurations.
public enum WebhookDetector {
    /// `azure` or `aws` for a configuration of a known identity webhook; nil otherwise.
    public static func kind(of config: MutatingWebhookConfiguration) -> String? {
        let names = [config.metadata.name] + (config.webhooks ?? []).map(\.name)
        // Azure: configuration `azure-wi-webhook-mutating-webhook-configuration`, webhook
        // `mutation.azure-workload-identity.io`. AWS: `pod-identity-webhook` (webhook
        // `pod-identity-webhook.amazonaws.com` or `iam-for-pods.amazonaws.com`).
        if names.contains(where: { $0.contains("azure-workload-identity") || $0.hasPrefix("azure-wi-webhook") }) { return "azure" }
        if names.contains(where: { $0.contains("pod-identity-webhook") || $0.contains("iam-for-pods") }) { return "aws" }
        return nil
    }

    public static func summaries(_ configs: [MutatingWebhookConfiguration]) -> [WebhookSummary] {
        configs.compactMap { config in
            guard let kind = kind(of: config) else { return nil }
            return WebhookSummary(kind: kind, name: config.metadata.name, failurePolicy: config.webhooks?.first?.failurePolicy)
        }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }
}

/// A legacy aad-pod-identity binding that selects a pod, with the identity it names.
public struct LegacyPodIdentityMatch: Sendable, Hashable {
    public var binding: AzureIdentityBinding
    public var identity: AzureIdentity?
}

/// aad-pod-identity's selection: an AzureIdentityBinding selects pods whose `aadpodidbinding`
/// label equals its `selector`, and names an AzureIdentity (by name) in its own namespace.
public enum LegacyPodIdentity {
    /// The binding selecting `pod`; bindings in the pod's namespace are preferred (aad-pod-identity
    /// matches across namespaces unless it runs with `--forceNamespaced`).
    public static func match(_ pod: Pod, bindings: [AzureIdentityBinding], identities: [AzureIdentity]) -> LegacyPodIdentityMatch? {
        guard let label = pod.metadata.labels?[IdentityAnnotation.legacyBindingLabel], !label.isEmpty else { return nil }
        let selecting = bindings.filter { $0.spec.selector == label }
            .sorted { $0.metadata.key < $1.metadata.key }
        guard let binding = selecting.first(where: { $0.metadata.namespace == pod.metadata.namespace }) ?? selecting.first else {
            return nil
        }
        let named = identities.filter { $0.metadata.name == binding.spec.azureIdentity }
        let identity = named.first(where: { $0.metadata.namespace == binding.metadata.namespace }) ?? named.first
        return LegacyPodIdentityMatch(binding: binding, identity: identity)
    }
}

/// Commands a finding can suggest for a pod, derived from its owner.
enum WorkloadCommands {
    /// `deployment/NAME`, `statefulset/NAME`, … for a pod's controller; nil for a bare pod.
    static func workload(of pod: Pod) -> String? {
        guard let owner = pod.metadata.ownerReferences?.first else { return nil }
        switch owner.kind {
        case "ReplicaSet":
            // Deployment ReplicaSets are named `<deployment>-<pod-template-hash>`.
            if let dash = owner.name.lastIndex(of: "-") { return "deployment/\(owner.name[..<dash])" }
            return "replicaset/\(owner.name)"
        case "StatefulSet", "DaemonSet", "Job":
            return "\(owner.kind.lowercased())/\(owner.name)"
        default:
            return nil
        }
    }

    static func recreate(_ pod: Pod) -> String {
        let ns = pod.metadata.namespace ?? "default"
        if let workload = workload(of: pod), !workload.hasPrefix("job/") {
            return "kubectl -n \(ns) rollout restart \(workload)"
        }
        return "kubectl -n \(ns) delete pod \(pod.metadata.name) (then create it again from its manifest)"
    }

    static func addUseLabel(_ pod: Pod) -> String {
        let ns = pod.metadata.namespace ?? "default"
        if let workload = workload(of: pod), !workload.hasPrefix("job/"), !workload.hasPrefix("replicaset/") {
            return "kubectl -n \(ns) patch \(workload) --type merge -p "
                + "'{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"azure.workload.identity/use\":\"true\"}}}}}'"
        }
        return "add the label azure.workload.identity/use: \"true\" to the pod's manifest and recreate it "
            + "(kubectl -n \(ns) delete pod \(pod.metadata.name); kubectl apply -f <manifest>)"
    }
}
