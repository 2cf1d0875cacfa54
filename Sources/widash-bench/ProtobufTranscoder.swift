import Foundation

// Transcodes the generated JSON list pages into Kubernetes' protobuf encoding, so that
// `widash-bench decode` can compare both encodings of the very same objects. Every field the
// generated pods carry is written — the ones widash skips too (resources, ports, conditions,
// probes-like extras) — so the byte sizes are what an API server would send. Field numbers from
// k8s.io/api/core/v1/generated.proto and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto
// (see Sources/WidashKubeProtobuf); a JSON member missing from the schema below is an error, not
// silently dropped. Generation time is not measured.

/// How one JSON member is written.
private indirect enum ProtoKind {
    case string, int, bool
    /// meta.v1.Time `{seconds = 1}` from an RFC 3339 string.
    case time
    case message(String)
    /// `map<string, string>`.
    case stringMap
    /// `map<string, resource.Quantity>`, Quantity being `{string = 1}`.
    case quantityMap
    /// An inlined `LocalObjectReference {name = 1}` (JSON flattens it into its parent).
    case localObjectReference
}

private struct ProtoSchema {
    var fields: [String: (number: Int, kind: ProtoKind)]
    /// JSON members not in `fields` belong to this inlined message (Volume's VolumeSource).
    var inlineRest: (number: Int, schema: String)?
    init(_ fields: [String: (Int, ProtoKind)], inlineRest: (Int, String)? = nil) {
        self.fields = fields.mapValues { (number: $0.0, kind: $0.1) }
        self.inlineRest = inlineRest.map { (number: $0.0, schema: $0.1) }
    }
}

private let schemas: [String: ProtoSchema] = [
    "List": ProtoSchema(["metadata": (1, .message("ListMeta")), "items": (2, .message("Item"))]),
    "ListMeta": ProtoSchema(["selfLink": (1, .string), "resourceVersion": (2, .string), "continue": (3, .string),
                             "remainingItemCount": (4, .int)]),
    "ObjectMeta": ProtoSchema([
        "name": (1, .string), "generateName": (2, .string), "namespace": (3, .string), "selfLink": (4, .string), "uid": (5, .string),
        "resourceVersion": (6, .string), "generation": (7, .int), "creationTimestamp": (8, .time), "labels": (11, .stringMap),
        "annotations": (12, .stringMap), "ownerReferences": (13, .message("OwnerReference")), "finalizers": (14, .string),
    ]),
    "OwnerReference": ProtoSchema(["kind": (1, .string), "name": (3, .string), "uid": (4, .string), "apiVersion": (5, .string),
                                   "controller": (6, .bool), "blockOwnerDeletion": (7, .bool)]),
    "Pod": ProtoSchema(["metadata": (1, .message("ObjectMeta")), "spec": (2, .message("PodSpec")), "status": (3, .message("PodStatus"))]),
    "ServiceAccount": ProtoSchema(["metadata": (1, .message("ObjectMeta"))]),
    "PodSpec": ProtoSchema([
        "volumes": (1, .message("Volume")), "containers": (2, .message("Container")), "restartPolicy": (3, .string),
        "terminationGracePeriodSeconds": (4, .int), "dnsPolicy": (6, .string), "serviceAccountName": (8, .string),
        "serviceAccount": (9, .string), "nodeName": (10, .string), "securityContext": (14, .message("PodSecurityContext")),
        "schedulerName": (19, .string), "initContainers": (20, .message("Container")), "priority": (25, .int),
        "enableServiceLinks": (30, .bool), "preemptionPolicy": (31, .string),
    ]),
    "PodSecurityContext": ProtoSchema(["fsGroup": (5, .int)]),
    "Volume": ProtoSchema(["name": (1, .string)], inlineRest: (2, "VolumeSource")),
    "VolumeSource": ProtoSchema(["configMap": (19, .message("ConfigMapVolumeSource")), "projected": (26, .message("ProjectedVolumeSource"))]),
    "ConfigMapVolumeSource": ProtoSchema(["name": (1, .localObjectReference), "items": (2, .message("KeyToPath")), "defaultMode": (3, .int)]),
    "ProjectedVolumeSource": ProtoSchema(["sources": (1, .message("VolumeProjection")), "defaultMode": (2, .int)]),
    "VolumeProjection": ProtoSchema(["downwardAPI": (2, .message("DownwardAPIProjection")), "configMap": (3, .message("ConfigMapProjection")),
                                     "serviceAccountToken": (4, .message("ServiceAccountTokenProjection"))]),
    "ServiceAccountTokenProjection": ProtoSchema(["audience": (1, .string), "expirationSeconds": (2, .int), "path": (3, .string)]),
    "ConfigMapProjection": ProtoSchema(["name": (1, .localObjectReference), "items": (2, .message("KeyToPath"))]),
    "KeyToPath": ProtoSchema(["key": (1, .string), "path": (2, .string)]),
    "DownwardAPIProjection": ProtoSchema(["items": (1, .message("DownwardAPIVolumeFile"))]),
    "DownwardAPIVolumeFile": ProtoSchema(["path": (1, .string), "fieldRef": (2, .message("ObjectFieldSelector"))]),
    "ObjectFieldSelector": ProtoSchema(["apiVersion": (1, .string), "fieldPath": (2, .string)]),
    "Container": ProtoSchema([
        "name": (1, .string), "image": (2, .string), "ports": (6, .message("ContainerPort")), "env": (7, .message("EnvVar")),
        "resources": (8, .message("ResourceRequirements")), "volumeMounts": (9, .message("VolumeMount")),
        "terminationMessagePath": (13, .string), "imagePullPolicy": (14, .string), "terminationMessagePolicy": (20, .string),
    ]),
    "ContainerPort": ProtoSchema(["name": (1, .string), "containerPort": (3, .int), "protocol": (4, .string)]),
    "EnvVar": ProtoSchema(["name": (1, .string), "value": (2, .string), "valueFrom": (3, .message("EnvVarSource"))]),
    "EnvVarSource": ProtoSchema(["fieldRef": (1, .message("ObjectFieldSelector"))]),
    "ResourceRequirements": ProtoSchema(["limits": (1, .quantityMap), "requests": (2, .quantityMap)]),
    "VolumeMount": ProtoSchema(["name": (1, .string), "readOnly": (2, .bool), "mountPath": (3, .string)]),
    "PodStatus": ProtoSchema([
        "phase": (1, .string), "conditions": (2, .message("PodCondition")), "hostIP": (5, .string), "podIP": (6, .string),
        "startTime": (7, .time), "containerStatuses": (8, .message("ContainerStatus")), "qosClass": (9, .string),
        "podIPs": (12, .message("PodIP")),
    ]),
    "PodCondition": ProtoSchema(["type": (1, .string), "status": (2, .string), "lastProbeTime": (3, .time),
                                 "lastTransitionTime": (4, .time)]),
    "PodIP": ProtoSchema(["ip": (1, .string)]),
    "ContainerStatus": ProtoSchema([
        "name": (1, .string), "state": (2, .message("ContainerState")), "lastState": (3, .message("ContainerState")),
        "ready": (4, .bool), "restartCount": (5, .int), "image": (6, .string), "imageID": (7, .string),
        "containerID": (8, .string), "started": (9, .bool),
    ]),
    "ContainerState": ProtoSchema(["running": (2, .message("ContainerStateRunning"))]),
    "ContainerStateRunning": ProtoSchema(["startedAt": (1, .time)]),
]

/// Writes protobuf fields into a byte array.
private struct ProtoBytes {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func lengthDelimited(_ number: Int, _ payload: [UInt8]) {
        varint(UInt64(number) << 3 | 2)
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func varintField(_ number: Int, _ value: Int64) {
        varint(UInt64(number) << 3)
        varint(UInt64(bitPattern: value))
    }
}

struct ProtobufTranscoder {
    private var timeCache: [String: Int64] = [:]
    private let timeParser = ISO8601DateFormatter()

    /// One JSON list page (`PodList`, `ServiceAccountList`) as the API server's protobuf response:
    /// `k8s\0` + `runtime.Unknown {typeMeta {apiVersion, kind}, raw}`.
    mutating func listPage(fromJSON page: Data, itemSchema: String) throws -> [UInt8] {
        guard var list = try JSONSerialization.jsonObject(with: page) as? [String: Any] else {
            throw BenchError("a generated page is not a JSON object")
        }
        let kind = list.removeValue(forKey: "kind") as? String ?? ""
        let apiVersion = list.removeValue(forKey: "apiVersion") as? String ?? ""
        let raw = try encode(list, schema: "List", itemSchema: itemSchema)
        var typeMeta = ProtoBytes()
        typeMeta.lengthDelimited(1, Array(apiVersion.utf8))
        typeMeta.lengthDelimited(2, Array(kind.utf8))
        var unknown = ProtoBytes()
        unknown.lengthDelimited(1, typeMeta.bytes)
        unknown.lengthDelimited(2, raw)
        return [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
    }

    private mutating func encode(_ object: [String: Any], schema name: String, itemSchema: String) throws -> [UInt8] {
        let resolved = name == "Item" ? itemSchema : name
        guard let schema = schemas[resolved] else { throw BenchError("no protobuf schema for \(resolved)") }
        var fields: [(number: Int, kind: ProtoKind, value: Any)] = []
        var inlined: [String: Any] = [:]
        for (key, value) in object {
            if let field = schema.fields[key] {
                fields.append((field.number, field.kind, value))
            } else if schema.inlineRest != nil {
                inlined[key] = value
            } else {
                throw BenchError("\(resolved).\(key) has no protobuf field number in the transcoder's schema")
            }
        }
        if let rest = schema.inlineRest, !inlined.isEmpty { fields.append((rest.number, .message(rest.schema), inlined)) }
        var out = ProtoBytes()
        for field in fields.sorted(by: { $0.number < $1.number }) {
            let values = field.value as? [Any] ?? [field.value]
            for value in values where !(value is NSNull) {
                try write(value, number: field.number, kind: field.kind, itemSchema: itemSchema, to: &out)
            }
        }
        return out.bytes
    }

    private mutating func write(_ value: Any, number: Int, kind: ProtoKind, itemSchema: String, to out: inout ProtoBytes) throws {
        switch kind {
        case .string:
            guard let text = value as? String else { throw BenchError("field \(number) is not a string: \(value)") }
            out.lengthDelimited(number, Array(text.utf8))
        case .int:
            // JSONSerialization gives NSNumber on Darwin; be ready for Swift numbers elsewhere.
            guard let number64 = (value as? NSNumber)?.int64Value ?? (value as? Int).map(Int64.init) else {
                throw BenchError("field \(number) is not a number")
            }
            out.varintField(number, number64)
        case .bool:
            guard let flag = (value as? Bool) ?? (value as? NSNumber)?.boolValue else { throw BenchError("field \(number) is not a boolean") }
            out.varintField(number, flag ? 1 : 0)
        case .time:
            guard let text = value as? String else { throw BenchError("field \(number) is not a time") }
            var time = ProtoBytes()
            time.varintField(1, try seconds(text))
            out.lengthDelimited(number, time.bytes)
        case .message(let schema):
            guard let object = value as? [String: Any] else { throw BenchError("field \(number) is not an object") }
            out.lengthDelimited(number, try encode(object, schema: schema, itemSchema: itemSchema))
        case .stringMap, .quantityMap:
            guard let map = value as? [String: String] else { throw BenchError("field \(number) is not a map of strings") }
            for key in map.keys.sorted() {  // Go writes map entries in key order
                var entry = ProtoBytes()
                entry.lengthDelimited(1, Array(key.utf8))
                let text = Array((map[key] ?? "").utf8)
                if case .quantityMap = kind {
                    var quantity = ProtoBytes()
                    quantity.lengthDelimited(1, text)
                    entry.lengthDelimited(2, quantity.bytes)
                } else {
                    entry.lengthDelimited(2, text)
                }
                out.lengthDelimited(number, entry.bytes)
            }
        case .localObjectReference:
            guard let name = value as? String else { throw BenchError("field \(number) is not a name") }
            var reference = ProtoBytes()
            reference.lengthDelimited(1, Array(name.utf8))
            out.lengthDelimited(number, reference.bytes)
        }
    }

    private mutating func seconds(_ text: String) throws -> Int64 {
        if let known = timeCache[text] { return known }
        guard let date = timeParser.date(from: text) else { throw BenchError("not an RFC 3339 time: \(text)") }
        let seconds = Int64(date.timeIntervalSince1970)
        timeCache[text] = seconds
        return seconds
    }
}

extension PageFiles {
    var protobufPodPages: String { directory + "/pods.pb.pages" }
    var protobufServiceAccountPages: String { directory + "/serviceaccounts.pb.pages" }

    /// Transcodes the JSON page files to protobuf ones next to them, unless they are there already
    /// for the same JSON pages.
    func materialiseProtobuf() throws {
        let stamp = directory + "/pages.pb.txt"
        let description = ((try? String(contentsOfFile: directory + "/pages.txt", encoding: .utf8)) ?? "?") + " protobuf v1"
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) == description { return }
        let start = ProcessStats.monotonicSeconds()
        var transcoder = ProtobufTranscoder()
        for (json, protobuf, schema) in [(podPages, protobufPodPages, "Pod"), (serviceAccountPages, protobufServiceAccountPages, "ServiceAccount")] {
            var pages: [[UInt8]] = []
            try PageFile.forEachPage(at: json) { page in pages.append(try transcoder.listPage(fromJSON: page, itemSchema: schema)) }
            try PageFile.write(pages, to: protobuf)
        }
        try description.write(toFile: stamp, atomically: true, encoding: .utf8)
        print("transcoded pages to protobuf in \(Format.seconds(ProcessStats.monotonicSeconds() - start))")
    }
}
