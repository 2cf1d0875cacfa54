import Foundation

// What the real webhooks put into pods and what the real SDKs then use, written from upstream code
// (versions and files cited per rule). widash reads pods through these rules only; the sandbox's
// scenarios are written from the same upstream sources independently (WidashSandbox/Scenarios).

/// Azure Workload Identity's mutating webhook (Azure/azure-workload-identity v1.6.0,
/// `pkg/webhook/webhook.go` and `pkg/webhook/consts.go`).
public enum AzureWebhook {
    /// Pod label matched by the MutatingWebhookConfiguration's objectSelector
    /// (`charts/workload-identity-webhook/templates/…mutatingwebhookconfiguration.yaml`); pods
    /// without it never reach the webhook.
    public static let useLabel = "azure.workload.identity/use"
    public static let clientIDAnnotation = "azure.workload.identity/client-id"
    public static let tenantIDAnnotation = "azure.workload.identity/tenant-id"
    /// Pod annotation first, then the service account's (`getServiceAccountTokenExpiration`).
    public static let tokenExpirationAnnotation = "azure.workload.identity/service-account-token-expiration"
    /// Pod annotation, `;`-separated container names, each trimmed (`webhook.go` skipContainers).
    public static let skipContainersAnnotation = "azure.workload.identity/skip-containers"
    /// AKS identity bindings: the webhook's custom token endpoint, enabled by
    /// `azure.workload.identity/use-<suffix>` with AKS's suffix `identity-binding`
    /// (`webhook.go:97`, `scripts/ci-e2e.sh`): the token goes through the cluster's token proxy with
    /// its own audience.
    public static let identityBindingAnnotation = "azure.workload.identity/use-identity-binding"
    public static let identityBindingAudience = "api://AKSIdentityBinding"
    /// `DefaultAudience` (`consts.go`), used unless the webhook runs with `--audience`.
    public static let defaultAudience = "api://AzureADTokenExchange"
    /// `MinServiceAccountTokenExpiration`…`MaxServiceAccountTokenExpiration`; outside it the webhook
    /// rejects the pod (`admission.Errored(400)`), default 3600.
    public static let tokenExpirationRange = 3_600...86_400
    public static let defaultTokenExpiration = 3_600
    /// Env the webhook adds, each only when the container does not set it already (by name) and the
    /// value is not empty (`addEnvironmentVariables`).
    public static let env = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"]
    /// Added as well for custom-token-endpoint (identity binding) pods since v1.6.0.
    public static let tokenProxyEnv = ["AZURE_KUBERNETES_TOKEN_PROXY", "AZURE_KUBERNETES_SNI_NAME",
                                       "AZURE_KUBERNETES_CA_FILE", "AZURE_KUBERNETES_CA_DATA"]
    public static let tokenFileEnv = "AZURE_FEDERATED_TOKEN_FILE"
    /// v1.6.0: `azure-workload-identity-reserved-<sha256(pod name) hex, 30 chars>` mounted at
    /// `/var/run/secrets/azure/wi`, token `token/azure-identity-token`; up to v1.5:
    /// `azure-identity-token` at `/var/run/secrets/azure/tokens`, token `azure-identity-token`.
    public static let volumePrefix = "azure-workload-identity-reserved-"
    public static let legacyVolumeName = "azure-identity-token"
    /// AKS's admissions enforcer keeps admission webhooks away from `kube-system` and the
    /// namespaces it manages (azure-workload-identity `docs/book/src/known-issues.md`; AKS FAQ:
    /// namespaces labelled `control-plane` or `kubernetes.azure.com/managedby: aks`).
    public static func isAKSExcluded(namespace: String, labels: [String: String]) -> Bool {
        namespace == "kube-system" || labels["control-plane"] != nil || labels["kubernetes.azure.com/managedby"] == "aks"
    }
}

/// The Amazon EKS Pod Identity Webhook (aws/amazon-eks-pod-identity-webhook @3bf80a3, v0.6.17+,
/// `pkg/handler/handler.go`, `pkg/annotations`), which serves IRSA and EKS Pod Identity.
public enum AWSWebhook {
    public static let roleARNAnnotation = "eks.amazonaws.com/role-arn"
    /// Service account only, used verbatim for IRSA and ignored for Pod Identity (`cache.go`).
    public static let audienceAnnotation = "eks.amazonaws.com/audience"
    public static let stsRegionalEndpointsAnnotation = "eks.amazonaws.com/sts-regional-endpoints"
    /// Pod annotation, then the service account's, then the webhook flag (`handler.go:439`);
    /// a value that is not an integer is ignored (the next one applies), below 600 is raised to 600
    /// (`ValidateMinTokenExpiration`), there is no upper limit.
    public static let tokenExpirationAnnotation = "eks.amazonaws.com/token-expiration"
    public static let minimumTokenExpiration = 600
    public static let defaultTokenExpiration = 86_400
    /// Pod annotation, a comma-separated list parsed as one CSV record, names not trimmed; init
    /// containers are skipped too (`handler.go:154-169, 325-345`).
    public static let skipContainersAnnotation = "eks.amazonaws.com/skip-containers"
    public static let irsaAudience = "sts.amazonaws.com"
    public static let podIdentityAudience = "pods.eks.amazonaws.com"
    public static let irsaEnv = ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]
    public static let podIdentityEnv = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    /// The EKS Pod Identity agent (aws/eks-pod-identity-agent `configuration/config.go`): a DaemonSet
    /// in kube-system listening on 169.254.170.23 and fd00:ec2::23, path `/v1/credentials`.
    public static let podIdentityAgentDaemonSet = "eks-pod-identity-agent"
    public static let podIdentityAgentURI = "http://169.254.170.23/v1/credentials"

    /// The token lifetime the webhook gives a pod: pod annotation, else the service account's, else
    /// the default; non-integers skipped, raised to the minimum.
    public static func tokenExpiration(podAnnotations: [String: String], serviceAccountAnnotations: [String: String]) -> Int {
        for annotations in [podAnnotations, serviceAccountAnnotations] {
            if let raw = annotations[tokenExpirationAnnotation], let value = Int(raw) {
                return max(value, minimumTokenExpiration)
            }
        }
        return defaultTokenExpiration
    }
}

/// What the cloud SDKs' default credential chains try first, which decides the credential a pod
/// really uses when it has more than one.
public enum SDKCredentialChains {
    /// azure-identity 1.27.0 `DefaultAzureCredential` (`_credentials/default.py`): EnvironmentCredential
    /// first, which is active when these are set (`environment.py`, any value, even empty), then
    /// WorkloadIdentityCredential.
    public static let azureStaticCredentialEnv = ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_PASSWORD"]
    /// botocore `credentials.py` `create_credential_resolver`: env (AWS_ACCESS_KEY_ID +
    /// AWS_SECRET_ACCESS_KEY) first, assume-role-with-web-identity third, the container provider
    /// (AWS_CONTAINER_CREDENTIALS_FULL_URI) eleventh: the first that returns credentials wins.
    public static let awsStaticCredentialEnv = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
}

/// GKE Workload Identity Federation: nothing is injected into pods (the node's GKE metadata
/// server answers them); the service account's annotation names a Google service account, else the
/// Kubernetes service account is a principal of the cluster project's pool itself.
public enum GKEWorkloadIdentity {
    public static let serviceAccountAnnotation = "iam.gke.io/gcp-service-account"

    /// `PROJECT.svc.id.goog` of the cluster's project, from a GKE issuer
    /// `https://container.googleapis.com/v1/projects/PROJECT/locations/LOCATION/clusters/NAME`.
    public static func workloadPool(issuer: String) -> String? {
        guard let url = URLComponents(string: issuer), url.host == "container.googleapis.com" else { return nil }
        let parts = url.path.split(separator: "/")
        guard parts.count >= 3, parts[0] == "v1", parts[1] == "projects" else { return nil }
        return "\(parts[2]).svc.id.goog"
    }

    /// A Kubernetes service account as an IAM principal of the pool (direct resource access, no
    /// Google service account): `principal://iam.googleapis.com/projects/NUMBER/locations/global/
    /// workloadIdentityPools/POOL/subject/ns/NS/sa/KSA` (GKE's "Workload Identity Federation for
    /// GKE" concepts page). The project number is not in the issuer; unknown, it stays a placeholder.
    public static func principal(projectNumber: String?, pool: String, namespace: String, serviceAccount: String) -> String {
        "principal://iam.googleapis.com/projects/\(projectNumber ?? "PROJECT_NUMBER")/locations/global/workloadIdentityPools/\(pool)/subject/ns/\(namespace)/sa/\(serviceAccount)"
    }

    /// The IAM member granted `roles/iam.workloadIdentityUser` on a Google service account.
    public static func member(pool: String, namespace: String, serviceAccount: String) -> String {
        "serviceAccount:\(pool)[\(namespace)/\(serviceAccount)]"
    }
}
