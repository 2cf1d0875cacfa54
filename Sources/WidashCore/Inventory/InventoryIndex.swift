import Foundation

/// The identity inventory kept up to date object by object.
///
/// A service account's entry depends only on that account, the pods that run as it and the
/// cluster-wide facts (webhooks, aad-pod-identity objects, issuer). So a change to one pod
/// rebuilds one entry, not the inventory: a watch burst over 50 000 pods costs what its changed
/// entries cost. Entries are also rebuilt when time moves past a token refresh they show (the
/// kubelet schedule depends on "now"). `InventoryBuilder.build` is this index filled at once, so
/// both paths give the same inventory.
public struct InventoryIndex: Sendable {
    /// Everything but the accounts and pods: when it changes, every entry is rebuilt.
    private var cluster = ClusterSnapshot()
    private var facts = ClusterFacts()
    private var accounts: [String: ServiceAccount] = [:]
    /// Every pod held, each in a slot of one array (a deleted pod's slot is reused), rather than a
    /// dictionary of pods per service account, each with its own hash-table slack.
    private var podSlots: [Pod?] = []
    private var freeSlots: [Int] = []
    /// The slot of each pod, by "namespace/name".
    private var slotOfPod: [String: Int] = [:]
    /// The slots of the pods that run as each entry (service account), in no particular order. A
    /// pod's entry is read from the pod itself (its service account can only change by delete +
    /// create, but a replaced object is handled either way).
    private var slotsByEntry: [String: [Int]] = [:]
    private var built: [String: BuiltEntry] = [:]
    private var dirty: Set<String> = []
    /// Entry keys in display order; nil when the set of entries changed since it was computed.
    private var order: [String]?
    /// Entries rebuilt since the last `takeChanges()`; nil when the list itself (its keys or their
    /// order) or every entry changed.
    private var changes: Set<String>? = []

    private struct BuiltEntry: Sendable {
        var entry: IdentityEntry
        /// The earliest token refresh the entry shows: after it, the entry is stale.
        var validUntil: Date?
    }

    public init() {}

    /// An index holding everything in `snapshot`.
    public init(snapshot: ClusterSnapshot) {
        // Sized once: growing by rehashing costs time and, at 200 000 pods, tens of MB of peak.
        accounts.reserveCapacity(snapshot.serviceAccounts.count)
        slotsByEntry.reserveCapacity(snapshot.serviceAccounts.count)
        slotOfPod.reserveCapacity(snapshot.pods.count)
        podSlots.reserveCapacity(snapshot.pods.count)
        setCluster(snapshot)
        for account in snapshot.serviceAccounts { upsert(account) }
        for pod in snapshot.pods { upsert(pod) }
    }

    public var accountCount: Int { accounts.count }
    /// Entries built and current (for tests).
    var builtEntryCount: Int { built.count }
    /// The cluster-wide facts held (the snapshot's accounts and pods are empty: they are above).
    public var clusterFacts: ClusterSnapshot { cluster }
    public var podCount: Int { slotOfPod.count }
    /// "namespace/name" of every service account held (for relist bookkeeping).
    public var accountKeys: Dictionary<String, ServiceAccount>.Keys { accounts.keys }
    /// "namespace/name" (`metadata.key`) of every pod held.
    public var podKeys: Dictionary<String, Int>.Keys { slotOfPod.keys }

    // MARK: Changes

    /// Webhooks, aad-pod-identity objects, issuer facts and namespaces (their labels: AKS's
    /// excluded namespaces); the accounts and pods of `snapshot` are ignored. Rebuilds every entry,
    /// unless nothing changed.
    public mutating func setCluster(_ snapshot: ClusterSnapshot) {
        var facts = snapshot
        facts.serviceAccounts = []
        facts.pods = []
        guard facts != cluster else { return }
        cluster = facts
        self.facts = ClusterFacts(snapshot: facts)
        changes = nil
        dirty.formUnion(built.keys)
        dirty.formUnion(accounts.keys)
        dirty.formUnion(slotsByEntry.keys)
    }

    /// The key `accountKeys` and `removeAccount` use for a service account.
    public static func key(of account: ServiceAccount) -> String {
        entryKey(account.metadata.namespace, account.metadata.name)
    }

    public mutating func upsert(_ account: ServiceAccount) {
        let key = Self.key(of: account)
        if accounts.updateValue(account, forKey: key) == nil { order = nil }
        dirty.insert(key)
    }

    public mutating func removeAccount(key: String) {
        guard accounts.removeValue(forKey: key) != nil else { return }
        dirty.insert(key)
        order = nil
    }

    public mutating func upsert(_ pod: Pod) {
        let podKey = pod.metadata.key
        var entry = Self.entryKey(of: pod)
        // Store the entry's existing key string, not a new copy per pod (50 000 pods, 10 000 entries).
        if let existing = slotsByEntry.index(forKey: entry) { entry = slotsByEntry.keys[existing] }
        if let slot = slotOfPod[podKey] {
            let previous = podSlots[slot].map(Self.entryKey(of:))
            podSlots[slot] = pod
            if let previous, previous != entry {
                detach(slot, from: previous)
                slotsByEntry[entry, default: []].append(slot)
            }
        } else {
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
                podSlots[slot] = pod
            } else {
                slot = podSlots.count
                podSlots.append(pod)
            }
            slotOfPod[podKey] = slot
            slotsByEntry[entry, default: []].append(slot)
            order = nil
        }
        dirty.insert(entry)
    }

    public mutating func removePod(key podKey: String) {
        guard let slot = slotOfPod.removeValue(forKey: podKey) else { return }
        if let pod = podSlots[slot] { detach(slot, from: Self.entryKey(of: pod)) }
        podSlots[slot] = nil
        freeSlots.append(slot)
    }

    private mutating func detach(_ slot: Int, from entry: String) {
        slotsByEntry[entry]?.removeAll { $0 == slot }  // in place: no copy of the list
        if slotsByEntry[entry]?.isEmpty == true { slotsByEntry[entry] = nil }
        dirty.insert(entry)
        order = nil
    }

    private static func entryKey(of pod: Pod) -> String {
        entryKey(pod.metadata.namespace, pod.spec.serviceAccountName ?? "default")
    }

    // MARK: Reading

    /// The inventory at `now`: rebuilds the entries that changed or whose token schedule moved on.
    public mutating func inventory(now: Date) -> Inventory {
        for (key, value) in built where value.validUntil.map({ $0 <= now }) == true { dirty.insert(key) }
        let changed = Array(dirty)
        rebuild(changed, now: now)
        dirty.removeAll(keepingCapacity: true)
        if order == nil || order?.count != built.count { changes = nil } else { changes?.formUnion(changed) }
        let keys = currentOrder()
        let identities = keys.compactMap { built[$0]?.entry }
        return Inventory(issuer: cluster.issuer, webhooks: facts.webhooks, identities: identities,
                         clusterFindings: InventoryBuilder.sortFindings(
                            InventoryBuilder.clusterFindings(cluster, webhooks: facts.webhooks, identities: identities)))
    }

    /// Builds now the changed entries whose keys sort before `bound` ("namespace/"): while a list in
    /// key order (as the API server's, by namespace then name) is still arriving, the entries of the
    /// namespaces it has passed have all their pods. The one-shot load builds them while the rest
    /// downloads, leaving `inventory(now:)` less to do. An entry built early that gets another pod
    /// after all (a list in another order) is simply built again.
    /// - Parameter minimumBatch: fewer ready entries wait for the next call (batches large enough
    ///   to be built on both cores, see `buildEntries(_:context:)`).
    public mutating func buildEntries(before bound: String, now: Date, minimumBatch: Int = 512) {
        let ready = dirty.filter { $0 < bound }
        guard ready.count >= max(1, minimumBatch) else { return }
        rebuild(Array(ready), now: now)
        dirty.subtract(ready)
        changes?.formUnion(ready)
    }

    private mutating func rebuild(_ keys: [String], now: Date) {
        let context = PodContext(snapshot: cluster, facts: facts, now: now)
        for (key, entry) in zip(keys, buildEntries(keys, context: context)) {
            if let entry {
                let refresh = entry.pods.compactMap { $0.schedule?.refreshAt }.min()
                if built.updateValue(BuiltEntry(entry: entry, validUntil: refresh), forKey: key) == nil { order = nil }
            } else if built.removeValue(forKey: key) != nil {
                order = nil
            }
        }
    }

    /// The entries rebuilt since the last call (the keys of entries whose content may differ, the
    /// list itself unchanged), or nil when the list changed: what a consumer must look at again.
    public mutating func takeChanges() -> Set<String>? {
        defer { changes = [] }
        return changes
    }

    private mutating func currentOrder() -> [String] {
        if let order, order.count == built.count { return order }
        let sorted = built.values.map(\.entry).sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }.map(\.key)
        order = sorted
        return sorted
    }

    /// The entries of `keys`, in order. Entries are independent, so a large batch (a first load, a
    /// watch burst, new cluster facts) is built on every core.
    private func buildEntries(_ keys: [String], context: PodContext) -> [IdentityEntry?] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, keys.count / 256)
        guard workers > 1 else { return keys.map { buildEntry($0, context: context) } }
        nonisolated(unsafe) var results = [IdentityEntry?](repeating: nil, count: keys.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            // Each worker writes its own stripe of the buffer; `self` and `context` are only read.
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in stride(from: worker, to: keys.count, by: workers) {
                    output[index] = buildEntry(keys[index], context: context)
                }
            }
        }
        return results
    }

    /// One service account's entry: its bindings, its pods and their findings; nil when neither the
    /// account nor any pod running as it exists.
    private func buildEntry(_ key: String, context: PodContext) -> IdentityEntry? {
        let account = accounts[key]
        // By name: the pods of one entry share its namespace.
        let pods = slotsByEntry[key].map { $0.compactMap { podSlots[$0] }.sorted { $0.metadata.name < $1.metadata.name } } ?? []
        guard account != nil || !pods.isEmpty else { return nil }
        var entry: IdentityEntry
        if let account {
            let (bindings, findings) = BindingExtractor.bindings(for: account)
            entry = IdentityEntry(namespace: account.metadata.namespace ?? "default", name: account.metadata.name,
                                  annotations: account.metadata.annotations ?? [:], bindings: bindings, pods: [],
                                  findings: findings, status: .none)
        } else {
            let first = pods[0]
            entry = IdentityEntry(namespace: first.metadata.namespace ?? "default", name: first.spec.serviceAccountName ?? "default",
                                  annotations: [:], bindings: [], pods: [], findings: [], status: .none)
        }
        entry.pods.reserveCapacity(pods.count)
        var azure: [AzurePodUse] = []
        for pod in pods {
            if account == nil {
                entry.findings.append(Finding(.serviceAccountMissing, .warning, subject: pod.metadata.key,
                    message: "pod \(pod.metadata.key) uses service account \(entry.name), which does not exist in namespace \(entry.namespace)",
                    fix: "kubectl -n \(entry.namespace) create serviceaccount \(entry.name), or change the pod's serviceAccountName"))
            }
            if let use = AzurePodUse(context.add(pod, account: account, to: &entry)) { azure.append(use) }
        }
        PodContext.markIdentityBindings(azure, in: &entry)
        return InventoryBuilder.finish(entry)
    }

    static func entryKey(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "default")/\(name)" }
}
