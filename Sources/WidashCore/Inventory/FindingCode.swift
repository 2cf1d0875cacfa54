import Foundation

/// The stable codes of inventory findings (`Finding.code`). Scripts match on them: never rename one.
public enum FindingCode: String, Sendable, CaseIterable {
    /// A pod uses a service account with an Azure client id but lacks `azure.workload.identity/use: "true"`.
    case missingUseLabel = "missing-use-label"
    /// A pod labelled for Azure workload identity uses a service account without a client id.
    case missingClientID = "missing-client-id"
    /// `azure.workload.identity/service-account-token-expiration` is not a number in 3600–86400.
    case azureTokenExpirationOutOfRange = "token-expiration-out-of-range"
    /// A pod of an annotated service account has no injected identity env / token.
    case notInjected = "not-injected"
    /// An identity env var names a token file that no projected token volume provides.
    case tokenVolumeMissing = "token-volume-missing"
    /// Legacy aad-pod-identity still selects a pod.
    case legacyPodIdentity = "legacy-pod-identity"
    /// The service-account issuer is not an HTTPS URL.
    case issuerNotHTTPS = "issuer-not-https"
    /// The issuer's discovery document or JWKS could not be fetched.
    case issuerDiscoveryUnreachable = "issuer-discovery-unreachable"
    /// Azure-annotated service accounts exist but no Azure workload identity webhook is installed.
    case azureWebhookMissing = "azure-webhook-missing"
    /// `eks.amazonaws.com/role-arn` is not an IAM role ARN.
    case invalidRoleARN = "invalid-role-arn"
    /// A pod names a service account that does not exist.
    case serviceAccountMissing = "service-account-missing"
    /// A container sets static cloud credentials (AZURE_CLIENT_SECRET, AWS_ACCESS_KEY_ID, …) that the
    /// SDK's default chain tries before the federated token.
    case staticCredentialsShadowFederation = "static-credentials-shadow-federation"
    /// A pod carries the env of two federations; the SDK uses one, the other is dead weight.
    case unusedCredentialEnv = "unused-credential-env"
    /// The AWS webhook gave EKS Pod Identity precedence over the service account's role ARN.
    case podIdentityPrecedence = "pod-identity-precedence"
    /// A container's own AZURE_CLIENT_ID differs from the service account's client-id annotation.
    case clientIDOverridden = "client-id-overridden"
    /// A cluster-scoped or optional read was refused or not found: what could not be read and the
    /// permission that would allow it.
    case notReadable = "not-readable"
    /// The trust audit read the cloud side and it does not accept what the cluster presents.
    case trustMismatch = "trust-mismatch"
    /// The trust audit could not read the cloud side (no operator credentials, a permission missing).
    case trustUnknown = "trust-unknown"
    /// Something about the cloud side worth knowing even when it trusts the binding (the
    /// 20-credential limit, a duplicate credential, an expression widash cannot evaluate).
    case trustWarning = "trust-warning"
    /// The identity has no role assignment: the exchange works, every resource call is refused.
    case noRoleAssignment = "no-role-assignment"
    /// An EKS Pod Identity association exists, but the pods started before it and lack its env.
    case podStartedBeforeAssociation = "pod-started-before-association"
}

extension Finding {
    init(_ code: FindingCode, _ severity: Severity, subject: String, message: String, fix: String) {
        self.init(code: code.rawValue, severity: severity, subject: subject, message: message, fix: fix)
    }
}
