import ArgumentParser
import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashService

/// What one `measure-load` child measured: widash's full inventory load, as `widash identities`
/// does it (kubeconfig → libcurl/TLS → paged lists decoded selectively → identity index, built
/// while the pods download).
struct LoadMeasurement: Codable {
    /// The load itself: every list and the identity index, after the client was warmed up.
    var loadSeconds: Double
    var peakRSSBytes: Int
    /// RSS before the load (client created, one request made, heap trimmed).
    var baselineRSSBytes: Int
    /// RSS held after the load with the index (holding the objects) and the inventory alive, heap trimmed.
    var heldBytes: Int
    /// The same with only the inventory alive (what `widash identities` keeps).
    var heldInventoryBytes: Int
    /// The live heap (allocated, not freed) held after the load with the snapshot and the inventory,
    /// and with the inventory alone: what RSS would be without fragmentation.
    var heapHeldBytes: Int
    var heapHeldInventoryBytes: Int
    var pods: Int
    var serviceAccounts: Int
    var namespaces: Int
    var webhooks: Int
    var identities: Int
    var inventoryPods: Int
}

/// The child side of `load`: one full inventory load through the real client path, one JSON line.
struct MeasureLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure-load", shouldDisplay: false)

    @Option var kubeconfig: String

    func run() async throws {
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: kubeconfig))
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudEnvironment: [:], readOnly: true))
        // Warm up libcurl, TLS and the runtime with one small request: start-up is not the load.
        _ = try await session.kube.serverVersion()
        ProcessStats.trimHeap()
        let baseline = ProcessStats.currentRSS() ?? 0
        let heapBaseline = ProcessStats.heapInUse() ?? 0

        let start = ProcessStats.monotonicSeconds()
        // What `widash identities` does (ClusterSession.inventory), keeping the index with the objects.
        var loaded: (inventory: Inventory, index: InventoryIndex)? = try await session.inventoryAndIndex(namespace: nil)
        let seconds = ProcessStats.monotonicSeconds() - start
        let inventory = loaded?.inventory ?? Inventory(issuer: nil, webhooks: [], identities: [], clusterFindings: [])

        ProcessStats.trimHeap()
        let held = (ProcessStats.currentRSS() ?? 0) - baseline
        let heapHeld = (ProcessStats.heapInUse() ?? 0) - heapBaseline
        let counts = loaded.map { ($0.index.podCount, $0.index.accountCount, $0.index.clusterFacts.namespaces.count,
                                   $0.index.clusterFacts.webhooks.count) } ?? (0, 0, 0, 0)
        loaded = nil
        ProcessStats.trimHeap()
        let heldInventory = (ProcessStats.currentRSS() ?? 0) - baseline
        let heapHeldInventory = (ProcessStats.heapInUse() ?? 0) - heapBaseline
        let measurement = withExtendedLifetime(inventory) {
            LoadMeasurement(
                loadSeconds: seconds, peakRSSBytes: ProcessStats.peakRSS() ?? 0, baselineRSSBytes: baseline,
                heldBytes: held, heldInventoryBytes: heldInventory,
                heapHeldBytes: heapHeld, heapHeldInventoryBytes: heapHeldInventory, pods: counts.0, serviceAccounts: counts.1,
                namespaces: counts.2, webhooks: counts.3, identities: inventory.identities.count,
                inventoryPods: inventory.identities.reduce(0) { $0 + $1.pods.count })
        }
        print(String(decoding: try JSONEncoder().encode(measurement), as: UTF8.self))
    }
}
