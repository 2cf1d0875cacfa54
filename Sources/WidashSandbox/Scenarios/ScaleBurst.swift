import Foundation

/// A burst of pod updates for the watch benchmark (issue "Scale and speed", (d)): many pods of the
/// scale scenario turn not-ready (or ready again) at once, as when a node pool drains or a shared
/// dependency fails its readiness probes.
///
/// The change is made in the pods' pre-rendered JSON bytes — the container's `ready` flag and the
/// `Ready` and `ContainersReady` conditions — so a 50 000-pod burst costs a few copies of the bytes,
/// not 50 000 encoder runs. Prepared objects are stamped with the resourceVersions the store will
/// give them, so pushing them is only bookkeeping and writes (see `ClusterStore.applyPrepared`).
public struct ScaleBurst: Sendable {
    /// The pods the burst changes ("namespace/name"), in the order their events are sent.
    public let podKeys: [String]
    /// The readiness every changed pod has afterwards.
    public let ready: Bool
    /// Time spent preparing the changed objects (not part of the push).
    public let prepareSeconds: Double
    let objects: [PreRenderedObject]
    let firstResourceVersion: Int

    /// Prepares a burst over `events` pods spread evenly through `entries` (all of them when
    /// `events` ≥ their count). Throws when a pod is not one the scale scenario rendered.
    static func prepare(_ entries: [StoredEntry], events: Int, ready: Bool,
                        firstResourceVersion: Int) async throws -> ScaleBurst {
        let start = DispatchTime.now().uptimeNanoseconds
        let count = min(max(0, events), entries.count)
        // Evenly spread: pod i·n/count for i in 0..<count (distinct because count ≤ n).
        let chosen = (0..<count).map { entries[$0 * entries.count / max(1, count)] }
        let objects = try await ScaleScenario.inParallel(count: chosen.count) { range in
            try range.map { index -> PreRenderedObject in
                let entry = chosen[index]
                guard let object = entry.object as? PreRenderedObject else {
                    throw ScaleBurstError(detail: "pod \(entry.key) is not pre-rendered; bursts need the scale scenario")
                }
                guard let changed = settingReadiness(object, ready: ready) else {
                    throw ScaleBurstError(detail: "pod \(entry.key) has no container ready flag to change")
                }
                return changed.stamped(resourceVersion: firstResourceVersion + index)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return ScaleBurst(podKeys: chosen.map(\.key), ready: ready, prepareSeconds: seconds, objects: objects,
                          firstResourceVersion: firstResourceVersion)
    }

    // MARK: Editing the bytes

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private static let readyTrue = bytes(#""ready":true"#), readyFalse = bytes(#""ready":false"#)
    private static let conditionTrue = [bytes(#""status":"True","type":"Ready"}"#), bytes(#""status":"True","type":"ContainersReady"}"#)]
    private static let conditionFalse = [bytes(#""status":"False","type":"Ready"}"#), bytes(#""status":"False","type":"ContainersReady"}"#)]

    /// The pod with its container and its Ready/ContainersReady conditions set to `ready`; the same
    /// pod when it already is; nil when its JSON has no container ready flag. Edits happen after the
    /// resourceVersion's bytes, so `resourceVersionRange` stays valid.
    static func settingReadiness(_ object: PreRenderedObject, ready: Bool) -> PreRenderedObject? {
        var json = [UInt8](object.json)
        let from = object.resourceVersionRange.upperBound
        let (old, new) = ready ? (readyFalse, readyTrue) : (readyTrue, readyFalse)
        if !replace(old, with: new, in: &json, from: from) {
            guard find(new, in: json, from: from) != nil else { return nil }
        }
        for (index, condition) in (ready ? conditionFalse : conditionTrue).enumerated() {
            _ = replace(condition, with: (ready ? conditionTrue : conditionFalse)[index], in: &json, from: from)
        }
        var copy = object
        copy.json = Data(json)
        return copy
    }

    /// The container ready flag in a pod's JSON; nil when there is none.
    static func readiness(_ json: Data) -> Bool? {
        let bytes = [UInt8](json)
        if find(readyTrue, in: bytes, from: 0) != nil { return true }
        if find(readyFalse, in: bytes, from: 0) != nil { return false }
        return nil
    }

    private static func replace(_ old: [UInt8], with new: [UInt8], in json: inout [UInt8], from: Int) -> Bool {
        guard let at = find(old, in: json, from: from) else { return false }
        json.replaceSubrange(at..<(at + old.count), with: new)
        return true
    }

    /// The first index of `needle` in `haystack` at or after `from` (memchr for the first byte, then
    /// compare: fast even in debug builds, where a plain Swift loop over 200 MB is slow).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, from >= 0 else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            needle.withUnsafeBufferPointer { pin -> Int? in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return nil }
                var position = from
                while position + pin.count <= hay.count {
                    guard let hit = memchr(base + position, Int32(first), hay.count - position) else { return nil }
                    let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if index + pin.count > hay.count { return nil }
                    if memcmp(base + index, pinBase, pin.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }
}

/// What one pushed burst took on the server side.
public struct ScaleBurstReport: Sendable {
    public var events: Int
    /// `DispatchTime.now().uptimeNanoseconds` when the first event was handed to the watches.
    public var startedAtNanoseconds: UInt64
    /// Time to hand every event to the watches (they are written out as the connections drain).
    public var pushSeconds: Double
    /// Writes the events went out in (many events per chunk).
    public var chunks: Int
}

/// Why a burst could not be prepared.
public struct ScaleBurstError: Error, CustomStringConvertible, Sendable {
    public var detail: String
    public var description: String { "scale burst: \(detail)" }
}
