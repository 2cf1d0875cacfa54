import Foundation

/// A protobuf list's items as the store has them: cached messages, and objects not encoded yet.
struct ProtobufListPlan: Sendable {
    enum Item: Sendable {
        case cached([UInt8])
        case pending(key: String, resourceVersion: Int, json: Data)
    }

    var metadata: KubeListMetaValues
    var items: [Item]
}

extension KubeAPI {
    /// A list of pods or service accounts in protobuf (issue #17): the same page as the JSON list,
    /// from the store's per-object message cache; objects not encoded yet are encoded here, outside
    /// the store's actor and on every core, then cached.
    func protobufList(_ resource: ResourceType, query: ObjectQuery, limit: Int?, continueToken: String?) async throws -> Data {
        let plan = try await store.protobufListPlan(resource, query: query, limit: limit, continueToken: continueToken)
        var pending: [(index: Int, key: String, resourceVersion: Int, json: Data)] = []
        for (index, item) in plan.items.enumerated() {
            if case .pending(let key, let resourceVersion, let json) = item { pending.append((index, key, resourceVersion, json)) }
        }
        let encoded = await KubeProtobufEncoding.messages(forJSON: pending.map(\.json), kind: resource.kind)
        await store.cacheProtobuf(resource, zip(pending, encoded).map { ($0.key, $0.resourceVersion, $1) })
        var items: [[UInt8]] = []
        items.reserveCapacity(plan.items.count)
        var next = 0
        for item in plan.items {
            switch item {
            case .cached(let message): items.append(message)
            case .pending:
                items.append(encoded[next])
                next += 1
            }
        }
        return KubeProtobufEncoding.list(apiVersion: resource.groupVersion, listKind: resource.listKind, metadata: plan.metadata, items: items)
    }
}
