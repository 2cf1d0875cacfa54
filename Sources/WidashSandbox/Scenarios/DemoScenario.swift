import Foundation
import WidashSandboxKit

/// Objects a scenario starts with, and the pod blueprints that movement changes.
struct ScenarioContent: Sendable {
    var objects: [(ResourceType, any KubeObject)] = []
    var blueprints: [String: PodBlueprint] = [:]
    /// shop/checkout's stuck rollout as it stands at the start (StuckRollout), for its controller.
    var stuckRollout: (state: StuckRollout.State, replicaSet: ReplicaSet)?
}

/// The `demo` scenario: deterministic names, service accounts annotated from `DemoDirectory` so the
/// cluster side agrees with the emulated clouds, and pods as the webhooks leave them.
enum DemoScenario {
    static let nodes: [(name: String, ip: String)] = [
        ("aks-nodepool1-31718369-vmss000000", "10.224.0.4"),
        ("aks-nodepool1-31718369-vmss000001", "10.224.0.5"),
        ("aks-nodepool1-31718369-vmss000002", "10.224.0.6"),
    ]

    /// broken/stale-token: a pod on a node whose kubelet lost contact with the API server, so the
    /// kubelet could no longer refresh the pod's projected token and the file the application reads
    /// has expired, while a fresh TokenRequest for the same service account is fine.
    ///
    /// What it models: the kubelet on `vmss000003` last reached the API server 50 minutes before
    /// the sandbox started (its outbound path to the API server broke). From then on:
    /// - it posts no node status, so the node lifecycle controller turned the node's Ready,
    ///   MemoryPressure, DiskPressure and PIDPressure conditions to Unknown
    ///   (`NodeStatusUnknown`, "Kubelet stopped posting node status.") after
    ///   `--node-monitor-grace-period` (50 s since 1.32), leaving `lastHeartbeatTime` at the last post,
    ///   tainted it `node.kubernetes.io/unreachable` NoSchedule and NoExecute and marked its pods not
    ///   ready (kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go
    ///   `tryUpdateNodeHealth`, `doNoScheduleTaintingPass`, `doNoExecuteTaintingPass`);
    /// - its token refreshes fail and the last token stays in the file (KubeletTokenFiles.swift).
    ///
    /// The pod started 122 minutes before the sandbox. Its Azure token (3600 s, from the webhook's
    /// projected volume) is refreshed once 80 % of the TTL (2880 s) has passed: minted at start,
    /// refreshed at −74 min (kubelet still in contact), due again at −26 min (contact lost at −50 min,
    /// so the refresh failed): the file's token expired 14 minutes before the sandbox started.
    /// The deployment tolerates `unreachable` without `tolerationSeconds` (as DaemonSet pods do), so
    /// the taint manager does not evict it (pkg/controller/tainteviction: no tolerationSeconds =
    /// tolerated forever) and the pod is still there to be looked at.
    /// Assumption, as on a one-way partition: the API server can still reach the kubelet's port
    /// 10250, so `kubectl exec` works; on a cluster where that path is broken too, exec into this
    /// pod would fail instead (e.g. `error dialing backend`).
    enum StaleTokenNode {
        static let name = "aks-nodepool1-31718369-vmss000003"
        static let ip = "10.224.0.7"
        static let index = 3
        static let pod = "broken/stale-token"
        static let podStartedBefore: TimeInterval = 122 * 60
        static let kubeletLastContactBefore: TimeInterval = 50 * 60
        /// `--node-monitor-grace-period` default since Kubernetes 1.32 (kubernetes/kubernetes#126287).
        static let nodeMonitorGracePeriod: TimeInterval = 50
    }

    static let namespaces = ["default", "kube-system", "kube-public", "kube-node-lease", "azure-workload-identity-system",
                             "shop", "broken", "aws", "legacy", "gcp"]

    /// One workload of the demo: its service account, annotations and how its pod was mutated.
    struct Workload {
        var namespace: String
        var serviceAccount: String
        var podName: String
        var image: String
        var saAnnotations: [String: String]
        var podLabels: [String: String]
        var injection: PodIdentityInjection
        /// The application's own settings (where it finds its cloud resources).
        var appEnv: [(String, String)] = []
        /// Settings from secrets: (name, secret, key).
        var secretEnv: [(String, String, String)] = []
    }

    /// Application settings of the Azure workloads, as their deployments would set them, so that
    /// step 5 of a trace can propose the resource each one really uses.
    static let keyVaultEnv = [("KEYVAULT_URL", "https://\(DemoDirectory.keyVaultHost)/secrets/db-password")]
    static let backendEnv = [("COSMOS_ENDPOINT", "https://\(DemoDirectory.cosmosHost)/dbs"),
                             ("STORAGE_ORDERS_URL", "https://\(DemoDirectory.blobHost)/orders"),
                             ("SERVICEBUS_CONNECTION", "Endpoint=sb://\(DemoDirectory.serviceBusHost)/;EntityPath=orders")]

    static var workloads: [Workload] {
        let tenant = DemoDirectory.tenantID
        let region = DemoDirectory.awsRegion
        var list: [Workload] = []
        func azure(_ namespace: String, _ sa: String, image: String, labelled: Bool = true, annotateClientID: Bool = true,
                   appEnv: [(String, String)] = keyVaultEnv, secretEnv: [(String, String, String)] = [],
                   layout: PodIdentityInjection.AzureLayout = .v16, injected: Bool = true) {
            let clientID = annotateClientID ? DemoDirectory.azureIdentity(namespace: namespace, serviceAccount: sa)?.clientID : nil
            var annotations = ["azure.workload.identity/tenant-id": tenant]
            if let clientID { annotations["azure.workload.identity/client-id"] = clientID }
            list.append(Workload(namespace: namespace, serviceAccount: sa, podName: sa, image: image, saAnnotations: annotations,
                                 podLabels: labelled ? ["azure.workload.identity/use": "true"] : [:],
                                 injection: labelled && injected ? .azure(clientID: clientID, tenantID: tenant, layout: layout) : .none,
                                 appEnv: appEnv, secretEnv: secretEnv))
        }
        azure("shop", "frontend", image: "ghcr.io/widash-demo/shop-frontend:1.8.2")
        // Created before the webhook was upgraded to v1.6: the old token layout (/var/run/secrets/azure/tokens).
        azure("shop", "backend", image: "ghcr.io/widash-demo/shop-backend:2.3.0", appEnv: backendEnv, layout: .legacy)
        // The container sets AZURE_CLIENT_ID itself (the azure-workload-identity FAQ's way to pick
        // another identity); the webhook leaves a set variable alone and adds the rest.
        if let checkout = DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "checkout") {
            azure("shop", "checkout", image: "ghcr.io/widash-demo/shop-checkout:1.0.3", annotateClientID: false,
                  appEnv: [("AZURE_CLIENT_ID", checkout.clientID)] + keyVaultEnv)
        }
        // A service principal secret left in the deployment: EnvironmentCredential wins.
        azure("broken", "static-secret", image: "ghcr.io/widash-demo/kv-reader:0.9.1",
              secretEnv: [("AZURE_CLIENT_SECRET", "kv-reader-sp", "client-secret")])
        // A pod the webhook never mutated in kube-system. On AKS the admissions enforcer keeps every
        // admission webhook away from it (azure-workload-identity docs, "Known issues"); the demo's
        // issuer is not AKS's, so widash gives the usual cause.
        azure("kube-system", "node-reporter", image: "ghcr.io/widash-demo/node-reporter:0.2.0", injected: false)
        for name in ["wrong-subject", "wrong-issuer", "wrong-audience", "no-role", "stale-token"] {
            azure("broken", name, image: "ghcr.io/widash-demo/kv-reader:0.9.1")
        }
        // Labelled and mutated, but the SA carries no client-id: the webhook injects no AZURE_CLIENT_ID.
        azure("broken", "no-client-id", image: "ghcr.io/widash-demo/kv-reader:0.9.1", annotateClientID: false)
        // Correct SA, but the pod lacks the label, so the webhook never saw it.
        azure("broken", "no-label", image: "ghcr.io/widash-demo/kv-reader:0.9.1", labelled: false)

        list.append(Workload(namespace: "aws", serviceAccount: "irsa-ok", podName: "irsa-ok",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0",
                             saAnnotations: ["eks.amazonaws.com/role-arn": DemoDirectory.irsaOKRoleARN],
                             podLabels: [:], injection: .irsa(roleARN: DemoDirectory.irsaOKRoleARN, region: region)))
        list.append(Workload(namespace: "aws", serviceAccount: "irsa-bad-trust", podName: "irsa-bad-trust",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0",
                             saAnnotations: ["eks.amazonaws.com/role-arn": DemoDirectory.irsaBadTrustRoleARN],
                             podLabels: [:], injection: .irsa(roleARN: DemoDirectory.irsaBadTrustRoleARN, region: region)))
        // Pod Identity's precedence (amazon-eks-pod-identity-webhook handler.go:441-461): the service
        // account still names its old IRSA role, an association exists, the webhook injects only the
        // container-credentials env.
        list.append(Workload(namespace: "aws", serviceAccount: "podid-with-role", podName: "podid-with-role",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0",
                             saAnnotations: ["eks.amazonaws.com/role-arn": DemoDirectory.podIdentityWithRoleOldIRSARoleARN],
                             podLabels: [:], injection: .eksPodIdentity(region: region)))
        // Both env sets (container credentials added by hand to an IRSA pod): botocore's chain uses
        // web identity before the container provider (credentials.py create_credential_resolver).
        list.append(Workload(namespace: "aws", serviceAccount: "both-creds", podName: "both-creds",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0",
                             saAnnotations: ["eks.amazonaws.com/role-arn": DemoDirectory.bothCredsRoleARN],
                             podLabels: [:], injection: .irsaAndPodIdentity(roleARN: DemoDirectory.bothCredsRoleARN, region: region)))
        // Static keys in an IRSA pod: the env provider comes first.
        list.append(Workload(namespace: "aws", serviceAccount: "static-keys", podName: "static-keys",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0",
                             saAnnotations: ["eks.amazonaws.com/role-arn": DemoDirectory.staticKeysRoleARN],
                             podLabels: [:], injection: .irsa(roleARN: DemoDirectory.staticKeysRoleARN, region: region),
                             secretEnv: [("AWS_ACCESS_KEY_ID", "s3-reader-keys", "access-key-id"),
                                         ("AWS_SECRET_ACCESS_KEY", "s3-reader-keys", "secret-access-key")]))
        // EKS Pod Identity: the association lives in the EKS API, so the SA has no annotation.
        list.append(Workload(namespace: "aws", serviceAccount: "podid-ok", podName: "podid-ok",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0", saAnnotations: [:], podLabels: [:],
                             injection: .eksPodIdentity(region: region)))
        // An association created after the pod started: the webhook mutates pods at admission only,
        // so this one has no Pod Identity env until it is recreated (EKS user guide, "Assign an IAM
        // role to a Kubernetes service account": existing pods must be restarted). The sandbox has no
        // admission webhook, so the demo keeps it that way.
        list.append(Workload(namespace: "aws", serviceAccount: "podid-late", podName: "podid-late",
                             image: "ghcr.io/widash-demo/s3-reader:1.2.0", saAnnotations: [:], podLabels: [:], injection: .none))
        list.append(Workload(namespace: "gcp", serviceAccount: "gke-ok", podName: "gke-ok",
                             image: "ghcr.io/widash-demo/gcs-reader:0.4.0",
                             saAnnotations: ["iam.gke.io/gcp-service-account": DemoDirectory.gkeServiceAccount],
                             podLabels: [:], injection: .none))
        // aad-pod-identity (deprecated): selected by the AzureIdentityBinding through this label; no webhook.
        list.append(Workload(namespace: "legacy", serviceAccount: "default", podName: "legacy-app",
                             image: "ghcr.io/widash-demo/legacy-app:3.1.4", saAnnotations: [:],
                             podLabels: ["aadpodidbinding": "legacy-app"], injection: .none))
        return list
    }

    static func build(now: Date) -> ScenarioContent {
        var content = ScenarioContent()
        let clusterBirth = now.addingTimeInterval(-9 * 86400)
        for namespace in namespaces {
            content.objects.append((.namespaces, Namespace(metadata: ObjectMeta(
                name: namespace, uid: Deterministic.uid("ns/\(namespace)"), creationTimestamp: Deterministic.timestamp(clusterBirth),
                labels: ["kubernetes.io/metadata.name": namespace]))))
            content.objects.append((.serviceAccounts, ServiceAccount(metadata: ObjectMeta(
                name: "default", namespace: namespace, uid: Deterministic.uid("sa/\(namespace)/default"),
                creationTimestamp: Deterministic.timestamp(clusterBirth)))))
        }
        for (index, node) in nodes.enumerated() {
            content.objects.append((.nodes, makeNode(name: node.name, ip: node.ip, index: index, created: clusterBirth)))
        }
        let lostContact = now.addingTimeInterval(-StaleTokenNode.kubeletLastContactBefore)
        let markedUnknown = lostContact.addingTimeInterval(StaleTokenNode.nodeMonitorGracePeriod)
        content.objects.append((.nodes, makeNode(name: StaleTokenNode.name, ip: StaleTokenNode.ip, index: StaleTokenNode.index,
                                                 created: clusterBirth, lostContact: (lostContact, markedUnknown))))
        for (index, workload) in workloads.enumerated() {
            if workload.serviceAccount != "default" {
                content.objects.append((.serviceAccounts, ServiceAccount(metadata: ObjectMeta(
                    name: workload.serviceAccount, namespace: workload.namespace,
                    uid: Deterministic.uid("sa/\(workload.namespace)/\(workload.serviceAccount)"),
                    creationTimestamp: Deterministic.timestamp(clusterBirth.addingTimeInterval(3600)),
                    labels: ["app.kubernetes.io/part-of": "widash-demo"],
                    annotations: workload.saAnnotations.isEmpty ? nil : workload.saAnnotations))))
            }
            let node = nodes[index % nodes.count]
            var blueprint = PodBlueprint(
                namespace: workload.namespace, name: workload.podName, serviceAccount: workload.serviceAccount,
                app: workload.podName, image: workload.image, nodeName: node.name, nodeIP: node.ip,
                podIP: "10.244.\(index % nodes.count).\(10 + index)", labels: workload.podLabels,
                injection: workload.injection, appEnv: workload.appEnv, secretEnv: workload.secretEnv,
                created: now.addingTimeInterval(-Double(2 * 3600 + index * 60)))
            if "\(workload.namespace)/\(workload.podName)" == StaleTokenNode.pod {
                blueprint.nodeName = StaleTokenNode.name
                blueprint.nodeIP = StaleTokenNode.ip
                blueprint.podIP = "10.244.\(StaleTokenNode.index).\(10 + index)"
                blueprint.created = now.addingTimeInterval(-StaleTokenNode.podStartedBefore)
                blueprint.notReadySince = markedUnknown
                blueprint.tolerations = [
                    Toleration(key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute"),
                    Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute"),
                ]
            }
            content.blueprints["\(workload.namespace)/\(workload.podName)"] = blueprint
            content.objects.append((.pods, PodFactory.make(blueprint)))
            if workload.namespace == StuckRollout.namespace, workload.podName == StuckRollout.deploymentName {
                let rollout = StuckRollout.build(blueprint: blueprint, now: now)
                content.objects += rollout.objects
                if let replicaSet = rollout.replicaSet { content.stuckRollout = (rollout.state, replicaSet) }
            } else {
                content.objects += DemoWorkloads.objects(for: blueprint, created: blueprint.created)
            }
        }
        content.objects += WebhookObjects.all(created: clusterBirth)
        content.objects.append(CanaryWebhook.configuration(created: now.addingTimeInterval(-StuckRollout.startedBefore - 3600)))
        return content
    }

    /// A node as its kubelet registers it and keeps posting it; with `lostContact` (the kubelet's last
    /// status post, and when the node lifecycle controller noticed), as that controller leaves it.
    static func makeNode(name: String, ip: String, index: Int, created: Date,
                         lostContact: (lastHeartbeat: Date, markedUnknown: Date)? = nil) -> Node {
        let time = Deterministic.timestamp(created)
        // The conditions the kubelet posts (pkg/kubelet/nodestatus/setters.go: MemoryPressureCondition,
        // DiskPressureCondition, PIDPressureCondition, ReadyCondition).
        var conditions = [
            Node.Condition(type: "MemoryPressure", status: "False", lastHeartbeatTime: time, lastTransitionTime: time,
                           reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available"),
            Node.Condition(type: "DiskPressure", status: "False", lastHeartbeatTime: time, lastTransitionTime: time,
                           reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure"),
            Node.Condition(type: "PIDPressure", status: "False", lastHeartbeatTime: time, lastTransitionTime: time,
                           reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available"),
            Node.Condition(type: "Ready", status: "True", lastHeartbeatTime: time, lastTransitionTime: time,
                           reason: "KubeletReady", message: "kubelet is posting ready status"),
        ]
        var taints: [Node.Taint]?
        if let lostContact {
            // node_lifecycle_controller.go `tryUpdateNodeHealth`: past the grace period every one of
            // these conditions becomes Unknown / NodeStatusUnknown / "Kubelet stopped posting node
            // status." with lastTransitionTime = now; lastHeartbeatTime stays the kubelet's last post.
            let heartbeat = Deterministic.timestamp(lostContact.lastHeartbeat)
            let marked = Deterministic.timestamp(lostContact.markedUnknown)
            conditions = conditions.map {
                Node.Condition(type: $0.type, status: "Unknown", lastHeartbeatTime: heartbeat, lastTransitionTime: marked,
                               reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.")
            }
            // nodeConditionToTaintKeyStatusMap: Ready Unknown → node.kubernetes.io/unreachable, as
            // NoSchedule (doNoScheduleTaintingPass) and NoExecute (doNoExecuteTaintingPass,
            // UnreachableTaintTemplate; only NoExecute taints carry timeAdded).
            taints = [Node.Taint(key: "node.kubernetes.io/unreachable", effect: "NoSchedule"),
                      Node.Taint(key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: marked)]
        }
        let capacity = ["cpu": "4", "memory": "16378712Ki", "pods": "110", "ephemeral-storage": "129886128Ki"]
        return Node(
            metadata: ObjectMeta(name: name, uid: Deterministic.uid("node/\(name)"), creationTimestamp: time,
                                 labels: ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                          "kubernetes.io/arch": "amd64", "agentpool": "nodepool1",
                                          "topology.kubernetes.io/region": "westeurope",
                                          "node.kubernetes.io/instance-type": "Standard_D4s_v5"]),
            spec: .init(providerID: "azure:///subscriptions/\(DemoDirectory.subscriptionID)/resourceGroups/mc_rg-widash-demo/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-31718369-vmss/virtualMachines/\(index)",
                        podCIDR: "10.244.\(index).0/24", taints: taints),
            status: .init(
                conditions: conditions,
                addresses: [.init(type: "InternalIP", address: ip), .init(type: "Hostname", address: name)],
                nodeInfo: .init(machineID: Deterministic.hex("machine/\(name)", count: 32),
                                systemUUID: Deterministic.uid("sys/\(name)"), bootID: Deterministic.uid("boot/\(name)"),
                                kernelVersion: "5.15.0-1073-azure", osImage: "Ubuntu 22.04.5 LTS",
                                containerRuntimeVersion: "containerd://1.7.25-1", kubeletVersion: "v1.32.4",
                                kubeProxyVersion: "v1.32.4", operatingSystem: "linux", architecture: "amd64"),
                capacity: capacity, allocatable: capacity))
    }
}
