import Foundation
import WidashCore
import WidashKube

/// One state of the live inventory.
public struct InventoryFeedUpdate: Sendable {
    public var inventory: Inventory
    /// Lists finished so far and in all (service accounts, pods); equal once the first lists are done.
    public var loaded: Int
    public var expected: Int
    /// A problem to show while the rest keeps working (nil when all is well).
    public var problem: String?
}

/// The inventory kept live: service accounts and pods by list + watch (`ListWatch`, which relists
/// on 410 and reconnects with backoff), the slower-changing rest (webhooks, aad-pod-identity,
/// issuer) re-read periodically. Bursts of watch events are coalesced: the inventory is rebuilt
/// at most every `coalesce` interval, never per event.
public struct InventoryFeed: Sendable {
    public let session: ClusterSession
    public let namespace: String?
    public var coalesce: Duration = .milliseconds(150)
    public var extrasRefresh: Duration = .seconds(30)

    public init(session: ClusterSession, namespace: String?) {
        self.session = session
        self.namespace = namespace
    }

    public func updates() -> AsyncStream<InventoryFeedUpdate> {
        AsyncStream { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ out: AsyncStream<InventoryFeedUpdate>.Continuation) async {
        let state = FeedState()
        let kube = session.kube
        let accounts = ListWatch<ServiceAccount>(client: kube, resource: .serviceAccounts, namespace: namespace)
        let pods = ListWatch<Pod>(client: kube, resource: .pods, namespace: namespace)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in accounts.events() { await state.applyAccounts(event) }
            }
            group.addTask {
                for await event in pods.events() { await state.applyPods(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    await state.setExtras(await loadExtras())
                    try? await Task.sleep(for: extrasRefresh)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if let snapshot = await state.takeIfDirty() {
                        let inventory = InventoryBuilder.build(snapshot: snapshot.snapshot, now: Date())
                        out.yield(InventoryFeedUpdate(inventory: inventory, loaded: snapshot.loaded, expected: 2,
                                                      problem: snapshot.problem))
                    }
                    try? await Task.sleep(for: coalesce)
                }
            }
            await group.waitForAll()
        }
        out.finish()
    }

    /// Webhooks, aad-pod-identity objects and the issuer: read with the snapshot loader's rules.
    private func loadExtras() async -> Extras {
        let kube = session.kube
        var extras = Extras()
        async let webhooks = try? kube.mutatingWebhookConfigurations().items
        async let identities = try? kube.azureIdentities(namespace: namespace).items
        async let bindings = try? kube.azureIdentityBindings(namespace: namespace).items
        async let discovery = try? kube.issuerDiscovery()
        extras.webhooks = await webhooks
        extras.azureIdentities = await identities ?? []
        extras.azureIdentityBindings = await bindings ?? []
        let issuer = await discovery
        extras.issuer = issuer?.issuer
        extras.issuerReachable = issuer != nil
        return extras
    }
}

struct Extras: Sendable {
    var webhooks: [MutatingWebhookConfiguration]?
    var azureIdentities: [AzureIdentity] = []
    var azureIdentityBindings: [AzureIdentityBinding] = []
    var issuer: String?
    var issuerReachable: Bool?
}

/// The feed's stores; an actor so list+watch tasks and the builder never race.
actor FeedState {
    var accounts: [String: ServiceAccount] = [:]
    var pods: [String: Pod] = [:]
    var listed: Set<String> = []
    var extras = Extras()
    var problems: [String: String] = [:]
    var dirty = false

    func applyAccounts(_ event: ListWatchEvent<ServiceAccount>) { apply(event, to: &accounts, list: "service accounts") }
    func applyPods(_ event: ListWatchEvent<Pod>) { apply(event, to: &pods, list: "pods") }

    private func apply<T: KubeObject>(_ event: ListWatchEvent<T>, to store: inout [String: T], list: String) {
        switch event {
        case .relisted(let items):
            store = Dictionary(items.map { ($0.metadata.key, $0) }, uniquingKeysWith: { $1 })
            listed.insert(list)
            problems[list] = nil
        case .added(let o), .modified(let o):
            store[o.metadata.key] = o
        case .deleted(let o):
            store[o.metadata.key] = nil
        case .problem(let message):
            problems[list] = "\(list): \(message)"
        }
        dirty = true
    }

    func setExtras(_ value: Extras) {
        extras = value
        dirty = true
    }

    func takeIfDirty() -> (snapshot: ClusterSnapshot, loaded: Int, problem: String?)? {
        guard dirty, !listed.isEmpty else { return nil }
        dirty = false
        let snapshot = ClusterSnapshot(
            serviceAccounts: accounts.values.sorted { $0.metadata.key < $1.metadata.key },
            pods: pods.values.sorted { $0.metadata.key < $1.metadata.key },
            webhooks: extras.webhooks ?? [], azureIdentities: extras.azureIdentities,
            azureIdentityBindings: extras.azureIdentityBindings, issuer: extras.issuer,
            issuerDiscoveryReachable: extras.issuerReachable, webhooksListed: extras.webhooks != nil)
        return (snapshot, listed.count, problems.values.sorted().first)
    }
}
