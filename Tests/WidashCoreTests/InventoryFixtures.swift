import Foundation
@testable import WidashCore

/// Hand-built cluster objects for inventory tests.
enum Fx {
    static let now = Date(timeIntervalSince1970: 1_780_000_000) // 2026-05-28T20:26:40Z
    static let clientID = "11111111-2222-3333-4444-555555555555"
    static let tenantID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    static let roleARN = "arn:aws:iam::123456789012:role/shop-reader"

    static func sa(_ ns: String, _ name: String, _ annotations: [String: String] = [:]) -> ServiceAccount {
        ServiceAccount(metadata: ObjectMeta(name: name, namespace: ns, annotations: annotations.isEmpty ? nil : annotations))
    }

    static func azureSA(_ ns: String = "shop", _ name: String = "front", extra: [String: String] = [:]) -> ServiceAccount {
        sa(ns, name, [IdentityAnnotation.azureClientID: clientID, IdentityAnnotation.azureTenantID: tenantID].merging(extra) { $1 })
    }

    /// The env and volume the Azure webhook (v1.6+) injects.
    static func azureInjected(tokenDir: String = "/var/run/secrets/azure/tokens", file: String = "azure-identity-token",
                              ttl: Int? = 3600) -> (env: [EnvVar], mounts: [VolumeMount], volumes: [Volume]) {
        (env: [EnvVar(name: "AZURE_CLIENT_ID", value: clientID), EnvVar(name: "AZURE_TENANT_ID", value: tenantID),
               EnvVar(name: "AZURE_FEDERATED_TOKEN_FILE", value: "\(tokenDir)/\(file)"),
               EnvVar(name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/")],
         mounts: [VolumeMount(name: "azure-identity-token", mountPath: tokenDir, readOnly: true)],
         volumes: [Volume(name: "azure-identity-token", projected: ProjectedVolumeSource(sources: [
            VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "api://AzureADTokenExchange",
                                                                                 expirationSeconds: ttl, path: file))]))])
    }

    static func irsaInjected(ttl: Int = 86400) -> (env: [EnvVar], mounts: [VolumeMount], volumes: [Volume]) {
        (env: [EnvVar(name: "AWS_ROLE_ARN", value: roleARN), EnvVar(name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional"),
               EnvVar(name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")],
         mounts: [VolumeMount(name: "aws-iam-token", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount", readOnly: true)],
         volumes: [Volume(name: "aws-iam-token", projected: ProjectedVolumeSource(sources: [
            VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "sts.amazonaws.com",
                                                                                 expirationSeconds: ttl, path: "token"))]))])
    }

    static func podIdentityInjected() -> (env: [EnvVar], mounts: [VolumeMount], volumes: [Volume]) {
        (env: [EnvVar(name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials"),
               EnvVar(name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                      value: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")],
         mounts: [VolumeMount(name: "eks-pod-identity-token", mountPath: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount")],
         volumes: [Volume(name: "eks-pod-identity-token", projected: ProjectedVolumeSource(sources: [
            VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "pods.eks.amazonaws.com",
                                                                                 expirationSeconds: 86400, path: "eks-pod-identity-token"))]))])
    }

    static func pod(_ ns: String = "shop", _ name: String, sa: String? = "front", labels: [String: String] = [:],
                    injected: (env: [EnvVar], mounts: [VolumeMount], volumes: [Volume])? = nil,
                    created: String = "2026-05-28T18:00:00Z", started: String? = "2026-05-28T18:00:05Z",
                    owner: OwnerReference? = OwnerReference(kind: "ReplicaSet", name: "front-7d9c5b")) -> Pod {
        Pod(metadata: ObjectMeta(name: name, namespace: ns, creationTimestamp: created, labels: labels.isEmpty ? nil : labels,
                                 ownerReferences: owner.map { [$0] }),
            spec: PodSpec(serviceAccountName: sa, containers: [
                Container(name: "app", image: "shop/front:1", env: injected?.env, volumeMounts: injected?.mounts),
                // The webhooks mutate every container not named in their skip-containers annotation
                // (azure-workload-identity `webhook.go` mutateContainers, amazon-eks-pod-identity-webhook
                // `handler.go` getPodSpecPatch): the sidecar gets the same env and mount.
                Container(name: "sidecar", image: "envoy:1", env: injected?.env, volumeMounts: injected?.mounts),
            ], volumes: injected?.volumes),
            status: PodStatus(phase: "Running", startTime: started, containerStatuses: [
                ContainerStatus(name: "app", ready: true), ContainerStatus(name: "sidecar", ready: false),
            ]))
    }

    static let useLabel = [IdentityAnnotation.azureUseLabel: "true"]

    static func webhook(_ name: String, webhook: String, created: String = "2026-05-01T00:00:00Z",
                        failurePolicy: String = "Fail") -> MutatingWebhookConfiguration {
        MutatingWebhookConfiguration(metadata: ObjectMeta(name: name, creationTimestamp: created),
                                     webhooks: [MutatingWebhook(name: webhook, failurePolicy: failurePolicy)])
    }

    static let azureWebhook = webhook("azure-wi-webhook-mutating-webhook-configuration", webhook: "mutation.azure-workload-identity.io")
    static let awsWebhook = webhook("pod-identity-webhook", webhook: "iam-for-pods.amazonaws.com")
    static let otherWebhook = webhook("cert-manager-webhook", webhook: "webhook.cert-manager.io")

    static func build(_ snapshot: ClusterSnapshot) -> Inventory { InventoryBuilder.build(snapshot: snapshot, now: now) }
}

extension Inventory {
    func entry(_ key: String) -> IdentityEntry? { identities.first { $0.key == key } }
    var allFindings: [Finding] { clusterFindings + identities.flatMap(\.findings) }
    func findings(_ code: FindingCode) -> [Finding] { allFindings.filter { $0.code == code.rawValue } }
}
