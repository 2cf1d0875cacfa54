import Foundation

/// What the cluster presents to a cloud for one binding: the issuer (from discovery), the subject
/// `system:serviceaccount:NS:SA` and the audience (the binding's, else the provider's default). The
/// trust audit compares this with the cloud's configuration; the key of its verdicts.
public struct TrustSubject: Sendable, Hashable, CustomStringConvertible {
    public var provider: Provider
    /// Azure client id, IRSA role ARN or Google service account; nil for EKS Pod Identity, whose
    /// role is decided by the association in the EKS API, not by the cluster.
    public var cloudIdentity: String?
    /// Azure tenant id, when known.
    public var tenant: String?
    public var namespace: String
    public var serviceAccount: String
    /// The cluster's issuer from discovery; nil when it could not be read.
    public var issuer: String?
    public var audience: String
    /// An Azure binding used through an AKS identity binding: the pods' token goes to the
    /// cluster's token proxy (`AZURE_KUBERNETES_TOKEN_PROXY`), which exchanges it under AKS's
    /// identity binding, not under a federated credential matching this issuer/subject/audience;
    /// the audit does not judge it (`TrustVerdict.aksIdentityBinding`).
    public var identityBinding: Bool

    public init(provider: Provider, cloudIdentity: String?, tenant: String? = nil, namespace: String, serviceAccount: String,
                issuer: String?, audience: String, identityBinding: Bool = false) {
        self.identityBinding = identityBinding
        self.provider = provider
        self.cloudIdentity = cloudIdentity
        self.tenant = tenant
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        self.issuer = issuer
        self.audience = audience
    }

    /// `system:serviceaccount:NS:SA`, the `sub` of every service-account token.
    public var subject: String { "system:serviceaccount:\(namespace):\(serviceAccount)" }
    public var entryKey: String { "\(namespace)/\(serviceAccount)" }
    public var description: String {
        "\(provider.rawValue) \(entryKey) → \(cloudIdentity ?? "(association)")\(identityBinding ? " (AKS identity binding)" : "")"
    }

    /// EKS Pod Identity tokens carry this audience (amazon-eks-pod-identity-webhook: `pods.eks.amazonaws.com`).
    public static let podIdentityAudience = "pods.eks.amazonaws.com"

    /// The subject of a binding; nil for a binding no cloud federates (legacy aad-pod-identity) or
    /// whose pool is unknown (GKE without a workload pool).
    public static func of(_ entry: IdentityEntry, _ binding: IdentityBinding, issuer: String?, workloadPool: String?) -> TrustSubject? {
        let audience: String
        switch binding.provider {
        case .azurePodIdentity: return nil
        case .azure:
            audience = binding.audience
                ?? (binding.isAKSIdentityBinding ? AzureWebhook.identityBindingAudience : BindingExtractor.azureDefaultAudience)
        case .awsIRSA: audience = binding.audience ?? BindingExtractor.awsDefaultAudience
        case .awsPodIdentity: audience = podIdentityAudience
        case .gcp:
            // GKE tokens name the cluster project's pool, whatever project the Google service account is in.
            guard let workloadPool else { return nil }
            audience = workloadPool
        }
        return TrustSubject(provider: binding.provider, cloudIdentity: binding.provider == .awsPodIdentity ? nil : binding.cloudIdentity,
                            tenant: binding.provider == .azure ? binding.tenant : nil,
                            namespace: entry.namespace, serviceAccount: entry.name, issuer: issuer, audience: audience,
                            identityBinding: binding.isAKSIdentityBinding)
    }

    /// Every subject of an inventory, in inventory order, without duplicates.
    public static func all(in inventory: Inventory, workloadPool: String?) -> [TrustSubject] {
        var seen = Set<TrustSubject>()
        var out: [TrustSubject] = []
        for entry in inventory.identities {
            for binding in entry.bindings {
                if let s = of(entry, binding, issuer: inventory.issuer, workloadPool: workloadPool), seen.insert(s).inserted { out.append(s) }
            }
        }
        return out
    }
}

/// An EKS Pod Identity association as the audit found it in the EKS API.
public struct PodIdentityAssociationFact: Codable, Sendable, Hashable {
    public var associationID: String
    public var roleARN: String?
    public var targetRoleARN: String?
    public init(associationID: String, roleARN: String?, targetRoleARN: String? = nil) {
        self.associationID = associationID
        self.roleARN = roleARN
        self.targetRoleARN = targetRoleARN
    }
}

/// What one audit produced: a verdict per subject, and what the EKS API holds for service accounts
/// whose pods may not show it (an association made after they started).
public struct TrustAuditResult: Sendable {
    public var verdicts: [TrustSubject: TrustVerdict]
    /// Pod Identity associations by `namespace/serviceAccount`.
    public var podIdentityAssociations: [String: PodIdentityAssociationFact]
    public init(verdicts: [TrustSubject: TrustVerdict] = [:], podIdentityAssociations: [String: PodIdentityAssociationFact] = [:]) {
        self.verdicts = verdicts
        self.podIdentityAssociations = podIdentityAssociations
    }
}
