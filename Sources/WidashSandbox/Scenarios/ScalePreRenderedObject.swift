import Foundation

/// An object the store holds as its rendered JSON plus the little it needs to answer queries
/// (name, namespace, uid, labels, selectable fields) — not as a typed value. The scale scenario's
/// 50 000 pods are stored this way: a few KB of bytes each instead of a tree of Swift values.
///
/// The store re-stamps `resourceVersion` (on update or delete) by splicing it into the bytes at
/// `resourceVersionRange`, so the object never goes through an encoder again.
struct PreRenderedObject: KubeObject {
    var metadata: ObjectMeta
    /// The object's JSON, with `metadata.resourceVersion` at `resourceVersionRange`.
    var json: Data
    var resourceVersionRange: Range<Int>
    /// The values a fieldSelector may name (`spec.nodeName`, `status.phase`, …), beyond name and namespace.
    var selectableFields: [String: String]

    /// The JSON with `metadata.resourceVersion` set to `resourceVersion`.
    func renderedJSON(resourceVersion: Int) -> Data {
        let stamp = Data(String(resourceVersion).utf8)
        let lower = json.startIndex + resourceVersionRange.lowerBound
        let upper = json.startIndex + resourceVersionRange.upperBound
        if json[lower..<upper] == stamp { return json }
        var out = Data(capacity: json.count + stamp.count)
        out.append(json[json.startIndex..<lower])
        out.append(stamp)
        out.append(json[upper..<json.endIndex])
        return out
    }

    /// The same object stamped with a new resourceVersion (the range moves with the stamp's length).
    func stamped(resourceVersion: Int) -> PreRenderedObject {
        var copy = self
        copy.json = renderedJSON(resourceVersion: resourceVersion)
        let length = String(resourceVersion).utf8.count
        copy.resourceVersionRange = resourceVersionRange.lowerBound..<(resourceVersionRange.lowerBound + length)
        copy.metadata.resourceVersion = String(resourceVersion)
        return copy
    }

    /// Encoding through an `Encoder` (only for code that encodes any `KubeObject` generically; the
    /// store uses `renderedJSON`): the same content, via `JSONValue`, key order not preserved.
    func encode(to encoder: any Encoder) throws {
        let data = metadata.resourceVersion.flatMap { Int($0) }.map(renderedJSON) ?? json
        let value = try JSONDecoder().decode(JSONValue.self, from: data)
        try value.encode(to: encoder)
    }
}
