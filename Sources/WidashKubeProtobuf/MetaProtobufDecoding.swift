import WidashCore
import WidashKubeJSON

// Field numbers from k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto (kubernetes/apimachinery
// at eed236ce, 2026-07-23):
//   ObjectMeta      name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7
//                   creationTimestamp=8 (Time) deletionTimestamp=9 deletionGracePeriodSeconds=10
//                   labels=11 annotations=12 (map<string,string>) ownerReferences=13 finalizers=14
//                   managedFields=17
//   OwnerReference  kind=1 name=3 uid=4 apiVersion=5 controller=6 blockOwnerDeletion=7
//   ListMeta        selfLink=1 resourceVersion=2 continue=3 remainingItemCount=4 (int64) shardInfo=5
//   map entries     key=1 value=2 (protobuf's map encoding)
//
// Absent fields are Go's zero values; the JSON widash compares against is what Go's encoding/json
// writes for them: `omitempty` fields ("" / empty map / empty list) are left out, which the JSON
// decoder reads as nil, so they become nil here too. Of repeated scalars, the last one wins (Go's
// protobuf unmarshalling); repeated fields of lists append.

/// A Kubernetes object that `KubeProtobufDecoder` can read from protobuf.
public protocol KubeProtobufDecodable: Sendable {
    /// `kind` in the envelope of one object (`Pod`), and of its list (`PodList`).
    static var protobufKind: String { get }
    static var protobufListKind: String { get }
    /// Reads one object from the message the reader is positioned in.
    static func decode(protobuf reader: inout ProtobufReader) throws -> Self
}

@inline(__always)
func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

extension ObjectMeta {
    static func read(protobuf r: inout ProtobufReader) throws -> ObjectMeta {
        let start = r.pos
        var name = "", namespace = "", uid = "", resourceVersion = ""
        var created: String?
        var labels: [String: String]?, annotations: [String: String]?, owners: [OwnerReference]?
        while let field = try r.nextField() {
            switch field.number {
            case 1: name = try r.readString(field, "ObjectMeta.name", intern: false)
            case 3: namespace = try r.readString(field, "ObjectMeta.namespace", intern: true)
            case 5: uid = try r.readString(field, "ObjectMeta.uid", intern: false)
            case 6: resourceVersion = try r.readString(field, "ObjectMeta.resourceVersion", intern: false)
            case 8: created = try r.readTime(field, "ObjectMeta.creationTimestamp")
            case 11: labels = try r.readStringMap(field, "ObjectMeta.labels", adding: labels)
            case 12: annotations = try r.readStringMap(field, "ObjectMeta.annotations", adding: annotations)
            case 13:
                let run = try r.cachedRun(field, "ObjectMeta.ownerReferences", cache: r.store.ownerReferenceLists,
                                          startingWith: []) { r, list in list.append(try OwnerReference.read(protobuf: &r)) }
                owners = owners.map { $0 + run } ?? run
            default: try r.skip(field)
            }
        }
        guard !name.isEmpty else { throw r.error(.missingField("metadata.name"), at: start) }
        return ObjectMeta(name: name, namespace: nonEmpty(namespace), uid: nonEmpty(uid), resourceVersion: nonEmpty(resourceVersion),
                          creationTimestamp: created, labels: labels.flatMap { $0.isEmpty ? nil : $0 },
                          annotations: annotations.flatMap { $0.isEmpty ? nil : $0 },
                          ownerReferences: owners.flatMap { $0.isEmpty ? nil : $0 })
    }
}

extension OwnerReference {
    static func read(protobuf r: inout ProtobufReader) throws -> OwnerReference {
        var kind = "", name = ""
        while let field = try r.nextField() {
            switch field.number {
            case 1: kind = try r.readString(field, "OwnerReference.kind", intern: true)
            case 3: name = try r.readString(field, "OwnerReference.name", intern: true)
            default: try r.skip(field)
            }
        }
        return OwnerReference(kind: kind, name: name)
    }
}

extension ProtobufReader {
    /// A `map<string, string>` (a run of `{key = 1, value = 2}` entries), shared when its bytes repeat.
    mutating func readStringMap(_ first: ProtobufField, _ what: StaticString, adding earlier: [String: String]?) throws -> [String: String] {
        let run = try cachedRun(first, what, cache: store.maps, startingWith: [:]) { r, map in
            var key = "", value = ""
            while let field = try r.nextField() {
                switch field.number {
                case 1: key = try r.readString(field, what, intern: true)
                case 2: value = try r.readString(field, what, intern: true)
                default: try r.skip(field)
                }
            }
            map[key] = value
        }
        guard let earlier else { return run }
        return earlier.merging(run) { _, later in later }
    }

    /// `ListMeta`.
    mutating func readListMeta() throws -> KubeListMetadata {
        var meta = KubeListMetadata()
        var resourceVersion = "", continueToken = ""
        while let field = try nextField() {
            switch field.number {
            case 2: resourceVersion = try readString(field, "ListMeta.resourceVersion", intern: false)
            case 3: continueToken = try readString(field, "ListMeta.continue", intern: false)
            case 4: meta.remainingItemCount = try readInt(field, "ListMeta.remainingItemCount")
            default: try skip(field)
            }
        }
        meta.resourceVersion = nonEmpty(resourceVersion)
        meta.continueToken = nonEmpty(continueToken)
        return meta
    }
}

// k8s.io/api/core/v1/generated.proto (kubernetes/api at 10b39a39, 2026-07-24):
//   ServiceAccount      metadata=1 secrets=2 imagePullSecrets=3 automountServiceAccountToken=4
//   ServiceAccountList  metadata=1 (ListMeta) items=2
extension ServiceAccount: KubeProtobufDecodable {
    public static var protobufKind: String { "ServiceAccount" }
    public static var protobufListKind: String { "ServiceAccountList" }

    public static func decode(protobuf r: inout ProtobufReader) throws -> ServiceAccount {
        let start = r.pos
        var metadata: ObjectMeta?
        while let field = try r.nextField() {
            if field.number == 1 {
                metadata = try r.message(field, "ServiceAccount.metadata", ObjectMeta.read)
            } else {
                try r.skip(field)
            }
        }
        guard let metadata else { throw r.error(.missingField("metadata"), at: start) }
        return ServiceAccount(metadata: metadata)
    }
}
