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

    /// The containers the webhook leaves alone, as `pkg/webhook/webhook.go` `getSkipContainers`
    /// reads them (azure-workload-identity @04d01a2): the *pod's* annotation only (never the
    /// service account's), `strings.Split(value, ";")`, each name `strings.TrimSpace`d. Every other
    /// container, init containers included (`Handle` calls `mutateContainers` on both lists, and
    /// the webhook is reinvoked `IfNeeded`, so sidecars added by later webhooks are mutated too),
    /// gets the env and the token mount.
    public static func skippedContainers(podAnnotations: [String: String]) -> Set<String> {
        guard let value = podAnnotations[skipContainersAnnotation], !value.isEmpty else { return [] }
        return Set(value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }
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
    /// This says only which namespaces the enforcer excludes; it exists on AKS only, so ask
    /// `excludedByAKS` whether it applies to a cluster.
    public static func isAKSExcluded(namespace: String, labels: [String: String]) -> Bool {
        namespace == "kube-system" || labels["control-plane"] != nil || labels[aksManagedByLabel] == "aks"
    }

    /// The label AKS puts on the namespaces it manages (kube-system among them).
    public static let aksManagedByLabel = "kubernetes.azure.com/managedby"

    /// True when AKS's admissions enforcer keeps the webhooks out of `namespace`: the cluster is AKS
    /// (its issuer is an AKS OIDC issuer, or the namespace carries AKS's `managedby: aks` label)
    /// and the namespace is one the enforcer excludes. On any other cluster (EKS, GKE, kind, a
    /// self-managed one) nothing keeps a webhook out of kube-system.
    public static func excludedByAKS(namespace: String, cluster: ClusterFacts) -> Bool {
        let labels = cluster.namespaceLabels[namespace] ?? [:]
        guard cluster.isAKS || labels[aksManagedByLabel] == "aks" else { return false }
        return isAKSExcluded(namespace: namespace, labels: labels)
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

    /// The containers the webhook leaves alone, as `pkg/handler/handler.go` `getContainersToSkip`
    /// reads them (@3bf80a3): the *pod's* annotation only, one record of Go's `encoding/csv`
    /// (`csv.NewReader(…).Read()`, default settings: `,` separated, `"…"` quoting with `""` for a
    /// quote, no `TrimLeadingSpace`, so `"a, b"` skips `a` and ` b`); a record that does not parse
    /// (a bare `"` in an unquoted field, an unterminated quote) or an empty value skips nothing.
    /// `getPodSpecPatch` then skips the named init containers and containers alike.
    public static func skippedContainers(podAnnotations: [String: String]) -> Set<String> {
        guard let value = podAnnotations[skipContainersAnnotation] else { return [] }
        return Set(firstCSVRecord(value) ?? [])
    }

    /// The first record of `text` as Go's `csv.Reader.Read` returns it with default settings; nil
    /// where it returns an error (including io.EOF for nothing but empty lines).
    static func firstCSVRecord(_ text: String) -> [String]? {
        var chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        // Empty lines are skipped before the record.
        while chars.first == "\n" { chars.removeFirst() }
        guard !chars.isEmpty else { return nil }
        var fields: [String] = []
        var i = 0
        while true {
            var field = ""
            if i < chars.count, chars[i] == "\"" {
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\"" {
                        if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    field.append(chars[i])
                    i += 1
                }
                guard closed else { return nil }  // extraneous or missing " in quoted-field
                guard i == chars.count || chars[i] == "," || chars[i] == "\n" else { return nil }
            } else {
                while i < chars.count, chars[i] != ",", chars[i] != "\n" {
                    if chars[i] == "\"" { return nil }  // bare " in non-quoted-field
                    field.append(chars[i])
                    i += 1
                }
            }
            fields.append(field)
            if i < chars.count, chars[i] == "," { i += 1; continue }
            return fields
        }
    }
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
