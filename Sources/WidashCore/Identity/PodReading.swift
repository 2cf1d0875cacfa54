import Foundation

/// What one pod will present to its cloud and which credential its SDK will really use: the one
/// reading that the inventory, the trace, the trust audit and both front ends share (`PodReader`).
public struct PodReading: Sendable, Hashable {
    public var namespace: String
    public var podName: String
    public var podUID: String?
    public var serviceAccount: String
    /// The federation the pod's SDK will use; nil when it uses none.
    public var provider: Provider?
    /// Azure client id, IAM role ARN or Google service account (or, for GKE direct access, the
    /// Kubernetes service account's principal); nil when none can be found.
    public var cloudIdentity: String?
    /// Where `cloudIdentity` comes from, e.g. `annotation azure.workload.identity/client-id` or
    /// `env AZURE_CLIENT_ID of container app`.
    public var cloudIdentitySource: String?
    public var tenantID: String?
    /// Literal env values of the container whose credential counts (region, authority host, STS
    /// endpoints, the app's resource URLs), without secret-named ones. Empty when read for the
    /// inventory (`PodReader.read(…, environment: false)`): only the trace needs it.
    public var environment: [String: String]
    /// Identity env var names present in any container, in a fixed order.
    public var envNames: [String]
    /// The token file the SDK reads, and the projected token behind it.
    public var tokenPath: String?
    public var tokenVolume: String?
    public var projection: ServiceAccountTokenProjection?
    /// The audience the pod's token is (or, not injected yet, would be) minted for.
    public var audience: String
    /// The projected token's lifetime, as the webhook sets it.
    public var ttlSeconds: Int
    /// True when every container the webhook mutates has the provider's env and the token file is
    /// mounted (always true for GKE, which injects nothing).
    public var injected: Bool
    /// The provider's env missing from a container the webhook should have mutated.
    public var missingEnv: [String]
    public var useLabel: String?
    /// An AKS identity-binding pod: its token goes through the cluster's token proxy, with its own audience.
    public var identityBinding: Bool
    /// On a GKE cluster, a pod without a declared identity can still use its Kubernetes service
    /// account directly as an IAM principal (GKE "direct resource access"); nothing in the cluster
    /// says whether it does, so the inventory does not claim it and only a trace tries it.
    public var gkeDirectPrincipal: String?
    /// Why a token exchange cannot even start (step 1 fails with it); nil when the pod is ready.
    public var problem: Diagnosis?
    /// What the inventory reports about the pod (static credentials that shadow federation, env
    /// left unused, a pod the webhook never saw, …).
    public var findings: [Finding]

    public var key: String { "\(namespace)/\(podName)" }
}

/// Cluster-wide facts a pod's reading depends on.
public struct ClusterFacts: Sendable, Hashable {
    public var issuer: String?
    public var webhooks: [WebhookSummary]
    /// Creation times of the webhook configurations, by name.
    public var webhookCreated: [String: Date]
    /// True when the webhook list can be trusted to say what is (not) installed.
    public var webhooksKnown: Bool
    /// Labels of the namespaces that were read (for AKS's excluded namespaces).
    public var namespaceLabels: [String: [String: String]]
    /// The GKE workload pool, from the issuer or configuration.
    public var gkeWorkloadPool: String?

    public init(issuer: String? = nil, webhooks: [WebhookSummary] = [], webhookCreated: [String: Date] = [:],
                webhooksKnown: Bool = false, namespaceLabels: [String: [String: String]] = [:], gkeWorkloadPool: String? = nil) {
        self.issuer = issuer
        self.webhooks = webhooks
        self.webhookCreated = webhookCreated
        self.webhooksKnown = webhooksKnown
        self.namespaceLabels = namespaceLabels
        self.gkeWorkloadPool = gkeWorkloadPool
    }

    /// The facts of a snapshot (the GKE pool from the issuer unless `gkeWorkloadPool` is given).
    public init(snapshot: ClusterSnapshot, gkeWorkloadPool: String? = nil) {
        let summaries = WebhookDetector.summaries(snapshot.webhooks)
        var created: [String: Date] = [:]
        for config in snapshot.webhooks {
            if let date = TokenClock.parseTimestamp(config.metadata.creationTimestamp) { created[config.metadata.name] = date }
        }
        var labels: [String: [String: String]] = [:]
        for namespace in snapshot.namespaces { labels[namespace.metadata.name] = namespace.metadata.labels ?? [:] }
        self.init(issuer: snapshot.issuer, webhooks: summaries, webhookCreated: created, webhooksKnown: snapshot.webhooksKnown,
                  namespaceLabels: labels,
                  gkeWorkloadPool: gkeWorkloadPool ?? snapshot.issuer.flatMap(GKEWorkloadIdentity.workloadPool(issuer:)))
    }

    /// True when the issuer is an AKS OIDC issuer (`https://REGION.oic.prod-aks.azure.com/TENANT/GUID/`).
    public var isAKS: Bool { issuer.flatMap { URLComponents(string: $0)?.host }?.hasSuffix(".oic.prod-aks.azure.com") == true }

    /// True when the issuer is a GKE cluster's (`https://container.googleapis.com/v1/projects/…`).
    public var isGKE: Bool { issuer.flatMap(GKEWorkloadIdentity.workloadPool(issuer:)) != nil }
}
