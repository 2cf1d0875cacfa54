import Foundation
import WidashCore
import WidashKubeJSON

// The envelope, from k8s.io/apimachinery (kubernetes/apimachinery at eed236ce, 2026-07-23):
//   pkg/runtime/serializer/protobuf/protobuf.go  protoEncodingPrefix = {0x6b, 0x38, 0x73, 0x00} ("k8s\0"),
//                                                followed by one runtime.Unknown message
//   pkg/runtime/generated.proto                  Unknown   typeMeta=1 raw=2 (bytes) contentEncoding=3 contentType=4
//                                                TypeMeta  apiVersion=1 kind=2
// `raw` holds the object itself (a Pod, a PodList, …) in the types' own protobuf encoding.

/// Decodes Kubernetes protobuf responses (`Accept: application/vnd.kubernetes.protobuf`) into the
/// same WidashCore values and list metadata as `KubeListDecoder` makes of the equivalent JSON,
/// reading only the fields those types hold and skipping every other field by its length.
///
/// Pass one `KubeProtobufInternTable` to all pages of a list so repeated strings and lists are
/// stored once; without one, each call uses its own.
public enum KubeProtobufDecoder {
    /// The content type to ask for (with JSON as the fallback: `…protobuf, application/json`).
    public static let contentType = "application/vnd.kubernetes.protobuf"
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// Decodes a list page (`PodList`, `ServiceAccountList`).
    public static func decodeList<Item: KubeProtobufDecodable>(
        _ bytes: some Collection<UInt8>, as type: Item.Type = Item.self, interner: KubeProtobufInternTable? = nil
    ) throws -> KubeListPage<Item> {
        try withEnvelope(bytes, kind: Item.protobufListKind, interner: interner) { r in
            var meta = KubeListMetadata()
            var items: [Item] = []
            while let field = try r.nextField() {
                switch field.number {
                case 1: meta = try r.message(field, "List.metadata") { r in try r.readListMeta() }
                case 2: items.append(try r.message(field, "List.items") { r in try Item.decode(protobuf: &r) })
                default: try r.skip(field)
                }
            }
            return KubeListPage(items: items, resourceVersion: meta.resourceVersion, continueToken: meta.continueToken,
                                remainingItemCount: meta.remainingItemCount)
        }
    }

    public static func decodePodList(_ bytes: some Collection<UInt8>, interner: KubeProtobufInternTable? = nil) throws -> KubeListPage<Pod> {
        try decodeList(bytes, as: Pod.self, interner: interner)
    }

    public static func decodeServiceAccountList(_ bytes: some Collection<UInt8>,
                                                interner: KubeProtobufInternTable? = nil) throws -> KubeListPage<ServiceAccount> {
        try decodeList(bytes, as: ServiceAccount.self, interner: interner)
    }

    /// Decodes one object (e.g. the body of a GET).
    public static func decodeObject<Item: KubeProtobufDecodable>(
        _ bytes: some Collection<UInt8>, as type: Item.Type = Item.self, interner: KubeProtobufInternTable? = nil
    ) throws -> Item {
        try withEnvelope(bytes, kind: Item.protobufKind, interner: interner) { r in try Item.decode(protobuf: &r) }
    }

    /// Only the list's metadata (for the continue token and remainingItemCount), without decoding
    /// items. Does not validate the rest.
    public static func peekListMetadata(_ bytes: some Collection<UInt8>) throws -> KubeListMetadata {
        try withEnvelope(bytes, kind: nil, interner: nil) { r in
            while let field = try r.nextField() {
                if field.number == 1 { return try r.message(field, "List.metadata") { r in try r.readListMeta() } }
                try r.skip(field)
            }
            return KubeListMetadata()
        }
    }

    // MARK: - Envelope

    /// Checks the magic, reads the `runtime.Unknown` around the object, and runs `body` on a reader
    /// narrowed to `raw`. `kind` (when given) must match the envelope's `typeMeta.kind`, so that a
    /// `Status` (an error the server sent instead) is reported as such.
    static func withEnvelope<Result>(_ bytes: some Collection<UInt8>, kind: String?, interner: KubeProtobufInternTable?,
                                     _ body: (inout ProtobufReader) throws -> Result) throws -> Result {
        if let data = bytes as? Data {
            return try data.withUnsafeBytes { raw in try run(raw, kind: kind, interner: interner, body) }
        }
        if let result = try bytes.withContiguousStorageIfAvailable({ buffer in
            try run(UnsafeRawBufferPointer(buffer), kind: kind, interner: interner, body)
        }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { raw in try run(raw, kind: kind, interner: interner, body) }
    }

    private static func run<Result>(_ raw: UnsafeRawBufferPointer, kind: String?, interner: KubeProtobufInternTable?,
                                    _ body: (inout ProtobufReader) throws -> Result) throws -> Result {
        let bytes = raw.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress, bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else {
            throw KubeProtobufError(.missingMagic, offset: 0)
        }
        let table = interner ?? KubeProtobufInternTable()
        return try table.withStore { store in
            // The string table moves into the reader and back, whatever happens.
            var reader = ProtobufReader(base, count: bytes.count, store: store, strings: store.strings)
            store.strings = ProtobufStringTable(maxEntries: 0, capacity: 1)
            defer { store.strings = reader.strings }
            reader.pos = magic.count
            var rawField: ProtobufField?
            var foundKind = ""
            while let field = try reader.nextField() {
                switch field.number {
                case 1:
                    foundKind = try reader.message(field, "Unknown.typeMeta") { r in try r.readOnlyString(number: 2, "TypeMeta.kind") }
                case 2:
                    rawField = field
                    _ = try reader.readLength(field, "Unknown.raw")
                case 3:
                    let encoding = try reader.readString(field, "Unknown.contentEncoding", intern: false)
                    if !encoding.isEmpty { throw reader.error(.unsupportedContentEncoding(encoding), at: field.tagOffset) }
                default: try reader.skip(field)
                }
            }
            if let kind, !foundKind.isEmpty, foundKind != kind {
                throw reader.error(.unexpectedKind(expected: kind, found: foundKind), at: magic.count)
            }
            guard let rawField else { throw reader.error(.missingField("raw (the object in the envelope)"), at: magic.count) }
            reader.pos = rawField.tagOffset
            reader.end = bytes.count
            guard let field = try reader.nextField() else { throw reader.error(.missingField("raw"), at: magic.count) }
            return try reader.message(field, "Unknown.raw", body)
        }
    }
}
