import Foundation
import WidashSandboxKit

/// The demo fleet's extra clusters: small scenarios built from the demo's pieces (workloads,
/// PodFactory, DemoWorkloads), each with the issuer URL shape of the managed service it imitates.
enum FleetScenarios {
    /// The EKS-like cluster: IRSA and Pod Identity workloads in `payments`.
    enum EKS {
        static let context = "widash-sandbox-eks"
        static let clusterName = "payments-eks"
        /// EKS's issuer form `https://oidc.eks.REGION.amazonaws.com/id/ID`, ID 32 upper-case hex
        /// characters (EKS user guide, "Create an IAM OIDC provider for your cluster": `aws eks
        /// describe-cluster --query cluster.identity.oidc.issuer`).
        static var issuer: String {
            let id = Deterministic.hex("eks-oidc/\(clusterName)", count: 32).uppercased()
            return "https://oidc.eks.\(DemoDirectory.awsRegion).amazonaws.com/id/\(id)"
        }
        /// EKS publishes the keys at `{issuer}/keys` (the discovery document's `jwks_uri`, ibid.).
        static var jwksURI: String { issuer + "/keys" }

        static var workloads: [DemoScenario.Workload] {
            let region = DemoDirectory.awsRegion
            func irsa(_ sa: String, role: String) -> DemoScenario.Workload {
                DemoScenario.Workload(namespace: "payments", serviceAccount: sa, podName: sa,
                                      image: "ghcr.io/widash-demo/payments-\(sa):2.0.1",
                                      saAnnotations: ["eks.amazonaws.com/role-arn": role], podLabels: [:],
                                      injection: .irsa(roleARN: role, region: region))
            }
            return [
                irsa("ledger", role: DemoDirectory.irsaOKRoleARN),
                irsa("invoices", role: DemoDirectory.irsaBadTrustRoleARN),
                // Pod Identity: the association is in the EKS API, the service account is plain.
                DemoScenario.Workload(namespace: "payments", serviceAccount: "settlement", podName: "settlement",
                                      image: "ghcr.io/widash-demo/payments-settlement:2.0.1", saAnnotations: [:],
                                      podLabels: [:], injection: .eksPodIdentity(region: region)),
                DemoScenario.Workload(namespace: "payments", serviceAccount: "reports", podName: "reports",
                                      image: "ghcr.io/widash-demo/payments-reports:1.4.0", saAnnotations: [:],
                                      podLabels: [:], injection: .none),
            ]
        }

        static let nodes = [("ip-192-168-12-34.ec2.internal", "192.168.12.34"), ("ip-192-168-45-67.ec2.internal", "192.168.45.67")]

        /// What an EKS cluster with IRSA and Pod Identity runs: the demo's amazon-eks-pod-identity-webhook
        /// configuration and eks-pod-identity-agent DaemonSet (WebhookObjects), not the Azure webhook.
        static func addOns(created: Date) -> [(ResourceType, any KubeObject)] {
            WebhookObjects.all(created: created).filter { ["pod-identity-webhook", "eks-pod-identity-agent"].contains($0.1.metadata.name) }
        }
    }

    /// The GKE-like cluster: GKE Workload Identity service accounts in `analytics`. Its API server
    /// does not serve issuer discovery: the fleet's misconfigured cluster.
    enum GKE {
        static let context = "widash-sandbox-gke"
        static let clusterName = "analytics"
        static let location = "europe-west1"
        /// GKE's issuer form `https://container.googleapis.com/v1/projects/PROJECT/locations/LOCATION/clusters/CLUSTER`
        /// (GKE docs, "About Workload Identity Federation for GKE": the cluster's OIDC issuer).
        static var issuer: String {
            "https://container.googleapis.com/v1/projects/\(DemoDirectory.gcpProject)/locations/\(location)/clusters/\(clusterName)"
        }
        /// GKE names `{issuer}/jwks` as the discovery document's `jwks_uri`.
        static var jwksURI: String { issuer + "/jwks" }

        static var workloads: [DemoScenario.Workload] {
            func gke(_ sa: String, annotated: Bool = true) -> DemoScenario.Workload {
                DemoScenario.Workload(namespace: "analytics", serviceAccount: sa, podName: sa,
                                      image: "ghcr.io/widash-demo/analytics-\(sa):0.7.0",
                                      saAnnotations: annotated ? ["iam.gke.io/gcp-service-account": DemoDirectory.gkeServiceAccount] : [:],
                                      podLabels: [:], injection: .none)
            }
            return [gke("ingest"), gke("dashboards"), gke("batch", annotated: false)]
        }

        static let nodes = [("gke-analytics-default-pool-4f2a9c1e-x7k2", "10.132.0.12")]
    }

    /// The decommissioned cluster: a context whose API server is gone. Port 1 on loopback: ports
    /// below 1024 need privileges to listen on, so nothing answers and connect() is refused at once
    /// (no DNS, no timeout).
    enum Decommissioned {
        static let context = "widash-sandbox-decommissioned"
        static let server = "https://127.0.0.1:1"
    }

    /// A small cluster: its namespaces (each with `default`), the workloads' service accounts, pods
    /// as their webhooks leave them and the deployments behind them, spread over `nodes`.
    static func content(workloads: [DemoScenario.Workload], nodes: [(String, String)], now: Date,
                        addOns: (Date) -> [(ResourceType, any KubeObject)] = { _ in [] }) -> ScenarioContent {
        var content = ScenarioContent()
        let clusterBirth = now.addingTimeInterval(-30 * 86400)
        let namespaces = ["default", "kube-system"] + Set(workloads.map(\.namespace)).sorted()
        for namespace in namespaces {
            content.objects.append((.namespaces, Namespace(metadata: ObjectMeta(
                name: namespace, uid: Deterministic.uid("fleet-ns/\(namespace)/\(nodes.first?.0 ?? "")"),
                creationTimestamp: Deterministic.timestamp(clusterBirth), labels: ["kubernetes.io/metadata.name": namespace]))))
            content.objects.append((.serviceAccounts, ServiceAccount(metadata: ObjectMeta(
                name: "default", namespace: namespace, uid: Deterministic.uid("fleet-sa/\(namespace)/default/\(nodes.first?.0 ?? "")"),
                creationTimestamp: Deterministic.timestamp(clusterBirth)))))
        }
        for (index, workload) in workloads.enumerated() {
            content.objects.append((.serviceAccounts, ServiceAccount(metadata: ObjectMeta(
                name: workload.serviceAccount, namespace: workload.namespace,
                uid: Deterministic.uid("fleet-sa/\(workload.namespace)/\(workload.serviceAccount)/\(nodes.first?.0 ?? "")"),
                creationTimestamp: Deterministic.timestamp(clusterBirth.addingTimeInterval(3600)),
                labels: ["app.kubernetes.io/part-of": "widash-demo"],
                annotations: workload.saAnnotations.isEmpty ? nil : workload.saAnnotations))))
            let node = nodes[index % max(nodes.count, 1)]
            let blueprint = PodBlueprint(
                namespace: workload.namespace, name: workload.podName, serviceAccount: workload.serviceAccount,
                app: workload.podName, image: workload.image, nodeName: node.0, nodeIP: node.1,
                podIP: "10.100.\(index % 4).\(20 + index)", labels: workload.podLabels, injection: workload.injection,
                appEnv: workload.appEnv, secretEnv: workload.secretEnv,
                created: now.addingTimeInterval(-Double(3 * 3600 + index * 60)))
            content.blueprints["\(workload.namespace)/\(workload.podName)"] = blueprint
            content.objects.append((.pods, PodFactory.make(blueprint)))
            content.objects += DemoWorkloads.objects(for: blueprint, created: blueprint.created)
        }
        content.objects += addOns(clusterBirth)
        return content
    }
}
