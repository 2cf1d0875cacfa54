import Foundation

// Kubernetes objects as widash needs them: only the fields it reads, mirroring the API's JSON so
// that decoding is synthesized and unknown fields are ignored. Every field that the API may omit
// is optional.

public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var creationTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?

    public init(name: String, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil,
                creationTimestamp: String? = nil, labels: [String: String]? = nil,
                annotations: [String: String]? = nil, ownerReferences: [OwnerReference]? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.creationTimestamp = creationTimestamp
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    /// "namespace/name", or "name" for cluster-scoped objects.
    public var key: String { namespace.map { "\($0)/\(name)" } ?? name }
}

public struct OwnerReference: Codable, Sendable, Hashable {
    public var kind: String
    public var name: String
    public init(kind: String, name: String) { self.kind = kind; self.name = name }
}

public struct Namespace: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct ServiceAccount: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

public struct Pod: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?
    public init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct PodSpec: Codable, Sendable, Hashable {
    public var serviceAccountName: String?
    public var nodeName: String?
    public var containers: [Container]
    public var initContainers: [Container]?
    public var volumes: [Volume]?
    public init(serviceAccountName: String? = nil, nodeName: String? = nil, containers: [Container],
                initContainers: [Container]? = nil, volumes: [Volume]? = nil) {
        self.serviceAccountName = serviceAccountName
        self.nodeName = nodeName
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
    }
}

public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var env: [EnvVar]?
    public var volumeMounts: [VolumeMount]?
    public init(name: String, image: String? = nil, env: [EnvVar]? = nil, volumeMounts: [VolumeMount]? = nil) {
        self.name = name
        self.image = image
        self.env = env
        self.volumeMounts = volumeMounts
    }
}

/// An environment variable: a literal `value`, or `valueFrom` a source whose value widash never reads.
public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?
    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }

    /// Where the value comes from, for messages: `a literal value`, `secret aws-creds key id`, …
    public var origin: String { valueFrom?.description ?? "a literal value" }
}

/// `valueFrom` of an env var: a Secret or ConfigMap key, a pod field or a container resource.
public struct EnvVarSource: Codable, Sendable, Hashable, CustomStringConvertible {
    public struct KeySelector: Codable, Sendable, Hashable {
        public var name: String?
        public var key: String
        public init(name: String?, key: String) { self.name = name; self.key = key }
    }
    public struct FieldSelector: Codable, Sendable, Hashable {
        public var fieldPath: String
        public init(fieldPath: String) { self.fieldPath = fieldPath }
    }
    public struct ResourceSelector: Codable, Sendable, Hashable {
        public var resource: String
        public init(resource: String) { self.resource = resource }
    }
    public var secretKeyRef: KeySelector?
    public var configMapKeyRef: KeySelector?
    public var fieldRef: FieldSelector?
    public var resourceFieldRef: ResourceSelector?

    public init(secretKeyRef: KeySelector? = nil, configMapKeyRef: KeySelector? = nil, fieldRef: FieldSelector? = nil,
                resourceFieldRef: ResourceSelector? = nil) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
    }

    public var description: String {
        if let s = secretKeyRef { return "secret \(s.name ?? "?") key \(s.key)" }
        if let c = configMapKeyRef { return "configmap \(c.name ?? "?") key \(c.key)" }
        if let f = fieldRef { return "pod field \(f.fieldPath)" }
        if let r = resourceFieldRef { return "container resource \(r.resource)" }
        return "valueFrom"
    }
}

public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool?
    public init(name: String, mountPath: String, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }
}

public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var projected: ProjectedVolumeSource?
    public init(name: String, projected: ProjectedVolumeSource? = nil) { self.name = name; self.projected = projected }
}

public struct ProjectedVolumeSource: Codable, Sendable, Hashable {
    public var sources: [VolumeProjection]?
    public init(sources: [VolumeProjection]?) { self.sources = sources }
}

public struct VolumeProjection: Codable, Sendable, Hashable {
    public var serviceAccountToken: ServiceAccountTokenProjection?
    public init(serviceAccountToken: ServiceAccountTokenProjection?) { self.serviceAccountToken = serviceAccountToken }
}

public struct ServiceAccountTokenProjection: Codable, Sendable, Hashable {
    public var audience: String?
    public var expirationSeconds: Int?
    public var path: String
    public init(audience: String? = nil, expirationSeconds: Int? = nil, path: String) {
        self.audience = audience
        self.expirationSeconds = expirationSeconds
        self.path = path
    }
}

public struct PodStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var startTime: String?
    public var containerStatuses: [ContainerStatus]?
    public init(phase: String? = nil, startTime: String? = nil, containerStatuses: [ContainerStatus]? = nil) {
        self.phase = phase
        self.startTime = startTime
        self.containerStatuses = containerStatuses
    }
}

public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int?
    public init(name: String, ready: Bool, restartCount: Int? = nil) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
    }
}

/// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration, reduced to what tells whether the
/// Azure or AWS workload identity webhook is installed and how it fails.
public struct MutatingWebhookConfiguration: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var webhooks: [MutatingWebhook]?
    public init(metadata: ObjectMeta, webhooks: [MutatingWebhook]?) { self.metadata = metadata; self.webhooks = webhooks }
}

public struct MutatingWebhook: Codable, Sendable, Hashable {
    public var name: String
    public var failurePolicy: String?
    public init(name: String, failurePolicy: String?) { self.name = name; self.failurePolicy = failurePolicy }
}

/// apps/v1 DaemonSet, reduced to its rollout numbers (the EKS Pod Identity agent).
public struct DaemonSet: Codable, Sendable, Hashable {
    public struct Status: Codable, Sendable, Hashable {
        public var desiredNumberScheduled: Int?
        public var numberReady: Int?
        public init(desiredNumberScheduled: Int?, numberReady: Int?) {
            self.desiredNumberScheduled = desiredNumberScheduled
            self.numberReady = numberReady
        }
    }
    public var metadata: ObjectMeta
    public var status: Status?
    public init(metadata: ObjectMeta, status: Status?) { self.metadata = metadata; self.status = status }
}

/// aadpodidentity.k8s.io/v1 AzureIdentity (legacy aad-pod-identity).
public struct AzureIdentity: Codable, Sendable, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var type: Int?
        public var resourceID: String?
        public var clientID: String?
        public init(type: Int? = nil, resourceID: String? = nil, clientID: String? = nil) {
            self.type = type
            self.resourceID = resourceID
            self.clientID = clientID
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) { self.metadata = metadata; self.spec = spec }
}

/// aadpodidentity.k8s.io/v1 AzureIdentityBinding: selects pods labelled `aadpodidbinding: <selector>`.
public struct AzureIdentityBinding: Codable, Sendable, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var azureIdentity: String
        public var selector: String
        public init(azureIdentity: String, selector: String) { self.azureIdentity = azureIdentity; self.selector = selector }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) { self.metadata = metadata; self.spec = spec }
}

/// The OIDC discovery document of the cluster's service-account issuer.
public struct OIDCDiscovery: Codable, Sendable, Hashable {
    public var issuer: String
    public var jwks_uri: String
    public var response_types_supported: [String]?
    public var subject_types_supported: [String]?
    public var id_token_signing_alg_values_supported: [String]?
    public init(issuer: String, jwks_uri: String) { self.issuer = issuer; self.jwks_uri = jwks_uri }
}

/// A read the cluster refused (401/403) or does not serve (404): what it was, the permission that
/// would allow it, and what the inventory is missing without it. Everything else is still shown.
public struct UnreadableRead: Sendable, Hashable, Codable {
    /// What could not be read, e.g. `mutating webhook configurations`.
    public var what: String
    public var statusCode: Int
    /// The RBAC permission in kubectl's terms, e.g. `"list mutatingwebhookconfigurations.admissionregistration.k8s.io" cluster-wide`.
    public var permission: String?
    /// What is not known without it, e.g. `whether the Azure and AWS webhooks are installed`.
    public var consequence: String

    public init(what: String, statusCode: Int, permission: String?, consequence: String) {
        self.what = what
        self.statusCode = statusCode
        self.permission = permission
        self.consequence = consequence
    }

    /// One line: `not readable: mutating webhook configurations (403, needs RBAC permission …); not known: …`.
    public var summary: String {
        let why = statusCode == 404 ? "404, not served by this cluster"
            : "\(statusCode)\(permission.map { ", needs RBAC permission \($0)" } ?? "")"
        return "not readable: \(what) (\(why)); \(consequence)"
    }
}

/// Everything the inventory is computed from: one consistent picture of the cluster.
public struct ClusterSnapshot: Sendable, Hashable {
    public var namespaces: [Namespace]
    public var serviceAccounts: [ServiceAccount]
    public var pods: [Pod]
    public var webhooks: [MutatingWebhookConfiguration]
    public var azureIdentities: [AzureIdentity]
    public var azureIdentityBindings: [AzureIdentityBinding]
    /// The service-account issuer (from discovery), when known.
    public var issuer: String?
    /// Whether the issuer's discovery document and JWKS could be fetched; nil when not checked.
    public var issuerDiscoveryReachable: Bool?
    /// Whether `webhooks` is the cluster's full list of mutating webhook configurations (true), or
    /// could not be read (false, e.g. no RBAC); nil when unknown. When nil, a non-empty `webhooks`
    /// is taken as listed.
    public var webhooksListed: Bool?
    /// Reads that were refused or not served; the rest of the snapshot is complete without them.
    public var unreadable: [UnreadableRead]

    public init(namespaces: [Namespace] = [], serviceAccounts: [ServiceAccount] = [], pods: [Pod] = [],
                webhooks: [MutatingWebhookConfiguration] = [], azureIdentities: [AzureIdentity] = [],
                azureIdentityBindings: [AzureIdentityBinding] = [], issuer: String? = nil,
                issuerDiscoveryReachable: Bool? = nil, webhooksListed: Bool? = nil, unreadable: [UnreadableRead] = []) {
        self.namespaces = namespaces
        self.serviceAccounts = serviceAccounts
        self.pods = pods
        self.webhooks = webhooks
        self.azureIdentities = azureIdentities
        self.azureIdentityBindings = azureIdentityBindings
        self.issuer = issuer
        self.issuerDiscoveryReachable = issuerDiscoveryReachable
        self.webhooksListed = webhooksListed
        self.unreadable = unreadable
    }

    /// True when the webhook list can be trusted to say what is (not) installed.
    public var webhooksKnown: Bool { webhooksListed ?? !webhooks.isEmpty }
}
