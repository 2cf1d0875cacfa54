import Foundation

// Codable shapes of the Kubernetes objects the sandbox serves: only the fields the sandbox sets,
// named and nested exactly as the Kubernetes API names them (nil fields are omitted, as the API
// server omits empty fields).

struct OwnerReference: Codable, Sendable {
    var apiVersion: String
    var kind: String
    var name: String
    var uid: String
    var controller: Bool?
    var blockOwnerDeletion: Bool?
}

struct ObjectMeta: Codable, Sendable {
    var name: String
    var namespace: String?
    var uid: String
    var resourceVersion: String?
    var generation: Int?
    var creationTimestamp: String
    var labels: [String: String]?
    var annotations: [String: String]?
    var ownerReferences: [OwnerReference]?
    var generateName: String?
}

/// Any object the store can hold: its metadata is stamped by the store (resourceVersion).
protocol KubeObject: Encodable, Sendable {
    var metadata: ObjectMeta { get set }
}

struct Namespace: KubeObject {
    var apiVersion = "v1"
    var kind = "Namespace"
    var metadata: ObjectMeta
    var spec = Spec()
    var status = Status()
    struct Spec: Codable, Sendable { var finalizers = ["kubernetes"] }
    struct Status: Codable, Sendable { var phase = "Active" }
}

struct ServiceAccount: KubeObject {
    var apiVersion = "v1"
    var kind = "ServiceAccount"
    var metadata: ObjectMeta
}

struct Node: KubeObject {
    var apiVersion = "v1"
    var kind = "Node"
    var metadata: ObjectMeta
    var spec: Spec
    var status: Status
    struct Spec: Codable, Sendable {
        var providerID: String
        var podCIDR: String
        var taints: [Taint]?
    }
    /// A node taint; `timeAdded` is written for NoExecute taints only (api core/v1 `Taint`).
    struct Taint: Codable, Sendable {
        var key: String
        var effect: String
        var timeAdded: String?
    }
    struct Status: Codable, Sendable {
        var conditions: [Condition]
        var addresses: [Address]
        var nodeInfo: NodeInfo
        var capacity: [String: String]
        var allocatable: [String: String]
    }
    struct Address: Codable, Sendable { var type: String; var address: String }
    struct Condition: Codable, Sendable {
        var type: String
        var status: String
        var lastHeartbeatTime: String?
        var lastTransitionTime: String
        var reason: String
        var message: String
    }
    struct NodeInfo: Codable, Sendable {
        var machineID: String, systemUUID: String, bootID: String, kernelVersion: String, osImage: String
        var containerRuntimeVersion: String, kubeletVersion: String, kubeProxyVersion: String
        var operatingSystem: String, architecture: String
    }
}

struct EnvVar: Codable, Sendable {
    var name: String
    var value: String?
    var valueFrom: EnvVarSource?
    struct EnvVarSource: Codable, Sendable {
        var fieldRef: FieldRef?
        var secretKeyRef: KeyRef?
        init(fieldRef: FieldRef? = nil, secretKeyRef: KeyRef? = nil) {
            self.fieldRef = fieldRef
            self.secretKeyRef = secretKeyRef
        }
    }
    struct FieldRef: Codable, Sendable { var apiVersion: String; var fieldPath: String }
    struct KeyRef: Codable, Sendable { var name: String; var key: String }
}

struct VolumeMount: Codable, Sendable {
    var name: String
    var mountPath: String
    var readOnly: Bool?
}

struct ContainerPort: Codable, Sendable {
    var name: String?
    var containerPort: Int
    var `protocol`: String
}

struct ResourceRequirements: Codable, Sendable {
    var limits: [String: String]?
    var requests: [String: String]?
}

struct Probe: Codable, Sendable {
    var httpGet: HTTPGet
    var initialDelaySeconds: Int?
    var periodSeconds: Int
    var timeoutSeconds: Int
    var successThreshold: Int
    var failureThreshold: Int
    struct HTTPGet: Codable, Sendable { var path: String; var port: Int; var scheme: String }
}

struct Container: Codable, Sendable {
    var name: String
    var image: String
    var args: [String]?
    var ports: [ContainerPort]?
    var env: [EnvVar]?
    var resources: ResourceRequirements
    var volumeMounts: [VolumeMount]?
    var readinessProbe: Probe?
    var terminationMessagePath = "/dev/termination-log"
    var terminationMessagePolicy = "File"
    var imagePullPolicy = "IfNotPresent"
}

struct KeyToPath: Codable, Sendable { var key: String; var path: String }

struct ServiceAccountTokenProjection: Codable, Sendable {
    var audience: String?
    var expirationSeconds: Int
    var path: String
}

struct VolumeProjection: Codable, Sendable {
    var serviceAccountToken: ServiceAccountTokenProjection?
    var configMap: ConfigMapProjection?
    var downwardAPI: DownwardAPIProjection?
    struct ConfigMapProjection: Codable, Sendable { var name: String; var items: [KeyToPath] }
    struct DownwardAPIProjection: Codable, Sendable { var items: [DownwardAPIItem] }
    struct DownwardAPIItem: Codable, Sendable { var path: String; var fieldRef: EnvVar.FieldRef }
}

struct Volume: Codable, Sendable {
    var name: String
    var projected: Projected?
    var configMap: ConfigMapVolume?
    struct Projected: Codable, Sendable { var sources: [VolumeProjection]; var defaultMode: Int }
    struct ConfigMapVolume: Codable, Sendable { var name: String; var defaultMode: Int }
}

struct Toleration: Codable, Sendable {
    var key: String
    var `operator`: String
    var effect: String
    var tolerationSeconds: Int?
}

struct PodSpec: Codable, Sendable {
    var volumes: [Volume]?
    var containers: [Container]
    var restartPolicy = "Always"
    var terminationGracePeriodSeconds = 30
    var dnsPolicy = "ClusterFirst"
    var serviceAccountName: String
    var serviceAccount: String
    var nodeName: String
    var securityContext: [String: String] = [:]
    var schedulerName = "default-scheduler"
    var tolerations: [Toleration]
    var priority = 0
    var enableServiceLinks = true
    var preemptionPolicy = "PreemptLowerPriority"
}

struct PodCondition: Codable, Sendable {
    var type: String
    var status: String
    var lastProbeTime: String?
    var lastTransitionTime: String
}

struct ContainerStatus: Codable, Sendable {
    var name: String
    var state: State
    var lastState: State
    var ready: Bool
    var restartCount: Int
    var image: String
    var imageID: String
    var containerID: String
    var started: Bool
    struct State: Codable, Sendable {
        var running: Running?
        var terminated: Terminated?
    }
    struct Running: Codable, Sendable { var startedAt: String }
    struct Terminated: Codable, Sendable {
        var exitCode: Int
        var reason: String
        var startedAt: String
        var finishedAt: String
        var containerID: String
    }
}

struct PodIP: Codable, Sendable { var ip: String }

struct PodStatus: Codable, Sendable {
    var phase: String
    var conditions: [PodCondition]
    var hostIP: String
    var hostIPs: [PodIP]
    var podIP: String
    var podIPs: [PodIP]
    var startTime: String
    var containerStatuses: [ContainerStatus]
    var qosClass: String
}

struct Pod: KubeObject {
    var apiVersion = "v1"
    var kind = "Pod"
    var metadata: ObjectMeta
    var spec: PodSpec
    var status: PodStatus
}

/// Objects whose shape the sandbox does not model in detail (webhook configurations, CRDs, custom
/// resources): a fixed JSON body plus the metadata the store stamps.
struct RawObject: KubeObject {
    var apiVersion: String
    var kind: String
    var metadata: ObjectMeta
    var body: [String: JSONValue]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(apiVersion, forKey: DynamicKey("apiVersion"))
        try container.encode(kind, forKey: DynamicKey("kind"))
        try container.encode(metadata, forKey: DynamicKey("metadata"))
        for (key, value) in body { try container.encode(value, forKey: DynamicKey(key)) }
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A JSON value for the few free-form bodies (webhook configurations, CRD schemas).
enum JSONValue: Codable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case string(String), int(Int), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
