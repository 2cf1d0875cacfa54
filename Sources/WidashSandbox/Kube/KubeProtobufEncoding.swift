import Foundation

// Kubernetes' protobuf encoding of what the sandbox serves as JSON: the objects (from their stored
// JSON, through the tables in KubeProtobufSchema.swift), their lists and Status errors, each in
// the envelope of k8s.io/apimachinery pkg/runtime/serializer/protobuf/protobuf.go: the magic
// "k8s\0", then one runtime.Unknown (pkg/runtime/generated.proto: typeMeta=1 {apiVersion=1 kind=2},
// raw=2, contentEncoding=3, contentType=4). The API server leaves contentEncoding and contentType
// empty, and Go's generated marshallers write fields in field-number order and map entries in key
// order; both are followed here so the bytes look like the real server's.

/// Appends protobuf wire-format fields.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A varint field; negative numbers as their 64-bit two's complement (protobuf's int32/int64).
    mutating func varintField(_ number: Int, _ value: Int64) {
        varint(UInt64(number) << 3)
        varint(UInt64(bitPattern: value))
    }

    mutating func bytesField(_ number: Int, _ payload: some Collection<UInt8>) {
        varint(UInt64(number) << 3 | 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func stringField(_ number: Int, _ text: String) { bytesField(number, Array(text.utf8)) }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 { size += 1; rest >>= 7 }
        return size
    }
}

/// The metadata of a list response (meta.v1.ListMeta).
struct KubeListMetaValues: Sendable, Equatable {
    var resourceVersion: String
    var continueToken: String?
    var remainingItemCount: Int?

    var protobuf: [UInt8] {
        var meta = ProtobufWriter()
        meta.stringField(2, resourceVersion)
        if let continueToken { meta.stringField(3, continueToken) }
        if let remainingItemCount { meta.varintField(4, Int64(remainingItemCount)) }
        return meta.bytes
    }
}

/// Why a JSON document could not be encoded at all (not JSON, or not an object). Members the tables
/// do not know are not errors: they are skipped (see `JSONToProtobufTranscoder.skipped`).
public struct KubeProtobufEncodingError: Error, CustomStringConvertible {
    public var description: String
}

public enum KubeProtobufEncoding {
    public static let contentType = KubeProtobuf.contentType

    /// One object's message (no envelope) from its JSON, with the JSON paths that were skipped.
    static func objectMessage(json: Data, kind: String) throws -> (bytes: [UInt8], skipped: [String]) {
        try JSONToProtobufTranscoder.transcode(json: json, schema: kind)
    }

    /// The messages of many objects of one kind, encoded in parallel slices (one per core). A
    /// document that is not a JSON object (a stored object's never is) becomes an empty message, so
    /// the list stays whole.
    static func messages(forJSON documents: [Data], kind: String) async -> [[UInt8]] {
        guard !documents.isEmpty else { return [] }
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, documents.count / 64))
        let sliceSize = (documents.count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for start in stride(from: 0, to: documents.count, by: sliceSize) {
                let slice = Array(documents[start..<min(start + sliceSize, documents.count)])
                group.addTask {
                    (start, slice.map { (try? objectMessage(json: $0, kind: kind).bytes) ?? [] })
                }
            }
            var results = [[UInt8]](repeating: [], count: documents.count)
            for await (start, messages) in group {
                results.replaceSubrange(start..<start + messages.count, with: messages)
            }
            return results
        }
    }

    /// The envelope around `raw` (an object's or a list's message).
    static func envelope(apiVersion: String, kind: String, rawCount: Int,
                         _ writeRaw: (inout Data) -> Void) -> Data {
        var typeMeta = ProtobufWriter()
        typeMeta.stringField(1, apiVersion)
        typeMeta.stringField(2, kind)
        var head = ProtobufWriter(bytes: KubeProtobuf.magic)
        head.bytesField(1, typeMeta.bytes)
        head.varint(2 << 3 | 2)
        head.varint(UInt64(rawCount))
        var out = Data(capacity: head.bytes.count + rawCount)
        out.append(contentsOf: head.bytes)
        writeRaw(&out)
        return out
    }

    /// A list response (`PodList`, `ServiceAccountList`) from the items' cached messages.
    static func list(apiVersion: String, listKind: String, metadata: KubeListMetaValues, items: [[UInt8]]) -> Data {
        let meta = metadata.protobuf
        let itemTag = ProtobufWriter.varintSize(2 << 3 | 2)
        let rawCount = items.reduce(1 + ProtobufWriter.varintSize(UInt64(meta.count)) + meta.count) {
            $0 + itemTag + ProtobufWriter.varintSize(UInt64($1.count)) + $1.count
        }
        return envelope(apiVersion: apiVersion, kind: listKind, rawCount: rawCount) { out in
            var head = ProtobufWriter()
            head.bytesField(1, meta)
            out.append(contentsOf: head.bytes)
            for item in items {
                var tag = ProtobufWriter()
                tag.varint(2 << 3 | 2)
                tag.varint(UInt64(item.count))
                out.append(contentsOf: tag.bytes)
                out.append(contentsOf: item)
            }
        }
    }

    /// A whole JSON list page (`{metadata, items}`) of `itemKind` objects (`Pod`, `ServiceAccount`) in
    /// protobuf, for widash-bench, which measures the client's decoders on the sandbox's own encoding
    /// of generated pages. (Core v1 lists only: the envelope says apiVersion v1.)
    public static func listFromJSON(_ page: Data, itemKind: String) throws -> Data {
        let listKind = itemKind + "List"
        let raw = try objectMessage(json: page, kind: listKind).bytes
        return envelope(apiVersion: "v1", kind: listKind, rawCount: raw.count) { $0.append(contentsOf: raw) }
    }
}

