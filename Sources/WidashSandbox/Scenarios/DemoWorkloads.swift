import Foundation

/// The Deployments and ReplicaSets behind the demo's pods: every demo pod is owned by the
/// ReplicaSet `PodFactory` names (`<app>-<pod-template-hash>`), which its Deployment `<app>` owns,
/// as the Deployment controller leaves them once a rollout is complete (pkg/controller/deployment
/// sync.go: the ReplicaSet is named `<deployment>-<pod-template-hash>` and owned by the Deployment
/// as controller; `deployment.kubernetes.io/revision` annotations on both).
enum DemoWorkloads {
    static func replicaSetName(app: String, namespace: String, revision: Int = 1) -> String {
        let seed = revision == 1 ? "rs/\(namespace)/\(app)" : "rs/\(namespace)/\(app)/\(revision)"
        return "\(app)-\(Deterministic.hex(seed, count: 10))"
    }

    static func deploymentUID(namespace: String, name: String) -> String { Deterministic.uid("deploy/\(namespace)/\(name)") }
    static func replicaSetUID(namespace: String, name: String) -> String { Deterministic.uid("rs/\(namespace)/\(name)") }

    static func template(_ blueprint: PodBlueprint, hash: String, extraLabels: [String: String] = [:],
                         image: String? = nil) -> PodTemplate {
        var labels = ["app": blueprint.app, "pod-template-hash": hash]
        labels.merge(blueprint.labels) { $1 }
        labels.merge(extraLabels) { $1 }
        return PodTemplate(metadata: .init(labels: labels, annotations: blueprint.annotations.isEmpty ? nil : blueprint.annotations),
                           spec: .init(containers: [.init(name: blueprint.app, image: image ?? blueprint.image)],
                                       serviceAccountName: blueprint.serviceAccount))
    }

    /// A complete rollout: one ReplicaSet with the pod, its Deployment available.
    static func objects(for blueprint: PodBlueprint, created: Date) -> [(ResourceType, any KubeObject)] {
        let time = Deterministic.timestamp(created)
        let namespace = blueprint.namespace
        let rsName = replicaSetName(app: blueprint.app, namespace: namespace)
        let hash = String(rsName.suffix(10))
        let deployment = Deployment(
            metadata: ObjectMeta(name: blueprint.app, namespace: namespace, uid: deploymentUID(namespace: namespace, name: blueprint.app),
                                 generation: 1, creationTimestamp: time, labels: ["app": blueprint.app],
                                 annotations: ["deployment.kubernetes.io/revision": "1"]),
            spec: .init(replicas: 1, selector: .init(matchLabels: ["app": blueprint.app]),
                        template: template(blueprint, hash: hash)),
            status: .init(observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1,
                          unavailableReplicas: nil, conditions: [
                            available(time),
                            WorkloadCondition(type: "Progressing", status: "True", lastUpdateTime: time, lastTransitionTime: time,
                                              reason: "NewReplicaSetAvailable",
                                              message: "ReplicaSet \"\(rsName)\" has successfully progressed."),
                          ]))
        let replicaSet = ReplicaSet(
            metadata: replicaSetMeta(rsName, deployment: deployment, revision: 1, created: time),
            spec: .init(replicas: 1, selector: .init(matchLabels: ["app": blueprint.app, "pod-template-hash": hash]),
                        template: template(blueprint, hash: hash)),
            status: .init(replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1))
        return [(.deployments, deployment), (.replicaSets, replicaSet)]
    }

    static func available(_ time: String) -> WorkloadCondition {
        WorkloadCondition(type: "Available", status: "True", lastUpdateTime: time, lastTransitionTime: time,
                          reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.")
    }

    static func replicaSetMeta(_ name: String, deployment: Deployment, revision: Int, created: String) -> ObjectMeta {
        let namespace = deployment.metadata.namespace ?? ""
        return ObjectMeta(name: name, namespace: namespace, uid: replicaSetUID(namespace: namespace, name: name), generation: 1,
                          creationTimestamp: created, labels: ["app": deployment.metadata.name, "pod-template-hash": String(name.suffix(10))],
                          annotations: ["deployment.kubernetes.io/desired-replicas": "1", "deployment.kubernetes.io/max-replicas": "2",
                                        "deployment.kubernetes.io/revision": String(revision)],
                          ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name,
                                                           uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true)])
    }
}
