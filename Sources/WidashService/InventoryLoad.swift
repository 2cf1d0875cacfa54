import Foundation
import WidashCore
import WidashKube

/// The one-shot inventory load (`widash identities`, the fleet's `--details`), overlapped end to
/// end: service accounts, pods and the cluster facts are listed at once; pod pages go into an
/// `InventoryIndex` as they arrive, and the entries of every namespace the pod list has passed are
/// built while the rest downloads. Loading everything first and building after left a core idle
/// during the download and the whole build after it (a third of a 50 000-pod load).
struct InventoryLoad {
    let kube: KubeClient
    let namespace: String?
    let now: Date

    /// The inventory, and the index holding the objects it was built from.
    func run() async throws -> (inventory: Inventory, index: InventoryIndex) {
        let (scope, narrowed) = try await kube.listScope(namespace)
        let (pages, sink) = AsyncStream<PodPage>.makeStream()
        let kube = self.kube
        async let podsListed: Void = {
            defer { sink.finish() }
            _ = try await kube.listPages(.pods, namespace: scope, as: Pod.self) { items, progress in
                sink.yield(PodPage(items: items, restarted: progress.pageIndex == 0))
            }
        }()
        async let accounts = kube.list(.serviceAccounts, namespace: scope, as: ServiceAccount.self)
        async let extras = kube.loadExtras(namespace: scope)

        // Entries need their account and the cluster facts: both come before any entry is built.
        let cluster = try await extras.snapshot(scope: scope, narrowed: narrowed)
        let accountItems = try await accounts.items
        func freshIndex() -> InventoryIndex {
            var cluster = cluster
            cluster.serviceAccounts = accountItems
            return InventoryIndex(snapshot: cluster)
        }
        var index = freshIndex()
        var delivered = false
        for await page in pages {
            // A first page again: the list restarted (its continue token expired); drop the old pods.
            if page.restarted && delivered { index = freshIndex() }
            delivered = true
            for pod in page.items { index.upsert(pod) }
            if let last = page.items.last {
                index.buildEntries(before: (last.metadata.namespace ?? "default") + "/", now: now)
            }
        }
        try await podsListed
        return (index.inventory(now: now), index)
    }

    private struct PodPage: Sendable {
        var items: [Pod]
        var restarted: Bool
    }
}
