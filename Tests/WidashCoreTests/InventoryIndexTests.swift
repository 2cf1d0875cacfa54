import Foundation
import XCTest
@testable import WidashCore

/// The incremental index must give exactly what a build from scratch gives, after any sequence of
/// changes; and it must rebuild only what changed.
final class InventoryIndexTests: XCTestCase {
    private let cluster = ClusterSnapshot(issuer: "https://issuer.example", issuerDiscoveryReachable: true, webhooksListed: true)

    private func fromScratch(_ accounts: [String: ServiceAccount], _ pods: [String: Pod], now: Date = Fx.now) -> Inventory {
        var snapshot = cluster
        snapshot.serviceAccounts = Array(accounts.values)
        snapshot.pods = Array(pods.values)
        return InventoryBuilder.build(snapshot: snapshot, now: now)
    }

    func testRandomChangesMatchABuildFromScratch() {
        var generator = SplitMix64(seed: 7)
        var index = InventoryIndex()
        index.setCluster(cluster)
        var accounts: [String: ServiceAccount] = [:]
        var pods: [String: Pod] = [:]
        let namespaces = ["shop", "pay", "ops"]
        let names = ["front", "back", "worker", "default"]
        for step in 0..<600 {
            let ns = namespaces.randomElement(using: &generator) ?? "shop"
            let name = names.randomElement(using: &generator) ?? "front"
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<2:
                let account = Bool.random(using: &generator) ? Fx.azureSA(ns, name) : Fx.sa(ns, name)
                accounts["\(ns)/\(name)"] = account
                index.upsert(account)
            case 2:
                accounts["\(ns)/\(name)"] = nil
                index.removeAccount(key: "\(ns)/\(name)")
            case 3..<8:
                let podName = "\(name)-\(Int.random(in: 0..<6, using: &generator))"
                let injected = Bool.random(using: &generator) ? Fx.azureInjected() : nil
                let pod = Fx.pod(ns, podName, sa: Bool.random(using: &generator) ? name : names.randomElement(using: &generator),
                                 labels: injected == nil ? [:] : [IdentityAnnotation.azureUseLabel: "true"], injected: injected)
                pods[pod.metadata.key] = pod
                index.upsert(pod)
            default:
                let key = "\(ns)/\(name)-\(Int.random(in: 0..<6, using: &generator))"
                pods[key] = nil
                index.removePod(key: key)
            }
            if step % 25 == 0 || step == 599 {
                XCTAssertEqual(index.inventory(now: Fx.now), fromScratch(accounts, pods), "after step \(step)")
            }
        }
        XCTAssertEqual(index.accountCount, accounts.count)
        XCTAssertEqual(index.podCount, pods.count)
        XCTAssertEqual(Set(index.podKeys), Set(pods.keys))
    }

    /// The one-shot load builds the entries of namespaces the pod list has passed while the rest
    /// arrives; a pod that comes later after all (a list not in key order) makes its entry build again.
    func testEntriesBuiltBeforeTheListEndsEqualABuildFromScratch() {
        var accounts: [String: ServiceAccount] = [:]
        var pods: [String: Pod] = [:]
        var index = InventoryIndex()
        index.setCluster(cluster)
        for n in 0..<120 {
            for a in 0..<10 {
                let account = Fx.azureSA(String(format: "ns-%03d", n), "sa-\(a)")
                accounts[Self.keyOf(account)] = account
                index.upsert(account)
            }
        }
        let ordered = (0..<120).flatMap { n in (0..<20).map { p in
            Fx.pod(String(format: "ns-%03d", n), "pod-\(p)", sa: "sa-\(p % 10)", labels: [IdentityAnnotation.azureUseLabel: "true"],
                   injected: Fx.azureInjected())
        } }
        let late = Fx.pod("ns-000", "pod-late", sa: "sa-3")
        for (offset, pod) in ordered.enumerated() {
            pods[pod.metadata.key] = pod
            index.upsert(pod)
            if offset % 200 == 199 { index.buildEntries(before: (pod.metadata.namespace ?? "") + "/", now: Fx.now, minimumBatch: 1) }
        }
        XCTAssertEqual(index.builtEntryCount, 119 * 10, "the entries of the namespaces the list passed were built early")
        pods[late.metadata.key] = late
        index.upsert(late)
        XCTAssertEqual(index.inventory(now: Fx.now), fromScratch(accounts, pods))
    }

    private static func keyOf(_ account: ServiceAccount) -> String { InventoryIndex.key(of: account) }

    func testABigBatchBuiltOnEveryCoreEqualsEntriesBuiltOneByOne() {
        var batch = InventoryIndex()
        var oneByOne = InventoryIndex()
        batch.setCluster(cluster)
        oneByOne.setCluster(cluster)
        for n in 0..<600 {
            let ns = "ns-\(n % 40)"
            let account = n % 3 == 0 ? Fx.azureSA(ns, "sa-\(n)") : Fx.sa(ns, "sa-\(n)")
            let pods = (0..<(n % 4)).map { replica in
                Fx.pod(ns, "sa-\(n)-\(replica)", sa: n % 7 == 0 ? "missing-\(n)" : "sa-\(n)",
                       labels: n % 3 == 0 ? [IdentityAnnotation.azureUseLabel: "true"] : [:],
                       injected: n % 3 == 0 ? Fx.azureInjected() : nil)
            }
            batch.upsert(account)
            oneByOne.upsert(account)
            for pod in pods {
                batch.upsert(pod)
                oneByOne.upsert(pod)
            }
            _ = oneByOne.inventory(now: Fx.now)  // a handful of dirty entries: built one at a time
        }
        let parallel = batch.inventory(now: Fx.now)  // 600+ dirty entries: built on every core
        XCTAssertEqual(parallel, oneByOne.inventory(now: Fx.now))
        XCTAssertGreaterThan(parallel.identities.count, 600, "accounts plus the missing ones pods name")
    }

    /// What changed since the last look: the rebuilt entries while the list stays the same, else
    /// nil (a consumer then looks at everything).
    func testChangesNameTheRebuiltEntriesWhileTheListStays() {
        var index = InventoryIndex(snapshot: ClusterSnapshot(serviceAccounts: [Fx.azureSA(), Fx.sa("pay", "reader")],
                                                             pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: Fx.azureInjected())],
                                                             issuer: "https://issuer.example"))
        _ = index.inventory(now: Fx.now)
        XCTAssertNil(index.takeChanges(), "the first list")
        _ = index.inventory(now: Fx.now)
        XCTAssertEqual(index.takeChanges(), [])
        var pod = Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: Fx.azureInjected())
        pod.metadata.resourceVersion = "2"
        index.upsert(pod)
        _ = index.inventory(now: Fx.now)
        _ = index.inventory(now: Fx.now)
        XCTAssertEqual(index.takeChanges(), ["shop/front"], "accumulated over two looks")
        index.upsert(Fx.sa("pay", "writer"))
        _ = index.inventory(now: Fx.now)
        XCTAssertNil(index.takeChanges(), "a new entry changes the list")
        index.setCluster(ClusterSnapshot(issuer: "https://other.example"))
        _ = index.inventory(now: Fx.now)
        XCTAssertNil(index.takeChanges(), "new cluster facts change every entry")
    }

    func testClusterFactsChangeEveryEntry() {
        var snapshot = cluster
        snapshot.serviceAccounts = [Fx.azureSA()]
        snapshot.pods = [Fx.pod("shop", "front-1", labels: [IdentityAnnotation.azureUseLabel: "true"], injected: Fx.azureInjected())]
        var index = InventoryIndex(snapshot: snapshot)
        XCTAssertEqual(index.inventory(now: Fx.now), InventoryBuilder.build(snapshot: snapshot, now: Fx.now))
        snapshot.webhooksListed = true
        snapshot.webhooks = []
        snapshot.issuer = "http://not-https.example"
        index.setCluster(snapshot)
        XCTAssertEqual(index.inventory(now: Fx.now), InventoryBuilder.build(snapshot: snapshot, now: Fx.now))
    }

    func testTokenSchedulesFollowTheClock() throws {
        var snapshot = cluster
        snapshot.serviceAccounts = [Fx.azureSA()]
        snapshot.pods = [Fx.pod("shop", "front-1", labels: [IdentityAnnotation.azureUseLabel: "true"], injected: Fx.azureInjected(ttl: 3600))]
        var index = InventoryIndex(snapshot: snapshot)
        let first = try XCTUnwrap(index.inventory(now: Fx.now).identities.first?.pods.first?.schedule)
        let later = Fx.now.addingTimeInterval(3 * 3600)
        let moved = try XCTUnwrap(index.inventory(now: later).identities.first?.pods.first?.schedule)
        XCTAssertGreaterThan(moved.issuedAt, first.issuedAt, "the kubelet refreshed the token since: the entry is rebuilt")
        XCTAssertEqual(index.inventory(now: later), InventoryBuilder.build(snapshot: snapshot, now: later))
    }

    func testAPodThatChangesServiceAccountMoves() {
        var index = InventoryIndex()
        index.setCluster(cluster)
        index.upsert(Fx.sa("shop", "front"))
        index.upsert(Fx.sa("shop", "back"))
        index.upsert(Fx.pod("shop", "p", sa: "front"))
        index.upsert(Fx.pod("shop", "p", sa: "back"))
        let inventory = index.inventory(now: Fx.now)
        XCTAssertEqual(inventory.identities.map { "\($0.key)=\($0.pods.map(\.name))" }, ["shop/back=[\"p\"]", "shop/front=[]"])
        XCTAssertEqual(index.podCount, 1)
    }
}
