import Foundation
import WidashCore

extension KubeEvent: KubeObject {}
extension PodTemplateWorkload: KubeObject {}

extension KubeResource {
    public static let events = KubeResource(group: "", version: "v1", plural: "events", namespaced: true)
    public static let replicaSets = KubeResource(group: "apps", version: "v1", plural: "replicasets", namespaced: true)
    public static let deployments = KubeResource(group: "apps", version: "v1", plural: "deployments", namespaced: true)
    public static let statefulSets = KubeResource(group: "apps", version: "v1", plural: "statefulsets", namespaced: true)
    public static let jobs = KubeResource(group: "batch", version: "v1", plural: "jobs", namespaced: true)

    /// The workload kinds whose pod template names a service account, with the kind each item is.
    public static let podTemplateWorkloads: [(resource: KubeResource, kind: String)] = [
        (.replicaSets, "ReplicaSet"), (.deployments, "Deployment"), (.statefulSets, "StatefulSet"), (.jobs, "Job"),
    ]
}

extension KubeClient {
    /// The events of one namespace, listed then watched (a `ListWatch`: relists after 410, resumes
    /// after a cut).
    public func eventWatch(namespace: String) -> ListWatch<KubeEvent> {
        ListWatch(client: self, resource: .events, namespace: namespace)
    }

    /// The workloads of `resource` in `namespace` whose pod template runs as `serviceAccount`.
    /// A resource the cluster does not serve (404) gives none.
    public func workloads(_ resource: KubeResource, namespace: String, serviceAccount: String) async throws -> [PodTemplateWorkload] {
        try await listIfInstalled(resource, namespace: namespace, as: PodTemplateWorkload.self).items
            .filter { $0.serviceAccountName == serviceAccount }
    }
}
