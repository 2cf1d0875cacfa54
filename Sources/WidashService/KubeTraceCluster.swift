import Foundation
import WidashCore
import WidashKube
import WidashTrace

/// The trace engine's view of the cluster, served by the real Kubernetes client.
struct KubeTraceCluster: TraceCluster {
    let client: KubeClient

    func requestToken(namespace: String, serviceAccount: String, audience: String,
                      expirationSeconds: Int, boundPod: BoundPod?) async throws -> String {
        try await client.requestToken(namespace: namespace, serviceAccount: serviceAccount, audiences: [audience],
                                      expirationSeconds: expirationSeconds,
                                      boundPod: boundPod.map { (name: $0.name, uid: $0.uid) }).token
    }

    func issuerDiscovery() async throws -> (OIDCDiscovery, jwks: Data) {
        async let discovery = client.issuerDiscovery()
        async let jwks = client.issuerJWKS()
        return try await (discovery, jwks)
    }

    func readPodFile(namespace: String, pod: String, container: String?, path: String) async throws -> String {
        let read = try await client.readFile(namespace: namespace, pod: pod, container: container, path: path)
        return String(decoding: read.contents, as: UTF8.self)
    }

    /// Best effort: what cannot be read (no RBAC for webhook configurations) stays unknown.
    func clusterFacts(gkeWorkloadPool: String?) async -> ClusterFacts {
        async let discovery = try? client.issuerDiscovery()
        async let webhooks = try? client.mutatingWebhookConfigurations().items
        let (issuer, configs) = await (discovery?.issuer, webhooks)
        let snapshot = ClusterSnapshot(webhooks: configs ?? [], issuer: issuer, webhooksListed: configs != nil)
        return ClusterFacts(snapshot: snapshot, gkeWorkloadPool: gkeWorkloadPool)
    }
}
