import Crypto
import Foundation
import WidashSandboxKit

/// Which webhook mutated a pod, and with what (the pod looks exactly as that webhook leaves it).
enum PodIdentityInjection: Sendable {
    /// Nothing injected (no identity, a legacy aad-pod-identity pod, GKE, or an unlabelled pod).
    case none
    /// azure-workload-identity webhook; `clientID` nil when the SA has no client-id annotation.
    case azure(clientID: String?, tenantID: String, layout: AzureLayout = .v16)
    /// amazon-eks-pod-identity-webhook for IRSA.
    case irsa(roleARN: String, region: String)
    /// EKS Pod Identity (container credentials from the pod identity agent).
    case eksPodIdentity(region: String)
    /// Both AWS env sets: the IRSA injection plus container-credentials env a team added by hand
    /// (the webhook itself never injects both: handler.go's if/else-if).
    case irsaAndPodIdentity(roleARN: String, region: String)

    /// The azure-workload-identity webhook's two token layouts.
    enum AzureLayout: Sendable {
        /// v1.6.0 (`consts.go`): volume `azure-workload-identity-reserved-<30 hex of sha256(pod name)>`
        /// at /var/run/secrets/azure/wi, token `token/azure-identity-token`.
        case v16
        /// Up to v1.5.1: volume `azure-identity-token` at /var/run/secrets/azure/tokens (pods created
        /// before the webhook was upgraded keep it).
        case legacy
    }
}

/// Everything that distinguishes one pod from another; the rest is what every pod has.
struct PodBlueprint: Sendable {
    var namespace: String
    var name: String
    var serviceAccount: String
    var app: String
    var image: String
    var nodeName: String
    var nodeIP: String
    var podIP: String
    var labels: [String: String] = [:]
    var injection: PodIdentityInjection = .none
    /// The application's own env (before anything a webhook appends).
    var appEnv: [(String, String)] = []
    /// Env the application takes from secrets: (name, secret, key).
    var secretEnv: [(String, String, String)] = []
    /// Pod annotations (skip-containers, token expiration, identity binding …).
    var annotations: [String: String] = [:]
    /// The deployment's own tolerations, replacing the DefaultTolerationSeconds admission plugin's
    /// 300 s ones (nil: those).
    var tolerations: [Toleration]?
    /// Since when the node lifecycle controller has marked the pod not ready because its node went
    /// unreachable (nil: ready).
    var notReadySince: Date?
    /// Bumped when the pod is recreated (new uid) or its container restarts.
    var generation = 0
    var restartCount = 0
    var created: Date
}

/// Builds pods as the API server stores them after admission: the default service-account token
/// volume, the webhook's env vars and projected token volume, owner references and a Running status.
enum PodFactory {
    static let azureLegacyTokenDirectory = "/var/run/secrets/azure/tokens"
    static let azureTokenDirectory = "/var/run/secrets/azure/wi"
    static let irsaTokenDirectory = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
    static let podIdentityTokenDirectory = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"

    static func uid(of blueprint: PodBlueprint) -> String {
        Deterministic.uid("pod/\(blueprint.namespace)/\(blueprint.name)/\(blueprint.generation)")
    }

    static func make(_ blueprint: PodBlueprint) -> Pod {
        let uid = uid(of: blueprint)
        let created = Deterministic.timestamp(blueprint.created)
        let replicaSet = "\(blueprint.app)-\(Deterministic.hex("rs/\(blueprint.namespace)/\(blueprint.app)", count: 10))"
        var labels = ["app": blueprint.app, "pod-template-hash": String(replicaSet.suffix(10))]
        labels.merge(blueprint.labels) { $1 }

        let apiAccess = "kube-api-access-\(Deterministic.suffix("kaa/\(uid)"))"
        var env: [EnvVar] = [
            EnvVar(name: "POD_NAME", valueFrom: .init(fieldRef: .init(apiVersion: "v1", fieldPath: "metadata.name"))),
            EnvVar(name: "POD_NAMESPACE", valueFrom: .init(fieldRef: .init(apiVersion: "v1", fieldPath: "metadata.namespace"))),
            EnvVar(name: "LOG_LEVEL", value: "info"),
        ] + blueprint.appEnv.map { EnvVar(name: $0.0, value: $0.1) }
            + blueprint.secretEnv.map { EnvVar(name: $0.0, valueFrom: .init(secretKeyRef: .init(name: $0.1, key: $0.2))) }
        var mounts = [VolumeMount(name: apiAccess, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true)]
        var volumes = [defaultTokenVolume(apiAccess)]

        switch blueprint.injection {
        case .none:
            break
        case .azure(let clientID, let tenantID, let layout):
            // azure-workload-identity `addEnvironmentVariables` appends, in this order, each variable
            // the container does not set already (by name) and whose value is not empty.
            let (volume, directory, path): (String, String, String) = layout == .v16
                ? (azureVolumeName(blueprint), azureTokenDirectory, "token/azure-identity-token")
                : ("azure-identity-token", azureLegacyTokenDirectory, "azure-identity-token")
            for (name, value) in [("AZURE_CLIENT_ID", clientID ?? ""), ("AZURE_TENANT_ID", tenantID),
                                  ("AZURE_FEDERATED_TOKEN_FILE", directory + "/" + path),
                                  ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/")]
            where !value.isEmpty && !env.contains(where: { $0.name == name }) {
                env.append(EnvVar(name: name, value: value))
            }
            mounts.append(VolumeMount(name: volume, mountPath: directory, readOnly: true))
            volumes.append(tokenVolume(name: volume, audience: DemoDirectory.tokenExchangeAudience, seconds: 3600, path: path))
        case .irsa(let roleARN, let region):
            env += [
                EnvVar(name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional"),
                EnvVar(name: "AWS_DEFAULT_REGION", value: region),
                EnvVar(name: "AWS_REGION", value: region),
                EnvVar(name: "AWS_ROLE_ARN", value: roleARN),
                EnvVar(name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: irsaTokenDirectory + "/token"),
            ]
            mounts.append(VolumeMount(name: "aws-iam-token", mountPath: irsaTokenDirectory, readOnly: true))
            volumes.append(tokenVolume(name: "aws-iam-token", audience: "sts.amazonaws.com", seconds: 86400, path: "token"))
        case .irsaAndPodIdentity(let roleARN, let region):
            env += [
                EnvVar(name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional"),
                EnvVar(name: "AWS_DEFAULT_REGION", value: region),
                EnvVar(name: "AWS_REGION", value: region),
                EnvVar(name: "AWS_ROLE_ARN", value: roleARN),
                EnvVar(name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: irsaTokenDirectory + "/token"),
                EnvVar(name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials"),
                EnvVar(name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: podIdentityTokenDirectory + "/eks-pod-identity-token"),
            ]
            mounts.append(VolumeMount(name: "aws-iam-token", mountPath: irsaTokenDirectory, readOnly: true))
            mounts.append(VolumeMount(name: "eks-pod-identity-token", mountPath: podIdentityTokenDirectory, readOnly: true))
            volumes.append(tokenVolume(name: "aws-iam-token", audience: "sts.amazonaws.com", seconds: 86400, path: "token"))
            volumes.append(tokenVolume(name: "eks-pod-identity-token", audience: "pods.eks.amazonaws.com",
                                       seconds: 86400, path: "eks-pod-identity-token"))
        case .eksPodIdentity(let region):
            env += [
                EnvVar(name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional"),
                EnvVar(name: "AWS_DEFAULT_REGION", value: region),
                EnvVar(name: "AWS_REGION", value: region),
                EnvVar(name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials"),
                EnvVar(name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                       value: podIdentityTokenDirectory + "/eks-pod-identity-token"),
            ]
            mounts.append(VolumeMount(name: "eks-pod-identity-token", mountPath: podIdentityTokenDirectory, readOnly: true))
            volumes.append(tokenVolume(name: "eks-pod-identity-token", audience: "pods.eks.amazonaws.com",
                                       seconds: 86400, path: "eks-pod-identity-token"))
        }

        let container = Container(
            name: blueprint.app, image: blueprint.image, args: ["--listen=:8080"],
            ports: [ContainerPort(name: "http", containerPort: 8080, protocol: "TCP")],
            env: env,
            resources: ResourceRequirements(limits: ["cpu": "500m", "memory": "256Mi"],
                                            requests: ["cpu": "100m", "memory": "128Mi"]),
            volumeMounts: mounts,
            readinessProbe: Probe(httpGet: .init(path: "/healthz", port: 8080, scheme: "HTTP"), initialDelaySeconds: 2,
                                  periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3))

        let started = Deterministic.timestamp(blueprint.created.addingTimeInterval(4))
        let containerID = "containerd://" + Deterministic.hex("ctr/\(uid)/\(blueprint.restartCount)")
        var lastState = ContainerStatus.State()
        if blueprint.restartCount > 0 {
            lastState.terminated = .init(exitCode: 137, reason: "OOMKilled", startedAt: started, finishedAt: started,
                                         containerID: "containerd://" + Deterministic.hex("ctr/\(uid)/\(blueprint.restartCount - 1)"))
        }
        let runningSince = blueprint.restartCount > 0 ? Deterministic.timestamp(Date()) : started
        let imageID = imageReference(blueprint.image) + "@sha256:" + Deterministic.hex("img/\(blueprint.image)")
        let status = PodStatus(
            phase: "Running",
            conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map {
                // MarkPodsNotReady (kubernetes/kubernetes pkg/controller/util/node/controller_utils.go),
                // run by the node lifecycle controller when the node's Ready turns Unknown, sets the
                // pod's Ready condition to False and nothing else.
                if $0 == "Ready", let since = blueprint.notReadySince {
                    return PodCondition(type: $0, status: "False", lastTransitionTime: Deterministic.timestamp(since))
                }
                return PodCondition(type: $0, status: "True", lastTransitionTime: $0 == "PodScheduled" ? created : started)
            },
            hostIP: blueprint.nodeIP, hostIPs: [PodIP(ip: blueprint.nodeIP)],
            podIP: blueprint.podIP, podIPs: [PodIP(ip: blueprint.podIP)],
            startTime: created,
            containerStatuses: [ContainerStatus(
                name: blueprint.app, state: .init(running: .init(startedAt: runningSince)), lastState: lastState,
                ready: true, restartCount: blueprint.restartCount, image: blueprint.image, imageID: imageID,
                containerID: containerID, started: true)],
            qosClass: "Burstable")

        return Pod(
            metadata: ObjectMeta(
                name: blueprint.name, namespace: blueprint.namespace, uid: uid, creationTimestamp: created,
                labels: labels, annotations: blueprint.annotations.isEmpty ? nil : blueprint.annotations,
                ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: replicaSet,
                                                 uid: Deterministic.uid("rs/\(blueprint.namespace)/\(replicaSet)"),
                                                 controller: true, blockOwnerDeletion: true)],
                generateName: replicaSet + "-"),
            spec: PodSpec(
                volumes: volumes, containers: [container], serviceAccountName: blueprint.serviceAccount,
                serviceAccount: blueprint.serviceAccount, nodeName: blueprint.nodeName,
                tolerations: blueprint.tolerations ?? [
                    Toleration(key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300),
                    Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300),
                ]),
            status: status)
    }

    /// azure-workload-identity v1.6.0 `buildVolumeName`: the prefix and the first 30 hex characters
    /// of sha256 of the pod's name as the webhook sees it at admission, which for a controller's pod
    /// is still empty, so `generateName + " (prefix)"` (webhook.go:167-170, 597-601).
    static func azureVolumeName(_ blueprint: PodBlueprint) -> String {
        let replicaSet = "\(blueprint.app)-\(Deterministic.hex("rs/\(blueprint.namespace)/\(blueprint.app)", count: 10))"
        let digest = SHA256.hash(data: Data((replicaSet + "- (prefix)").utf8)).map { String(format: "%02x", $0) }.joined()
        return "azure-workload-identity-reserved-" + digest.prefix(30)
    }

    /// The image name without its tag, as containerd reports it in `imageID`.
    static func imageReference(_ image: String) -> String {
        guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return image }
        return String(image[..<colon])
    }

    /// The volume every pod gets from the ServiceAccount admission plugin (bound token, CA, namespace).
    static func defaultTokenVolume(_ name: String) -> Volume {
        Volume(name: name, projected: .init(sources: [
            VolumeProjection(serviceAccountToken: .init(audience: nil, expirationSeconds: 3607, path: "token")),
            VolumeProjection(configMap: .init(name: "kube-root-ca.crt", items: [KeyToPath(key: "ca.crt", path: "ca.crt")])),
            VolumeProjection(downwardAPI: .init(items: [.init(path: "namespace",
                                                              fieldRef: .init(apiVersion: "v1", fieldPath: "metadata.namespace"))])),
        ], defaultMode: 420))
    }

    static func tokenVolume(name: String, audience: String, seconds: Int, path: String) -> Volume {
        Volume(name: name, projected: .init(sources: [
            VolumeProjection(serviceAccountToken: .init(audience: audience, expirationSeconds: seconds, path: path)),
        ], defaultMode: 420))
    }
}
