import Foundation

// apps/v1 Deployments and ReplicaSets and core/v1 Events as the API server stores them, reduced to
// the fields the sandbox sets (names and nesting as in k8s.io/api apps/v1 types.go and core/v1
// types.go). Enough for `kubectl get rs,deploy,events` and for clients that read which service
// account a workload's pod template runs as.

extension ResourceType {
    static let events = ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
                                     namespaced: true, shortNames: ["ev"])
    static let replicaSets = ResourceType(group: "apps", version: "v1", plural: "replicasets", singular: "replicaset",
                                          kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"])
    static let deployments = ResourceType(group: "apps", version: "v1", plural: "deployments", singular: "deployment",
                                          kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"])
    /// Served (empty in the demo) so clients that list every pod-template workload find the kinds a
    /// real cluster has.
    static let statefulSets = ResourceType(group: "apps", version: "v1", plural: "statefulsets", singular: "statefulset",
                                           kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"])
    static let jobs = ResourceType(group: "batch", version: "v1", plural: "jobs", singular: "job", kind: "Job",
                                   namespaced: true, categories: ["all"])
}

struct WorkloadLabelSelector: Codable, Sendable { var matchLabels: [String: String] }

struct PodTemplate: Codable, Sendable {
    struct Meta: Codable, Sendable {
        var labels: [String: String]
        var annotations: [String: String]?
    }
    struct Spec: Codable, Sendable {
        var containers: [TemplateContainer]
        var serviceAccountName: String
        var restartPolicy = "Always"
        var dnsPolicy = "ClusterFirst"
        var schedulerName = "default-scheduler"
        var terminationGracePeriodSeconds = 30
    }
    struct TemplateContainer: Codable, Sendable {
        var name: String
        var image: String
        var imagePullPolicy = "IfNotPresent"
        var resources = ResourceRequirements()
        var terminationMessagePath = "/dev/termination-log"
        var terminationMessagePolicy = "File"
    }
    var metadata: Meta
    var spec: Spec
}

/// apps/v1 `ReplicaSetCondition` / `DeploymentCondition`.
struct WorkloadCondition: Codable, Sendable {
    var type: String
    var status: String
    var lastUpdateTime: String?
    var lastTransitionTime: String
    var reason: String
    var message: String
}

struct ReplicaSet: KubeObject {
    var apiVersion = "apps/v1"
    var kind = "ReplicaSet"
    var metadata: ObjectMeta
    var spec: Spec
    var status: Status
    struct Spec: Codable, Sendable {
        var replicas: Int
        var selector: WorkloadLabelSelector
        var template: PodTemplate
    }
    /// Zero counts are omitted by the API server (`omitempty`), except `replicas`.
    struct Status: Codable, Sendable {
        var replicas: Int
        var fullyLabeledReplicas: Int?
        var readyReplicas: Int?
        var availableReplicas: Int?
        var observedGeneration: Int
        var conditions: [WorkloadCondition]?
    }
}

struct Deployment: KubeObject {
    var apiVersion = "apps/v1"
    var kind = "Deployment"
    var metadata: ObjectMeta
    var spec: Spec
    var status: Status
    struct Spec: Codable, Sendable {
        var replicas: Int
        var selector: WorkloadLabelSelector
        var template: PodTemplate
        var strategy = Strategy()
        var revisionHistoryLimit = 10
        var progressDeadlineSeconds = 600
    }
    struct Strategy: Codable, Sendable {
        var type = "RollingUpdate"
        var rollingUpdate = ["maxUnavailable": "25%", "maxSurge": "25%"]
    }
    struct Status: Codable, Sendable {
        var observedGeneration: Int
        var replicas: Int?
        var updatedReplicas: Int?
        var readyReplicas: Int?
        var availableReplicas: Int?
        var unavailableReplicas: Int?
        var conditions: [WorkloadCondition]
    }
}

/// core/v1 `ObjectReference` as an event's `involvedObject`.
struct InvolvedObject: Codable, Sendable {
    var kind: String
    var namespace: String?
    var name: String
    var uid: String
    var apiVersion: String
    var resourceVersion: String?
}

/// core/v1 `Event` as client-go's `tools/record` writes it (the recorder the ReplicaSet and
/// Deployment controllers use): `count`, `firstTimestamp`, `lastTimestamp` and `source` are set,
/// `series` is not (that is the events.k8s.io/v1 recorder of `tools/events`). `eventTime` is
/// omitted here where the API server would print `null`; clients read both the same way.
struct CoreEvent: KubeObject {
    var apiVersion = "v1"
    var kind = "Event"
    var metadata: ObjectMeta
    var involvedObject: InvolvedObject
    var reason: String
    var message: String
    var source: Source
    var firstTimestamp: String
    var lastTimestamp: String
    var count: Int
    var type: String
    var reportingComponent: String
    var reportingInstance: String
    struct Source: Codable, Sendable { var component: String }
}
