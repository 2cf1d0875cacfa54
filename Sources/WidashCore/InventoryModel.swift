import Foundation

// The identity inventory: what `widash identities -o json` prints and the dashboard shows.
// JSON field names are a public contract (README "JSON fields"); change them only with care.

public enum Provider: String, Codable, Sendable, Hashable, CaseIterable {
    case azure = "azure"
    case awsIRSA = "aws-irsa"
    case awsPodIdentity = "aws-pod-identity"
    case gcp = "gcp"
    /// Legacy aad-pod-identity (AzureIdentity + AzureIdentityBinding).
    case azurePodIdentity = "azure-pod-identity"

    public var displayName: String {
        switch self {
        case .azure: return "Azure WI"
        case .awsIRSA: return "AWS IRSA"
        case .awsPodIdentity: return "EKS PodId"
        case .gcp: return "GKE WI"
        case .azurePodIdentity: return "aad-pod-id"
        }
    }
}

/// One federation of a service account to a cloud identity, as declared in the cluster.
public struct IdentityBinding: Codable, Sendable, Hashable {
    public var provider: Provider
    /// Azure client id, AWS role ARN, or GCP service account e-mail.
    public var cloudIdentity: String?
    /// Azure tenant id or AWS account id, when known.
    public var tenant: String?
    public var audience: String?
    public var tokenExpirationSeconds: Int?
    /// Where the binding was read from, e.g. `annotation azure.workload.identity/client-id`.
    public var source: String
    /// Further provider settings read with the binding (e.g. `sts-regional-endpoints`); nil when none.
    public var details: [String: String]?
    /// The cloud side, as the trust audit read it; nil when not audited (`--no-cloud`, legacy bindings).
    public var trust: TrustVerdict?

    /// The `details` key that marks an Azure binding used through an AKS identity binding (pods
    /// annotated `azure.workload.identity/use-identity-binding: "true"`): the token goes to the
    /// cluster's token proxy with its own audience, so the trust audit does not judge it.
    public static let aksIdentityBindingDetail = "aks-identity-binding"

    /// True for an Azure binding its pods use through an AKS identity binding.
    public var isAKSIdentityBinding: Bool { provider == .azure && details?[Self.aksIdentityBindingDetail] == "true" }

    public init(provider: Provider, cloudIdentity: String?, tenant: String? = nil, audience: String? = nil,
                tokenExpirationSeconds: Int? = nil, source: String, details: [String: String]? = nil, trust: TrustVerdict? = nil) {
        self.provider = provider
        self.cloudIdentity = cloudIdentity
        self.tenant = tenant
        self.audience = audience
        self.tokenExpirationSeconds = tokenExpirationSeconds
        self.source = source
        self.details = details
        self.trust = trust
    }
}

public enum Severity: String, Codable, Sendable, Hashable, Comparable {
    case info, warning, error
    private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Something wrong or worth knowing, with what to do about it.
public struct Finding: Codable, Sendable, Hashable {
    /// Stable machine-readable code, e.g. `missing-use-label`.
    public var code: String
    public var severity: Severity
    /// The object it is about: `namespace/name` of a service account or pod, or `cluster`.
    public var subject: String
    public var message: String
    public var fix: String

    public init(code: String, severity: Severity, subject: String, message: String, fix: String) {
        self.code = code
        self.severity = severity
        self.subject = subject
        self.message = message
        self.fix = fix
    }
}

/// Estimated life of a pod's projected token, from kubelet's rule: refresh when older than 80 % of
/// its TTL or 24 h, whichever comes first.
public struct TokenSchedule: Codable, Sendable, Hashable {
    public var ttlSeconds: Int
    public var issuedAt: Date
    public var refreshAt: Date
    public var expiresAt: Date
    public init(ttlSeconds: Int, issuedAt: Date, refreshAt: Date, expiresAt: Date) {
        self.ttlSeconds = ttlSeconds
        self.issuedAt = issuedAt
        self.refreshAt = refreshAt
        self.expiresAt = expiresAt
    }
}

/// A pod as seen through workload identity.
public struct PodIdentity: Codable, Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var serviceAccount: String
    public var provider: Provider?
    /// True when the webhook's env vars and projected token volume are present.
    public var injected: Bool
    /// Names of the identity env vars present (values are not secrets, but only names are listed).
    public var injectedEnv: [String]
    public var tokenPath: String?
    public var audience: String?
    public var tokenTTLSeconds: Int?
    public var startTime: Date?
    public var schedule: TokenSchedule?
    public var phase: String?
    public var readyContainers: Int
    public var totalContainers: Int
    /// The controller that recreates the pod, e.g. `deployment/frontend`; nil for a bare pod.
    public var workload: String?

    public init(namespace: String, name: String, serviceAccount: String, provider: Provider?, injected: Bool,
                injectedEnv: [String], tokenPath: String?, audience: String?, tokenTTLSeconds: Int?,
                startTime: Date?, schedule: TokenSchedule?, phase: String?, readyContainers: Int, totalContainers: Int,
                workload: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.serviceAccount = serviceAccount
        self.provider = provider
        self.injected = injected
        self.injectedEnv = injectedEnv
        self.tokenPath = tokenPath
        self.audience = audience
        self.tokenTTLSeconds = tokenTTLSeconds
        self.startTime = startTime
        self.schedule = schedule
        self.phase = phase
        self.readyContainers = readyContainers
        self.totalContainers = totalContainers
        self.workload = workload
    }

    /// How to recreate the pod so admission webhooks see it again.
    public var recreateCommand: String {
        if let workload, !workload.hasPrefix("job/") { return "kubectl -n \(namespace) rollout restart \(workload)" }
        return "kubectl -n \(namespace) delete pod \(name) (then create it again from its manifest)"
    }
}

public enum IdentityStatus: String, Codable, Sendable, Hashable {
    case ok, warning, error, none
}

/// One service account with its bindings, pods and findings.
public struct IdentityEntry: Codable, Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var annotations: [String: String]
    public var bindings: [IdentityBinding]
    public var pods: [PodIdentity]
    public var findings: [Finding]
    public var status: IdentityStatus

    public init(namespace: String, name: String, annotations: [String: String], bindings: [IdentityBinding],
                pods: [PodIdentity], findings: [Finding], status: IdentityStatus) {
        self.namespace = namespace
        self.name = name
        self.annotations = annotations
        self.bindings = bindings
        self.pods = pods
        self.findings = findings
        self.status = status
    }

    public var key: String { "\(namespace)/\(name)" }
}

public struct WebhookSummary: Codable, Sendable, Hashable {
    /// `azure` or `aws`.
    public var kind: String
    public var name: String
    public var failurePolicy: String?
    public init(kind: String, name: String, failurePolicy: String?) {
        self.kind = kind
        self.name = name
        self.failurePolicy = failurePolicy
    }
}

public struct Inventory: Codable, Sendable, Hashable {
    public var issuer: String?
    public var webhooks: [WebhookSummary]
    public var identities: [IdentityEntry]
    /// Findings about the cluster as a whole (issuer, webhooks, legacy components).
    public var clusterFindings: [Finding]

    public init(issuer: String?, webhooks: [WebhookSummary], identities: [IdentityEntry], clusterFindings: [Finding]) {
        self.issuer = issuer
        self.webhooks = webhooks
        self.identities = identities
        self.clusterFindings = clusterFindings
    }
}
