import WidashCore

// Pods are most of the bytes and most of the memory: names that repeat across replicas (images,
// env, mounts, node and container names) are interned, and whole lists are shared when equal.

extension Pod: KubeJSONDecodable {
    public static func decode(kubeJSON r: inout KubeJSONReader) throws -> Pod {
        let start = r.valueOffset()
        try r.enterObject("an object (Pod)")
        var seen = SeenFields()
        var metadata: ObjectMeta?
        var spec: PodSpec?
        var status: PodStatus?
        while let key = try r.nextKey() {
            if key.is("metadata"), seen.first(0) {
                metadata = try ObjectMeta.read(&r)
            } else if key.is("spec"), seen.first(1) {
                spec = try PodSpec.read(&r)
            } else if key.is("status"), seen.first(2) {
                status = try r.consumeNull() ? nil : try PodStatus.read(&r)
            } else {
                try r.skipValue()
            }
        }
        guard let metadata else { throw r.missing("metadata", in: start) }
        guard let spec else { throw r.missing("spec", in: start) }
        return Pod(metadata: metadata, spec: spec, status: status)
    }
}

extension PodSpec {
    static func read(_ r: inout KubeJSONReader) throws -> PodSpec {
        let start = r.valueOffset()
        try r.enterObject("an object (pod spec)")
        var seen = SeenFields()
        var serviceAccountName: String?, nodeName: String?
        var containers: [Container]?, initContainers: [Container]?, volumes: [Volume]?
        while let key = try r.nextKey() {
            if key.is("serviceAccountName"), seen.first(0) {
                serviceAccountName = try r.readOptionalString(intern: true)
            } else if key.is("nodeName"), seen.first(1) {
                nodeName = try r.readOptionalString(intern: true)
            } else if key.is("containers"), seen.first(2) {
                containers = try r.readArray("an array of containers", Container.read)
            } else if key.is("initContainers"), seen.first(3) {
                initContainers = try r.readOptionalArray("an array of containers", Container.read)
            } else if key.is("volumes"), seen.first(4) {
                volumes = try r.readOptionalArray("an array of volumes", Volume.read)
            } else {
                try r.skipValue()
            }
        }
        guard let containers else { throw r.missing("containers", in: start) }
        return PodSpec(serviceAccountName: serviceAccountName, nodeName: nodeName, containers: containers,
                       initContainers: initContainers, volumes: volumes)
    }
}

extension Container {
    static func read(_ r: inout KubeJSONReader) throws -> Container {
        let start = r.valueOffset()
        try r.enterObject("an object (container)")
        var seen = SeenFields()
        var name: String?, image: String?
        var env: [EnvVar]?, mounts: [VolumeMount]?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("image"), seen.first(1) {
                image = try r.readOptionalString(intern: true)
            } else if key.is("env"), seen.first(2) {
                env = try r.consumeNull() ? nil : try r.cached(r.interner.envLists) { r in
                    try r.readArray("an array of env vars", EnvVar.read)
                }
            } else if key.is("volumeMounts"), seen.first(3) {
                mounts = try r.readOptionalArray("an array of volume mounts", VolumeMount.read)
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        return Container(name: name, image: image, env: env, volumeMounts: mounts)
    }
}

extension EnvVar {
    static func read(_ r: inout KubeJSONReader) throws -> EnvVar {
        let start = r.valueOffset()
        try r.enterObject("an object (env var)")
        var seen = SeenFields()
        var name: String?, value: String?
        var source: EnvVarSource?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("value"), seen.first(1) {
                value = try r.readOptionalString(intern: true)
            } else if key.is("valueFrom"), seen.first(2) {
                source = try r.consumeNull() ? nil : try EnvVarSource.read(&r)
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        return EnvVar(name: name, value: value, valueFrom: source)
    }
}

extension EnvVarSource {
    /// `{"secretKeyRef": {"name", "key"}}`, `{"configMapKeyRef": …}`, `{"fieldRef": {"fieldPath"}}`,
    /// `{"resourceFieldRef": {"resource"}}`; other members are skipped.
    static func read(_ r: inout KubeJSONReader) throws -> EnvVarSource {
        try r.enterObject("an object (env var source)")
        var seen = SeenFields()
        var source = EnvVarSource()
        while let key = try r.nextKey() {
            if key.is("secretKeyRef"), seen.first(0) {
                source.secretKeyRef = try r.consumeNull() ? nil : try readSelector(&r)
            } else if key.is("configMapKeyRef"), seen.first(1) {
                source.configMapKeyRef = try r.consumeNull() ? nil : try readSelector(&r)
            } else if key.is("fieldRef"), seen.first(2) {
                source.fieldRef = try r.consumeNull() ? nil : try readString(&r, member: "fieldPath").map(FieldSelector.init)
            } else if key.is("resourceFieldRef"), seen.first(3) {
                source.resourceFieldRef = try r.consumeNull() ? nil : try readString(&r, member: "resource").map(ResourceSelector.init)
            } else {
                try r.skipValue()
            }
        }
        return source
    }

    private static func readSelector(_ r: inout KubeJSONReader) throws -> KeySelector? {
        try r.enterObject("an object (key selector)")
        var seen = SeenFields()
        var name: String?, key: String?
        while let member = try r.nextKey() {
            if member.is("name"), seen.first(0) {
                name = try r.readOptionalString(intern: true)
            } else if member.is("key"), seen.first(1) {
                key = try r.readOptionalString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        return key.map { KeySelector(name: name, key: $0) }
    }

    private static func readString(_ r: inout KubeJSONReader, member wanted: StaticString) throws -> String? {
        try r.enterObject("an object (\(wanted) selector)")
        var value: String?
        while let member = try r.nextKey() {
            if member.is(wanted), value == nil { value = try r.readOptionalString(intern: true) } else { try r.skipValue() }
        }
        return value
    }
}

extension VolumeMount {
    static func read(_ r: inout KubeJSONReader) throws -> VolumeMount {
        let start = r.valueOffset()
        try r.enterObject("an object (volume mount)")
        var seen = SeenFields()
        var name: String?, mountPath: String?
        var readOnly: Bool?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("mountPath"), seen.first(1) {
                mountPath = try r.readString(intern: true)
            } else if key.is("readOnly"), seen.first(2) {
                readOnly = try r.readOptionalBool()
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        guard let mountPath else { throw r.missing("mountPath", in: start) }
        return VolumeMount(name: name, mountPath: mountPath, readOnly: readOnly)
    }
}

extension Volume {
    static func read(_ r: inout KubeJSONReader) throws -> Volume {
        let start = r.valueOffset()
        try r.enterObject("an object (volume)")
        var seen = SeenFields()
        var name: String?
        var projected: ProjectedVolumeSource?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("projected"), seen.first(1) {
                projected = try r.consumeNull() ? nil : try r.cached(r.interner.projectedSources, ProjectedVolumeSource.read)
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        return Volume(name: name, projected: projected)
    }
}

extension ProjectedVolumeSource {
    static func read(_ r: inout KubeJSONReader) throws -> ProjectedVolumeSource {
        try r.enterObject("an object (projected volume)")
        var seen = SeenFields()
        var sources: [VolumeProjection]?
        while let key = try r.nextKey() {
            if key.is("sources"), seen.first(0) {
                sources = try r.readOptionalArray("an array of volume projections", VolumeProjection.read)
            } else {
                try r.skipValue()
            }
        }
        return ProjectedVolumeSource(sources: sources)
    }
}

extension VolumeProjection {
    static func read(_ r: inout KubeJSONReader) throws -> VolumeProjection {
        try r.enterObject("an object (volume projection)")
        var seen = SeenFields()
        var token: ServiceAccountTokenProjection?
        while let key = try r.nextKey() {
            if key.is("serviceAccountToken"), seen.first(0) {
                token = try r.consumeNull() ? nil : try ServiceAccountTokenProjection.read(&r)
            } else {
                try r.skipValue()
            }
        }
        return VolumeProjection(serviceAccountToken: token)
    }
}

extension ServiceAccountTokenProjection {
    static func read(_ r: inout KubeJSONReader) throws -> ServiceAccountTokenProjection {
        let start = r.valueOffset()
        try r.enterObject("an object (service account token projection)")
        var seen = SeenFields()
        var audience: String?, path: String?
        var expiration: Int?
        while let key = try r.nextKey() {
            if key.is("audience"), seen.first(0) {
                audience = try r.readOptionalString(intern: true)
            } else if key.is("expirationSeconds"), seen.first(1) {
                expiration = try r.readOptionalInt()
            } else if key.is("path"), seen.first(2) {
                path = try r.readString(intern: true)
            } else {
                try r.skipValue()
            }
        }
        guard let path else { throw r.missing("path", in: start) }
        return ServiceAccountTokenProjection(audience: audience, expirationSeconds: expiration, path: path)
    }
}

extension PodStatus {
    static func read(_ r: inout KubeJSONReader) throws -> PodStatus {
        try r.enterObject("an object (pod status)")
        var seen = SeenFields()
        var status = PodStatus()
        while let key = try r.nextKey() {
            if key.is("phase"), seen.first(0) {
                status.phase = try r.readOptionalString(intern: true)
            } else if key.is("startTime"), seen.first(1) {
                status.startTime = try r.readOptionalString(intern: true)
            } else if key.is("containerStatuses"), seen.first(2) {
                status.containerStatuses = try r.readOptionalArray("an array of container statuses", ContainerStatus.read)
                    .map(r.interner.share)
            } else {
                try r.skipValue()
            }
        }
        return status
    }
}

extension ContainerStatus {
    static func read(_ r: inout KubeJSONReader) throws -> ContainerStatus {
        let start = r.valueOffset()
        try r.enterObject("an object (container status)")
        var seen = SeenFields()
        var name: String?
        var ready: Bool?
        var restarts: Int?
        while let key = try r.nextKey() {
            if key.is("name"), seen.first(0) {
                name = try r.readString(intern: true)
            } else if key.is("ready"), seen.first(1) {
                ready = try r.readBool()
            } else if key.is("restartCount"), seen.first(2) {
                restarts = try r.readOptionalInt()
            } else {
                try r.skipValue()
            }
        }
        guard let name else { throw r.missing("name", in: start) }
        guard let ready else { throw r.missing("ready", in: start) }
        return ContainerStatus(name: name, ready: ready, restartCount: restarts)
    }
}
