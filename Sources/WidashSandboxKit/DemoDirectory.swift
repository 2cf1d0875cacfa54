import Foundation

/// The fixed cloud-side facts of the `demo` scenario, shared by the sandbox's Kubernetes objects
/// (service-account annotations) and its Entra/ARM/Graph/AWS/GCP emulation, so both sides agree.
/// Ids are deterministic so that docs and tests can name them.
public enum DemoDirectory {
    public static let tenantID = "5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f"
    public static let subscriptionID = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    public static let resourceGroup = "rg-widash-demo"
    public static let tokenExchangeAudience = "api://AzureADTokenExchange"
    public static let awsAccountID = "111122223333"
    public static let awsRegion = "us-east-1"
    public static let gcpProject = "widash-demo"
    public static let gcpProjectNumber = "123456789012"

    /// How an Azure identity is registered in Entra.
    public enum AzureKind: String, Sendable { case application, userAssignedIdentity }

    /// A federated identity credential as configured in Entra. `issuer == nil` means "the cluster's
    /// issuer"; `issuerSuffix` is appended to it (the trailing-slash mistake).
    public struct FederatedCredential: Sendable {
        public var name: String
        public var issuerSuffix: String
        public var subject: String
        public var audience: String

        public init(name: String, issuerSuffix: String, subject: String, audience: String) {
            self.name = name
            self.issuerSuffix = issuerSuffix
            self.subject = subject
            self.audience = audience
        }
    }

    /// A role the identity holds on a resource: host plus the path prefix it may read.
    public struct ResourceGrant: Sendable {
        public var host: String
        public var pathPrefix: String

        public init(host: String, pathPrefix: String) {
            self.host = host
            self.pathPrefix = pathPrefix
        }
    }

    public struct AzureIdentitySpec: Sendable {
        public var namespace: String
        public var serviceAccount: String
        public var kind: AzureKind
        public var displayName: String
        public var clientID: String
        public var objectID: String
        public var credentials: [FederatedCredential]
        public var grants: [ResourceGrant]

        public init(namespace: String, serviceAccount: String, kind: AzureKind, displayName: String, clientID: String,
                    objectID: String, credentials: [FederatedCredential], grants: [ResourceGrant]) {
            self.namespace = namespace
            self.serviceAccount = serviceAccount
            self.kind = kind
            self.displayName = displayName
            self.clientID = clientID
            self.objectID = objectID
            self.credentials = credentials
            self.grants = grants
        }
    }

    static func sub(_ ns: String, _ sa: String) -> String { "system:serviceaccount:\(ns):\(sa)" }
    static let aud = tokenExchangeAudience

    /// Resource hosts of the demo (all routed to the sandbox by CONNECT_TO in `--demo`).
    public static let keyVaultHost = "shop-kv.vault.azure.net"
    public static let blobHost = "shopstorage.blob.core.windows.net"
    public static let cosmosHost = "shop-cosmos.documents.azure.com"
    public static let serviceBusHost = "shop-bus.servicebus.windows.net"
    public static let armHost = "management.azure.com"

    public static let azureIdentities: [AzureIdentitySpec] = [
        AzureIdentitySpec(namespace: "shop", serviceAccount: "frontend", kind: .application,
                          displayName: "shop-frontend", clientID: "a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51",
                          objectID: "0a1f3c6e-aaaa-4e5f-8a9b-0c1d2e3f4a51",
                          credentials: [.init(name: "aks-shop-frontend", issuerSuffix: "", subject: sub("shop", "frontend"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/"), .init(host: armHost, pathPrefix: "/subscriptions")]),
        AzureIdentitySpec(namespace: "shop", serviceAccount: "backend", kind: .userAssignedIdentity,
                          displayName: "id-shop-backend", clientID: "b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62",
                          objectID: "1b2e4d7f-bbbb-4f60-9bac-1d2e3f4a5b62",
                          credentials: [.init(name: "aks-shop-backend", issuerSuffix: "", subject: sub("shop", "backend"), audience: aud)],
                          grants: [.init(host: cosmosHost, pathPrefix: "/dbs"), .init(host: blobHost, pathPrefix: "/orders"),
                                   .init(host: serviceBusHost, pathPrefix: "/orders/"), .init(host: armHost, pathPrefix: "/subscriptions")]),
        // FIC subject has a typo: AADSTS700213.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "wrong-subject", kind: .userAssignedIdentity,
                          displayName: "id-wrong-subject", clientID: "c3f5e802-3f4d-4071-8cbd-2e3f4a5b6c73",
                          objectID: "2c3f5e80-cccc-4071-8cbd-2e3f4a5b6c73",
                          credentials: [.init(name: "aks-wrong-subject", issuerSuffix: "", subject: sub("broken", "wrongsubject"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // FIC issuer has a trailing slash the cluster's issuer lacks: AADSTS700211.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "wrong-issuer", kind: .userAssignedIdentity,
                          displayName: "id-wrong-issuer", clientID: "d4a6f913-4a5e-4182-9dce-3f4a5b6c7d84",
                          objectID: "3d4a6f91-dddd-4182-9dce-3f4a5b6c7d84",
                          credentials: [.init(name: "aks-wrong-issuer", issuerSuffix: "/", subject: sub("broken", "wrong-issuer"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // FIC audience is the China cloud's: AADSTS700212.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "wrong-audience", kind: .userAssignedIdentity,
                          displayName: "id-wrong-audience", clientID: "e5b7a024-5b6f-4293-8edf-4a5b6c7d8e95",
                          objectID: "4e5b7a02-eeee-4293-8edf-4a5b6c7d8e95",
                          credentials: [.init(name: "aks-wrong-audience", issuerSuffix: "", subject: sub("broken", "wrong-audience"), audience: "api://AzureADTokenExchangeChina")],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // Correct identity, but the pod is not labelled azure.workload.identity/use, so not mutated.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "no-label", kind: .userAssignedIdentity,
                          displayName: "id-no-label", clientID: "f6c8b135-6c70-43a4-9f01-5b6c7d8e9fa6",
                          objectID: "5f6c8b13-ffff-43a4-9f01-5b6c7d8e9fa6",
                          credentials: [.init(name: "aks-no-label", issuerSuffix: "", subject: sub("broken", "no-label"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // Exchange works; no grant on Key Vault: 403 at step 5.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "no-role", kind: .userAssignedIdentity,
                          displayName: "id-no-role", clientID: "07d9c246-7d81-44b5-a012-6c7d8e9fa0b7",
                          objectID: "607d9c24-0000-44b5-a012-6c7d8e9fa0b7",
                          credentials: [.init(name: "aks-no-role", issuerSuffix: "", subject: sub("broken", "no-role"), audience: aud)],
                          grants: []),
        // The token presented has expired: AADSTS700024.
        AzureIdentitySpec(namespace: "broken", serviceAccount: "stale-token", kind: .userAssignedIdentity,
                          displayName: "id-stale-token", clientID: "18eac357-8e92-45c6-b123-7d8e9fa0b1c8",
                          objectID: "718eac35-1111-45c6-b123-7d8e9fa0b1c8",
                          credentials: [.init(name: "aks-stale-token", issuerSuffix: "", subject: sub("broken", "stale-token"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // The container sets AZURE_CLIENT_ID itself; the service account has no client-id annotation
        // (the webhook adds only unset variables: azure-workload-identity webhook.go addEnvironmentVariables).
        AzureIdentitySpec(namespace: "shop", serviceAccount: "checkout", kind: .userAssignedIdentity,
                          displayName: "id-shop-checkout", clientID: "3c5e7a91-4b2d-4e6f-8a1c-9d0e1f2a3b4c",
                          objectID: "93c5e7a9-3333-4e6f-8a1c-9d0e1f2a3b4c",
                          credentials: [.init(name: "aks-shop-checkout", issuerSuffix: "", subject: sub("shop", "checkout"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // Trust is fine, but the container also has AZURE_CLIENT_SECRET: DefaultAzureCredential's
        // EnvironmentCredential comes first (azure-identity `_credentials/default.py`).
        AzureIdentitySpec(namespace: "broken", serviceAccount: "static-secret", kind: .userAssignedIdentity,
                          displayName: "id-static-secret", clientID: "4d6f8b02-5c3e-4f70-9b2d-0e1f2a3b4c5d",
                          objectID: "a4d6f8b0-4444-4f70-9b2d-0e1f2a3b4c5d",
                          credentials: [.init(name: "aks-static-secret", issuerSuffix: "", subject: sub("broken", "static-secret"), audience: aud)],
                          grants: [.init(host: keyVaultHost, pathPrefix: "/secrets/")]),
        // Labelled and annotated, but in kube-system: AKS's admissions enforcer keeps the webhook away.
        AzureIdentitySpec(namespace: "kube-system", serviceAccount: "node-reporter", kind: .userAssignedIdentity,
                          displayName: "id-node-reporter", clientID: "5e7a9c13-6d4f-4081-8c3e-1f2a3b4c5d6e",
                          objectID: "b5e7a9c1-5555-4081-8c3e-1f2a3b4c5d6e",
                          credentials: [.init(name: "aks-node-reporter", issuerSuffix: "", subject: sub("kube-system", "node-reporter"), audience: aud)],
                          grants: [.init(host: armHost, pathPrefix: "/subscriptions")]),
        // Legacy aad-pod-identity (no federation; shown as legacy in the inventory).
        AzureIdentitySpec(namespace: "legacy", serviceAccount: "default", kind: .userAssignedIdentity,
                          displayName: "id-legacy-app", clientID: "29fbd468-9fa3-46d7-8234-8e9fa0b1c2d9",
                          objectID: "829fbd46-2222-46d7-8234-8e9fa0b1c2d9",
                          credentials: [], grants: []),
    ]

    public static func azureIdentity(namespace: String, serviceAccount: String) -> AzureIdentitySpec? {
        azureIdentities.first { $0.namespace == namespace && $0.serviceAccount == serviceAccount }
    }

    public static func azureIdentity(clientID: String) -> AzureIdentitySpec? {
        azureIdentities.first { $0.clientID.lowercased() == clientID.lowercased() }
    }

    // The operator: a service principal for the person running widash, so that a trace can read
    // federated identity credentials through Graph and ARM as azure-identity's service-principal
    // environment variables (AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET) would.
    // Demo-only values of the sandbox: the secret opens nothing outside the embedded emulator, which
    // accepts it for this app only and lets its tokens read FICs (Graph) and identities (ARM, demo subscription).

    /// Client (application) id of the demo operator's app registration.
    public static let operatorClientID = "3a0c5e7b-9d1f-4e2a-8b6c-0d9e8f7a6b5c"
    /// Object id of the operator's service principal (the `oid` of its access tokens).
    public static let operatorObjectID = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    /// The operator's client secret. Demo-only, not a secret: the sandbox publishes it for `--demo`.
    public static let operatorClientSecret = "widash-demo-operator-secret"
    public static let operatorDisplayName = "widash-operator"

    // The limited operator: a second app registration that authenticates like the operator (client
    // secret) but holds less, so that widash can show a verdict as unknown with the permission that is
    // missing. ARM: a custom role at the demo subscription with `Microsoft.Resources/subscriptions/read`,
    // `Microsoft.ManagedIdentity/userAssignedIdentities/read` and `Microsoft.Authorization/roleDefinitions/read`
    // (so not federatedIdentityCredentials/read nor roleAssignments/read); Graph: no directory read
    // permission. Demo-only values, published like the operator's.

    /// Client (application) id of the limited operator's app registration.
    public static let limitedOperatorClientID = "6c2e8a4b-1f3d-4b5e-9a7c-2d1e0f9a8b7d"
    /// Object id of the limited operator's service principal (the `oid` of its access tokens).
    public static let limitedOperatorObjectID = "7d3f9b5c-2a4e-4c6f-8b8d-3e2f1a0b9c8e"
    /// The limited operator's client secret. Demo-only, not a secret.
    public static let limitedOperatorClientSecret = "widash-demo-limited-operator-secret"
    public static let limitedOperatorDisplayName = "widash-limited-operator"

    // AWS (issue 4): roles and their trust policies' subjects.
    public static let irsaOKRoleARN = "arn:aws:iam::111122223333:role/irsa-ok"
    /// Trust policy's `:sub` condition names another service account: AccessDenied.
    public static let irsaBadTrustRoleARN = "arn:aws:iam::111122223333:role/irsa-bad-trust"
    public static let irsaBadTrustPolicySubject = "system:serviceaccount:aws:irsa-bad-trust-old"
    public static let podIdentityRoleARN = "arn:aws:iam::111122223333:role/podid-ok"
    /// aws/podid-with-role: the service account still names an IRSA role, an association exists, so
    /// the webhook injects Pod Identity only (amazon-eks-pod-identity-webhook handler.go:441-461).
    public static let podIdentityWithRoleARN = "arn:aws:iam::111122223333:role/podid-with-role"
    public static let podIdentityWithRoleOldIRSARoleARN = "arn:aws:iam::111122223333:role/podid-with-role-irsa-old"
    /// aws/both-creds: IRSA env and Pod Identity env both (the SDK uses web identity first).
    public static let bothCredsRoleARN = "arn:aws:iam::111122223333:role/both-creds"
    /// aws/static-keys: IRSA, but AWS_ACCESS_KEY_ID comes first in the SDK chain.
    public static let staticKeysRoleARN = "arn:aws:iam::111122223333:role/static-keys"
    public static let eksClusterName = "widash-demo"

    // GCP (issue 4).
    public static let gkeServiceAccount = "gke-ok@widash-demo.iam.gserviceaccount.com"
    public static let gcpWorkloadPool = "widash-demo.svc.id.goog"

    // Google operators: OAuth access tokens as `gcloud auth print-access-token` would give them (the
    // Terraform Google provider reads one from GOOGLE_OAUTH_ACCESS_TOKEN). The full operator may read
    // service accounts' IAM policies (`iam.serviceAccounts.getIamPolicy`, as roles/iam.securityReviewer
    // grants); the limited one is authenticated but may not. Demo-only opaque values, accepted only by
    // the embedded emulator.

    /// The full Google operator's access token.
    public static let gcpOperatorAccessToken = "ya29.a0widash-demo-operator-access-token-0000000000"
    /// The limited Google operator's access token.
    public static let gcpLimitedOperatorAccessToken = "ya29.a0widash-demo-limited-operator-token-000000"
    /// Who the two tokens belong to (IAM principals).
    public static let gcpOperatorPrincipal = "serviceAccount:widash-operator@widash-demo.iam.gserviceaccount.com"
    public static let gcpLimitedOperatorPrincipal = "serviceAccount:widash-limited@widash-demo.iam.gserviceaccount.com"
}
