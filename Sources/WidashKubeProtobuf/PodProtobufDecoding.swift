import WidashCore

// Field numbers from k8s.io/api/core/v1/generated.proto (kubernetes/api at 10b39a39, 2026-07-24),
// only those widash keeps; every other field is skipped by its length:
//   Pod                            metadata=1 spec=2 status=3
//   PodList                        metadata=1 (ListMeta) items=2
//   PodSpec                        volumes=1 containers=2 serviceAccountName=8 nodeName=10 initContainers=20
//   Container                      name=1 image=2 env=7 volumeMounts=9
//   EnvVar                         name=1 value=2 valueFrom=3
//   EnvVarSource                   fieldRef=1 resourceFieldRef=2 configMapKeyRef=3 secretKeyRef=4
//   ConfigMapKeySelector,
//   SecretKeySelector              localObjectReference=1 key=2 optional=3
//   LocalObjectReference           name=1
//   ObjectFieldSelector            apiVersion=1 fieldPath=2
//   ResourceFieldSelector          containerName=1 resource=2 divisor=3
//   VolumeMount                    name=1 readOnly=2 mountPath=3
//   Volume                         name=1 volumeSource=2 (inline in JSON)
//   VolumeSource                   projected=26
//   ProjectedVolumeSource          sources=1 defaultMode=2
//   VolumeProjection               serviceAccountToken=4
//   ServiceAccountTokenProjection  audience=1 expirationSeconds=2 (int64) path=3
//   PodStatus                      phase=1 startTime=7 (Time) containerStatuses=8
//   ContainerStatus                name=1 ready=4 restartCount=5 (int32)
//
// As for metadata: absent means Go's zero value, and `omitempty` zero values become nil (the JSON
// leaves them out); fields without `omitempty` (container and mount names, `ready`,
// `restartCount`, selector keys) keep their zero value, as the JSON writes them. `status` is a
// struct in Go, always written to JSON, so a pod always has one.

extension Pod: KubeProtobufDecodable {
    public static var protobufKind: String { "Pod" }
    public static var protobufListKind: String { "PodList" }

    public static func decode(protobuf r: inout ProtobufReader) throws -> Pod {
        let start = r.pos
        var metadata: ObjectMeta?
        var spec: PodSpec?
        var status = PodStatus()
        while let field = try r.nextField() {
            switch field.number {
            case 1: metadata = try r.message(field, "Pod.metadata", ObjectMeta.read)
            case 2: spec = try r.message(field, "Pod.spec", PodSpec.read)
            case 3: status = try r.message(field, "Pod.status", PodStatus.read)
            default: try r.skip(field)
            }
        }
        guard let metadata else { throw r.error(.missingField("metadata"), at: start) }
        return Pod(metadata: metadata, spec: spec ?? PodSpec(containers: []), status: status)
    }
}

extension PodSpec {
    static func read(protobuf r: inout ProtobufReader) throws -> PodSpec {
        var serviceAccountName = "", nodeName = ""
        var containers: [Container] = [], initContainers: [Container] = [], volumes: [Volume] = []
        while let field = try r.nextField() {
            switch field.number {
            case 1: volumes.append(try r.message(field, "PodSpec.volumes", Volume.read))
            case 2: containers.append(try r.message(field, "PodSpec.containers", Container.read))
            case 8: serviceAccountName = try r.readString(field, "PodSpec.serviceAccountName", intern: true)
            case 10: nodeName = try r.readString(field, "PodSpec.nodeName", intern: true)
            case 20: initContainers.append(try r.message(field, "PodSpec.initContainers", Container.read))
            default: try r.skip(field)
            }
        }
        return PodSpec(serviceAccountName: nonEmpty(serviceAccountName), nodeName: nonEmpty(nodeName), containers: containers,
                       initContainers: initContainers.isEmpty ? nil : initContainers, volumes: volumes.isEmpty ? nil : volumes)
    }
}

extension Container {
    static func read(protobuf r: inout ProtobufReader) throws -> Container {
        var name = "", image = ""
        var env: [EnvVar] = [], mounts: [VolumeMount] = []
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "Container.name", intern: true)
            case 2: image = try r.readString(field, "Container.image", intern: true)
            case 7:
                let run = try r.cachedRun(field, "Container.env", cache: r.store.envLists, startingWith: []) { r, list in
                    list.append(try EnvVar.read(protobuf: &r))
                }
                env = env.isEmpty ? run : env + run
            case 9: mounts.append(try r.message(field, "Container.volumeMounts", VolumeMount.read))
            default: try r.skip(field)
            }
        }
        return Container(name: name, image: nonEmpty(image), env: env.isEmpty ? nil : env,
                         volumeMounts: mounts.isEmpty ? nil : mounts)
    }
}

extension EnvVar {
    static func read(protobuf r: inout ProtobufReader) throws -> EnvVar {
        var name = "", value = ""
        var source: EnvVarSource?
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "EnvVar.name", intern: true)
            case 2: value = try r.readString(field, "EnvVar.value", intern: true)
            case 3: source = try r.message(field, "EnvVar.valueFrom", EnvVarSource.read)
            default: try r.skip(field)
            }
        }
        return EnvVar(name: name, value: nonEmpty(value), valueFrom: source)
    }
}

extension EnvVarSource {
    static func read(protobuf r: inout ProtobufReader) throws -> EnvVarSource {
        var source = EnvVarSource()
        while let field = try r.nextField() {
            switch field.number {
            case 1:
                let path = try r.message(field, "EnvVarSource.fieldRef") { r in try r.readOnlyString(number: 2, "ObjectFieldSelector.fieldPath") }
                source.fieldRef = FieldSelector(fieldPath: path)
            case 2:
                let resource = try r.message(field, "EnvVarSource.resourceFieldRef") { r in
                    try r.readOnlyString(number: 2, "ResourceFieldSelector.resource")
                }
                source.resourceFieldRef = ResourceSelector(resource: resource)
            case 3: source.configMapKeyRef = try r.message(field, "EnvVarSource.configMapKeyRef", readKeySelector)
            case 4: source.secretKeyRef = try r.message(field, "EnvVarSource.secretKeyRef", readKeySelector)
            default: try r.skip(field)
            }
        }
        return source
    }

    private static func readKeySelector(_ r: inout ProtobufReader) throws -> KeySelector {
        var name = "", key = ""
        while let field = try r.nextField() {
            switch field.number {
            case 1:
                name = try r.message(field, "KeySelector.localObjectReference") { r in
                    try r.readOnlyString(number: 1, "LocalObjectReference.name")
                }
            case 2: key = try r.readString(field, "KeySelector.key", intern: true)
            default: try r.skip(field)
            }
        }
        return KeySelector(name: nonEmpty(name), key: key)
    }
}

extension ProtobufReader {
    /// One string field of a small message (interned); the others are skipped.
    mutating func readOnlyString(number: Int, _ what: StaticString) throws -> String {
        var value = ""
        while let field = try nextField() {
            if field.number == number { value = try readString(field, what, intern: true) } else { try skip(field) }
        }
        return value
    }
}

extension VolumeMount {
    static func read(protobuf r: inout ProtobufReader) throws -> VolumeMount {
        var name = "", mountPath = ""
        var readOnly = false
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "VolumeMount.name", intern: true)
            case 2: readOnly = try r.readBool(field, "VolumeMount.readOnly")
            case 3: mountPath = try r.readString(field, "VolumeMount.mountPath", intern: true)
            default: try r.skip(field)
            }
        }
        return VolumeMount(name: name, mountPath: mountPath, readOnly: readOnly ? true : nil)
    }
}

extension Volume {
    static func read(protobuf r: inout ProtobufReader) throws -> Volume {
        var name = ""
        var projected: ProjectedVolumeSource?
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "Volume.name", intern: true)
            case 2:
                // VolumeSource: only `projected` (26) is kept.
                projected = try r.message(field, "Volume.volumeSource") { r in
                    var found = projected
                    while let member = try r.nextField() {
                        if member.number == 26 {
                            found = try r.cachedMessage(member, "VolumeSource.projected", cache: r.store.projectedSources,
                                                        ProjectedVolumeSource.read)
                        } else {
                            try r.skip(member)
                        }
                    }
                    return found
                }
            default: try r.skip(field)
            }
        }
        return Volume(name: name, projected: projected)
    }
}

extension ProjectedVolumeSource {
    static func read(protobuf r: inout ProtobufReader) throws -> ProjectedVolumeSource {
        var sources: [VolumeProjection] = []
        while let field = try r.nextField() {
            if field.number == 1 {
                sources.append(try r.message(field, "ProjectedVolumeSource.sources", VolumeProjection.read))
            } else {
                try r.skip(field)
            }
        }
        return ProjectedVolumeSource(sources: sources.isEmpty ? nil : sources)
    }
}

extension VolumeProjection {
    static func read(protobuf r: inout ProtobufReader) throws -> VolumeProjection {
        var token: ServiceAccountTokenProjection?
        while let field = try r.nextField() {
            if field.number == 4 {
                token = try r.message(field, "VolumeProjection.serviceAccountToken", ServiceAccountTokenProjection.read)
            } else {
                try r.skip(field)
            }
        }
        return VolumeProjection(serviceAccountToken: token)
    }
}

extension ServiceAccountTokenProjection {
    static func read(protobuf r: inout ProtobufReader) throws -> ServiceAccountTokenProjection {
        var audience = "", path = ""
        var expiration: Int?  // *int64 in Go: present or not, never defaulted
        while let field = try r.nextField() {
            switch field.number {
            case 1: audience = try r.readString(field, "ServiceAccountTokenProjection.audience", intern: true)
            case 2: expiration = try r.readInt(field, "ServiceAccountTokenProjection.expirationSeconds")
            case 3: path = try r.readString(field, "ServiceAccountTokenProjection.path", intern: true)
            default: try r.skip(field)
            }
        }
        return ServiceAccountTokenProjection(audience: nonEmpty(audience), expirationSeconds: expiration, path: path)
    }
}

extension PodStatus {
    static func read(protobuf r: inout ProtobufReader) throws -> PodStatus {
        var phase = ""
        var startTime: String?
        var statuses: [ContainerStatus] = []
        while let field = try r.nextField() {
            switch field.number {
            case 1: phase = try r.readString(field, "PodStatus.phase", intern: true)
            case 7: startTime = try r.readTime(field, "PodStatus.startTime")
            case 8: statuses.append(try r.message(field, "PodStatus.containerStatuses", ContainerStatus.read))
            default: try r.skip(field)
            }
        }
        return PodStatus(phase: nonEmpty(phase), startTime: startTime,
                         containerStatuses: statuses.isEmpty ? nil : r.store.share(statuses))
    }
}

extension ContainerStatus {
    static func read(protobuf r: inout ProtobufReader) throws -> ContainerStatus {
        var name = ""
        var ready = false
        var restarts = 0
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "ContainerStatus.name", intern: true)
            case 4: ready = try r.readBool(field, "ContainerStatus.ready")
            case 5: restarts = try r.readInt32(field, "ContainerStatus.restartCount")
            default: try r.skip(field)
            }
        }
        return ContainerStatus(name: name, ready: ready, restartCount: restarts)
    }
}
