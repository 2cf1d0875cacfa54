import Foundation
import WidashCore
import WidashHTTP
import WidashKube

/// One state of the live inventory.
public struct InventoryFeedUpdate: Sendable {
    public var inventory: Inventory
    /// Objects (service accounts + pods) received so far and expected in all; equal once every
    /// list is complete. While the first lists load, the inventory holds what arrived so far.
    public var loaded: Int
    public var expected: Int
    /// A problem to show while the rest keeps working (nil when all is well).
    public var problem: String?
    /// The service accounts whose entries may differ from the previous update's, the list being
    /// otherwise the same; nil when the list changed (or the first time): look at everything.
    public var changedKeys: Set<String>?

    public var isComplete: Bool { loaded >= expected }
}

/// The inventory kept live: service accounts and pods by list + watch (`ListWatch`, which relists
/// on 410 and reconnects with backoff), the slower-changing rest (webhooks, aad-pod-identity,
/// issuer) re-read periodically. List pages are shown as they arrive; changes go into an
/// `InventoryIndex`, which rebuilds only the identities they touch; updates are published at
/// most every `coalesce` interval, never per event.
public struct InventoryFeed: Sendable {
    public let session: ClusterSession
    public let namespace: String?
    public var coalesce: Duration = .milliseconds(150)
    public var loadingInterval: Duration = .milliseconds(400)
    /// While loading, the pause between progress updates also grows with what has been loaded:
    /// each update is a pass over everything loaded so far (here and in the dashboard), so a fixed
    /// interval made a 200 000-pod load quadratic; growing pauses keep the passes' sum linear.
    public var loadingPausePerObject: Duration = .microseconds(12)
    public var extrasRefresh: Duration = .seconds(30)
    /// Runs the trust audit once the lists are in (and again for new bindings, every
    /// `auditRefresh`, and on `TrustAuditControl.rerun()`); nil: no cloud reads.
    public var audit: TrustAuditControl?
    public var auditRefresh: Duration = .seconds(300)

    public init(session: ClusterSession, namespace: String?, audit: TrustAuditControl? = nil) {
        self.session = session
        self.namespace = namespace
        self.audit = audit
    }

    public func updates() -> AsyncStream<InventoryFeedUpdate> {
        AsyncStream { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ out: AsyncStream<InventoryFeedUpdate>.Continuation) async {
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let kube = session.kube
        // A user who may not list all namespaces sees the context's, and is told so (as the CLI).
        let (scope, narrowed) = (try? await kube.listScope(namespace)) ?? (namespace, nil)
        let (auditWakes, auditWake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let session = self.session
        let state = FeedState(changed: changed, narrowed: narrowed, auditWake: audit == nil ? nil : auditWake,
                              workloadPool: { session.workloadPool(issuer: $0) })
        let accounts = ListWatch<ServiceAccount>(client: kube, resource: .serviceAccounts, namespace: scope)
        let pods = ListWatch<Pod>(client: kube, resource: .pods, namespace: scope)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in accounts.events() { await state.apply(event, list: .accounts) }
            }
            group.addTask {
                for await event in pods.events() { await state.apply(event, list: .pods) }
            }
            group.addTask {
                // After a failed read, try again soon (doubling up to `extrasRefresh`), so the
                // findings that depend on these are right again shortly after a cluster recovers.
                var retry = Duration.seconds(1)
                var extras: Extras?
                while !Task.isCancelled {
                    let loaded = await loadExtras(previous: extras, namespace: scope)
                    extras = loaded
                    await state.setExtras(loaded)
                    if loaded.complete {
                        retry = .seconds(1)
                        try? await Task.sleep(for: extrasRefresh)
                    } else {
                        try? await Task.sleep(for: min(retry, extrasRefresh))
                        retry = min(retry * 2, extrasRefresh)
                    }
                }
            }
            group.addTask {
                // Publish as soon as something changed (the first page shows at once), then at most
                // once per `coalesce`: a watch burst costs a few rebuilds, not one per event.
                // The pause also grows with the build's own cost, so that rebuilding never takes more
                // than about half of the time: the rest is for applying events.
                // While the first lists load, progress is published every `loadingInterval` only, and
                // less often as the lists grow (each update costs the dashboard a pass over everything
                // loaded so far), but the update that completes a list goes out at once.
                let clock = ContinuousClock()
                for await _ in changes {
                    let started = clock.now
                    guard let update = await state.takeUpdate(now: Date()) else { continue }
                    out.yield(update)
                    let loadingPause = max(loadingInterval, loadingPausePerObject * update.loaded)
                    let pause = max(update.isComplete ? coalesce : loadingPause, clock.now - started)
                    let until = started + pause
                    while clock.now < until, await !state.listJustCompleted {
                        try? await Task.sleep(for: min(.milliseconds(20), until - clock.now))
                    }
                }
            }
            if let control = audit {
                control.attach(auditWake)
                let refresh = auditRefresh
                group.addTask {
                    // Answers the cloud side as the lists change: the first frame never waits for it.
                    // Only a list of every namespace shows every neighbour a fix could break.
                    await TrustAuditLoop(session: session, state: state, control: control,
                                         wholeCluster: scope == nil).run(wakes: auditWakes)
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: refresh)
                        control.refresh()
                    }
                }
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                changed.finish()
                auditWake.finish()
            }
        }
        out.finish()
    }

    /// Webhooks, aad-pod-identity objects, namespaces and the issuer, read as the CLI reads them
    /// (`KubeClient.loadExtras`). A refused read (401/403/404) is an answer, shown as not readable;
    /// a read that fails otherwise keeps the previous value (a transient 500 must not drop bindings
    /// or flag the issuer) and marks the result incomplete, so it is read again soon.
    private func loadExtras(previous: Extras?, namespace: String?) async -> Extras {
        let read = await session.kube.loadExtras(namespace: namespace)
        var extras = previous ?? Extras()
        extras.complete = read.failure == nil
        extras.unreadable = read.unreadable
        if let webhooks = read.webhooks { extras.webhooks = webhooks }
        if let identities = read.azureIdentities { extras.azureIdentities = identities }
        if let bindings = read.azureIdentityBindings { extras.azureIdentityBindings = bindings }
        if let namespaces = read.namespaces { extras.namespaces = namespaces }
        if let issuer = read.issuer {
            extras.issuer = issuer
            extras.issuerReachable = true
        } else if read.issuerReachable == false || previous?.issuerReachable == nil {
            extras.issuerReachable = read.issuerReachable ?? false
        }
        return extras
    }
}

struct Extras: Sendable {
    var webhooks: [MutatingWebhookConfiguration]?
    var namespaces: [Namespace] = []
    var unreadable: [UnreadableRead] = []
    var azureIdentities: [AzureIdentity] = []
    var azureIdentityBindings: [AzureIdentityBinding] = []
    var issuer: String?
    var issuerReachable: Bool?
    /// Every read succeeded.
    var complete = false
}

/// The feed's store; an actor so list+watch tasks and the publisher never race.
actor FeedState {
    enum List: Hashable { case accounts, pods }

    private struct ListStatus {
        var complete = false
        var received = 0
        var expectedTotal: Int?
        /// Keys delivered by the list in progress; what the index holds beyond them is gone when it completes.
        var seen: Set<String>?
    }

    private var index = InventoryIndex()
    private var lists: [List: ListStatus] = [.accounts: ListStatus(), .pods: ListStatus()]
    private var problems: [List: String] = [:]
    private var hasData = false
    private var dirty = false
    /// A list completed since the last update: publish now, do not wait out the pause.
    private(set) var listJustCompleted = false
    private let changed: AsyncStream<Void>.Continuation
    /// The scope was narrowed to the context's namespace (no right to list all namespaces).
    private let narrowed: UnreadableRead?
    private var unreadable: [UnreadableRead] = []
    /// The trust audit's answers so far; folded into every published inventory.
    private var trust = TrustAuditResult()
    /// Entries whose verdicts changed since the last update (nil: every entry).
    private var trustChanges: Set<String>? = []
    /// The entries of the last update with their verdicts folded in: the next update refolds only
    /// the entries that changed (folding 10 000 entries for every few verdicts would cost the CPU
    /// the dashboard's keys need).
    private var folded: [IdentityEntry] = []
    private let auditWake: AsyncStream<Void>.Continuation?
    private let workloadPool: @Sendable (String?) -> String?

    init(changed: AsyncStream<Void>.Continuation, narrowed: UnreadableRead?, auditWake: AsyncStream<Void>.Continuation? = nil,
         workloadPool: @escaping @Sendable (String?) -> String? = { _ in nil }) {
        self.changed = changed
        self.narrowed = narrowed
        self.auditWake = auditWake
        self.workloadPool = workloadPool
        unreadable = narrowed.map { [$0] } ?? []
    }

    // MARK: Trust audit

    /// The inventory as listed (no verdicts), once both lists are complete.
    func inventoryToAudit(now: Date) -> Inventory? {
        guard lists.values.allSatisfy(\.complete) else { return nil }
        return index.inventory(now: now)
    }

    var auditedSubjects: Set<TrustSubject> { Set(trust.verdicts.keys) }

    func setVerdict(_ verdict: TrustVerdict, for subject: TrustSubject) {
        trust.verdicts[subject] = verdict
        trustChanges?.insert(subject.entryKey)
        markDirty(auditToo: false)
    }

    func setAssociations(_ facts: [String: PodIdentityAssociationFact]) {
        guard facts != trust.podIdentityAssociations else { return }
        trustChanges = nil
        trust.podIdentityAssociations = facts
        markDirty(auditToo: false)
    }

    /// Forgets every verdict: rows show `checking` until the audit answers again.
    func clearTrust() {
        trust = TrustAuditResult()
        trustChanges = nil
        markDirty(auditToo: false)
    }

    func apply(_ event: ListWatchEvent<ServiceAccount>, list: List) {
        apply(event, list: list, key: InventoryIndex.key(of:), upsert: { $0.upsert($1) },
              remove: { $0.removeAccount(key: $1) }, keys: { Set($0.accountKeys) })
    }

    func apply(_ event: ListWatchEvent<Pod>, list: List) {
        apply(event, list: list, key: \.metadata.key, upsert: { $0.upsert($1) },
              remove: { $0.removePod(key: $1) }, keys: { Set($0.podKeys) })
    }

    private func apply<T: KubeObject>(_ event: ListWatchEvent<T>, list: List, key: (T) -> String,
                                      upsert: (inout InventoryIndex, T) -> Void,
                                      remove: (inout InventoryIndex, String) -> Void,
                                      keys: (InventoryIndex) -> Set<String>) {
        BackgroundPriority.lowerCurrentThread()
        // Taken out and put back, so the page's inserts into `seen` do not copy the set.
        var status = lists.removeValue(forKey: list) ?? ListStatus()
        switch event {
        case .listing:
            status.seen = []
            status.received = 0
            status.expectedTotal = nil
        case .page(let items, let progress):
            for item in items {
                upsert(&index, item)
                status.seen?.insert(key(item))
            }
            status.received = progress.received
            status.expectedTotal = progress.expectedTotal
            hasData = true
        case .listed:
            if let seen = status.seen {
                for key in keys(index).subtracting(seen) { remove(&index, key) }
            }
            status = ListStatus(complete: true, received: status.received, expectedTotal: status.received, seen: nil)
            listJustCompleted = true
            problems[list] = nil
        case .added(let object), .modified(let object):
            upsert(&index, object)
        case .deleted(let object):
            remove(&index, key(object))
        case .problem(let message):
            problems[list] = "\(list == .accounts ? "service accounts" : "pods"): \(message)"
        case .resumed:
            problems[list] = nil
        }
        lists[list] = status
        markDirty()
    }

    func setExtras(_ value: Extras) {
        unreadable = (narrowed.map { [$0] } ?? []) + value.unreadable
        index.setCluster(ClusterSnapshot(namespaces: value.namespaces, webhooks: value.webhooks ?? [], azureIdentities: value.azureIdentities,
                                         azureIdentityBindings: value.azureIdentityBindings, issuer: value.issuer,
                                         issuerDiscoveryReachable: value.issuerReachable, webhooksListed: value.webhooks != nil,
                                         unreadable: unreadable))
        markDirty()
    }

    private func markDirty(auditToo: Bool = true) {
        dirty = true
        changed.yield()
        if auditToo { auditWake?.yield() }
    }

    /// The inventory now, with progress: nil when nothing changed or nothing arrived yet.
    func takeUpdate(now: Date) -> InventoryFeedUpdate? {
        BackgroundPriority.lowerCurrentThread()
        guard dirty, hasData || lists.values.contains(where: \.complete) else { return nil }
        dirty = false
        listJustCompleted = false
        var loaded = 0
        var expected = 0
        for status in lists.values {
            if status.complete {
                loaded += status.received
                expected += status.received
            } else {
                // A list that has not finished counts one more than it has, so the total stays "loading".
                loaded += status.received
                expected += max(status.expectedTotal ?? 0, status.received + 1)
            }
        }
        // A list or watch in trouble first; else what cannot be read, for as long as it cannot.
        let problem = [problems[.accounts], problems[.pods]].compactMap { $0 }.first
            ?? (unreadable.isEmpty ? nil : unreadable.map(\.summary).joined(separator: " · "))
        var inventory = index.inventory(now: now)
        var changed = index.takeChanges()
        // No verdict exists before the lists are complete (the audit starts then): no folding while loading.
        if auditWake != nil, lists.values.allSatisfy(\.complete) {
            changed = trustChanges.flatMap { trust in changed?.union(trust) }
            trustChanges = []
            let pool = workloadPool(inventory.issuer)
            if let keys = changed, folded.count == inventory.identities.count {
                for (i, entry) in inventory.identities.enumerated() {
                    inventory.identities[i] = keys.contains(entry.key)
                        ? TrustFolding.fold(entry, result: trust, issuer: inventory.issuer, workloadPool: pool, pending: true) : folded[i]
                }
            } else {
                inventory = TrustFolding.apply(trust, to: inventory, workloadPool: pool, pending: true)
            }
            folded = inventory.identities
        }
        // A list still loading shows more every time: the consumer looks at everything.
        if !lists.values.allSatisfy(\.complete) { changed = nil }
        return InventoryFeedUpdate(inventory: inventory, loaded: loaded, expected: expected, problem: problem, changedKeys: changed)
    }
}
