import Foundation

/// How many objects the sandbox serves, by kind (benchmarks compare a client's counts with these).
public struct SandboxObjectCounts: Sendable, Equatable, CustomStringConvertible {
    public var namespaces: Int
    public var serviceAccounts: Int
    public var pods: Int
    public var mutatingWebhookConfigurations: Int

    public init(namespaces: Int, serviceAccounts: Int, pods: Int, mutatingWebhookConfigurations: Int) {
        self.namespaces = namespaces
        self.serviceAccounts = serviceAccounts
        self.pods = pods
        self.mutatingWebhookConfigurations = mutatingWebhookConfigurations
    }

    public var description: String {
        "namespaces=\(namespaces) serviceAccounts=\(serviceAccounts) pods=\(pods) webhooks=\(mutatingWebhookConfigurations)"
    }
}

/// Entry points for the scale benchmarks (`widash-bench load` and `watch`).
extension SandboxServer {
    /// The objects the sandbox serves now, by kind.
    public func objectCounts() async -> SandboxObjectCounts {
        SandboxObjectCounts(namespaces: await store.count(.namespaces), serviceAccounts: await store.count(.serviceAccounts),
                            pods: await store.count(.pods),
                            mutatingWebhookConfigurations: await store.count(.mutatingWebhookConfigurations))
    }

    /// Encodes every pod and service account to protobuf now, as a first protobuf list would, so
    /// that a benchmark's first contender does not pay the sandbox's one-off encoding (a real API
    /// server's encoding cost is not the client's either).
    public func encodeProtobufLists() async throws {
        for resource in [ResourceType.pods, .serviceAccounts] {
            _ = try await kube.protobufList(resource, query: ObjectQuery(), limit: nil, continueToken: nil)
        }
    }

    /// Every pod's container readiness as served now, by "namespace/name" (nil: the pod's JSON has
    /// no container ready flag). What a client's view must equal after a burst.
    public func podReadiness() async -> [String: Bool?] {
        let entries = await store.objects(.pods)
        var result: [String: Bool?] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries { result[entry.key] = ScaleBurst.readiness(entry.json) }
        return result
    }

    /// Prepares a burst that sets the readiness of `events` pods (spread evenly; all when `events`
    /// ≥ the pod count) to `ready`. Push it with `push(_:)` before anything else changes the cluster
    /// (otherwise the push restamps the objects, which costs time but stays correct).
    public func prepareReadinessBurst(events: Int, ready: Bool) async throws -> ScaleBurst {
        let entries = await store.objects(.pods)
        let first = await store.currentResourceVersion + 1
        return try await ScaleBurst.prepare(entries, events: events, ready: ready, firstResourceVersion: first)
    }

    /// Applies a prepared burst: every pod changes in one go and the watches get a MODIFIED event
    /// each, many events per write. Returns when every event was handed to the watches.
    public func push(_ burst: ScaleBurst, eventsPerChunk: Int = 256) async -> ScaleBurstReport {
        await store.applyPrepared(.pods, burst.objects, firstResourceVersion: burst.firstResourceVersion,
                                  eventsPerChunk: eventsPerChunk)
    }
}
