import Foundation
import WidashSandboxKit

/// Objects a scenario starts with, and the pod blueprints that movement changes.
struct ScenarioContent: Sendable {
    var objects: [(ResourceType, any KubeObject)] = []
    var blueprints: [String: PodBlueprint] = [:]
    /// Pods (`namespace/name`) whose bound TokenRequests return an already-expired token.
    var staleTokenPods: Set<String> = []
}

/// The `demo` scenario: deterministic names, service accounts annotated from `DemoDirectory` so the
/// cluster side agrees with the emulated clouds, and pods as the webhooks leave them.
enum DemoScenario {
    static let nodes: [(name: String, ip: String)] = [
        ("aks-nodepool1-31718369-vmss000000", "10.224.0.4"),
        ("aks-nodepool1-31718369-vmss000001", "10.224.0.5"),
        ("aks-nodepool1-31718369-vmss000002", "10.224.0.6"),
    ]

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
        // kube-system on AKS: the admissions enforcer keeps every admission webhook away.
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
            let blueprint = PodBlueprint(
                namespace: workload.namespace, name: workload.podName, serviceAccount: workload.serviceAccount,
                app: workload.podName, image: workload.image, nodeName: node.name, nodeIP: node.ip,
                podIP: "10.244.\(index % nodes.count).\(10 + index)", labels: workload.podLabels,
                injection: workload.injection, appEnv: workload.appEnv, secretEnv: workload.secretEnv,
                created: now.addingTimeInterval(-Double(2 * 3600 + index * 60)))
            content.blueprints["\(workload.namespace)/\(workload.podName)"] = blueprint
            content.objects.append((.pods, PodFactory.make(blueprint)))
        }
        content.staleTokenPods = ["broken/stale-token"]
        content.objects += WebhookObjects.all(created: clusterBirth)
        return content
    }

    static func makeNode(name: String, ip: String, index: Int, created: Date) -> Node {
        let time = Deterministic.timestamp(created)
        let capacity = ["cpu": "4", "memory": "16378712Ki", "pods": "110", "ephemeral-storage": "129886128Ki"]
        return Node(
            metadata: ObjectMeta(name: name, uid: Deterministic.uid("node/\(name)"), creationTimestamp: time,
                                 labels: ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                          "kubernetes.io/arch": "amd64", "agentpool": "nodepool1",
                                          "topology.kubernetes.io/region": "westeurope",
                                          "node.kubernetes.io/instance-type": "Standard_D4s_v5"]),
            spec: .init(providerID: "azure:///subscriptions/\(DemoDirectory.subscriptionID)/resourceGroups/mc_rg-widash-demo/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-31718369-vmss/virtualMachines/\(index)",
                        podCIDR: "10.244.\(index).0/24"),
            status: .init(
                conditions: [Node.Condition(type: "Ready", status: "True", lastHeartbeatTime: time, lastTransitionTime: time,
                                            reason: "KubeletReady", message: "kubelet is posting ready status")],
                addresses: [.init(type: "InternalIP", address: ip), .init(type: "Hostname", address: name)],
                nodeInfo: .init(machineID: Deterministic.hex("machine/\(name)", count: 32),
                                systemUUID: Deterministic.uid("sys/\(name)"), bootID: Deterministic.uid("boot/\(name)"),
                                kernelVersion: "5.15.0-1073-azure", osImage: "Ubuntu 22.04.5 LTS",
                                containerRuntimeVersion: "containerd://1.7.25-1", kubeletVersion: "v1.32.4",
                                kubeProxyVersion: "v1.32.4", operatingSystem: "linux", architecture: "amd64"),
                capacity: capacity, allocatable: capacity))
    }
}
