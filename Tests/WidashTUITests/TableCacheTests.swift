import Foundation
import WidashCore
import XCTest
@testable import WidashTUI

/// The cached, incremental filtering and sorting must give exactly what the straightforward
/// algorithm (filter every row, sort with `localizedStandardCompare`) gives.
final class TableCacheTests: XCTestCase {
    func testCollationKeyOrdersLikeLocalizedStandardCompare() throws {
        guard CollationKey.isEnabled else {
            // Another locale's collator orders differently: every text must take the exact path.
            XCTAssertNil(CollationKey.key("svc-00042"), "locale \(Locale.current.identifier): the fast path must be off")
            return
        }
        var rng = SplitMix(seed: 7)
        let alphabet = Array("aAbBzZ09123 _-.:/@$~'\"()[]{}!?,;*\\&#%`^+<=>|")
        var mismatches: [String] = []
        for _ in 0..<4000 {
            let a = String((0..<rng.next(9)).map { _ in alphabet[rng.next(alphabet.count)] })
            // Half the pairs share a prefix, where the interesting differences are.
            let b = rng.next(2) == 0 ? String(a.prefix(rng.next(a.count + 1))) + String((0..<rng.next(4)).map { _ in alphabet[rng.next(alphabet.count)] })
                : String((0..<rng.next(9)).map { _ in alphabet[rng.next(alphabet.count)] })
            let fast = CollationKey.compare(a, CollationKey.key(a), b, CollationKey.key(b))
            let exact = a.localizedStandardCompare(b)
            if fast != exact { mismatches.append("\(a.debugDescription) vs \(b.debugDescription): \(fast.rawValue), expected \(exact.rawValue)") }
        }
        XCTAssertEqual(mismatches.prefix(10), [])
        XCTAssertNotNil(CollationKey.key("svc-00042"))
        XCTAssertNil(CollationKey.key("café"), "non-ASCII text takes the exact path")
    }

    func testCachedIndexEqualsReferenceForFiltersAndSorts() {
        let inventory = Self.inventory(count: 160)
        var cache = TableCache()
        let filters = ["", "s", "sv", "svc", "svc-0", "svc-01", "svc-0", "svc", "", "!svc", "!", "TEAM-003", "team-003/svc", "aws",
                       "✓ ok", "café", "e\u{301}", "-l status=error", "-l provider=azure,namespace!=team-001", "-l tier",
                       "-l injected=false", "ok", "o", "zzz-no-match", "0"]
        // Every filter with the default sort; a sample of them (typing included) with every other sort.
        for column in IdentityColumn.allCases {
            for ascending in [true, false] {
                let sort = SortState(column: column, ascending: ascending)
                let sample = sort == SortState() ? filters : ["", "s", "sv", "svc-0", "sv", "!svc", "café", "-l tier"]
                for filter in sample {
                    let cached = cache.index(inventory: inventory, generation: 1, filter: filter, sort: sort)
                    let reference = ReferenceIndex.build(inventory: inventory, filter: filter, sort: sort)
                    XCTAssertEqual(cached, reference, "filter \(filter.debugDescription) sort \(column) \(ascending ? "↑" : "↓")")
                }
            }
        }
    }

    func testTypingNarrowsAndBackspaceReusesResults() {
        let inventory = Self.inventory(count: 200)
        var cache = TableCache()
        let sort = SortState()
        _ = cache.index(inventory: inventory, generation: 1, filter: "", sort: sort)
        _ = cache.index(inventory: inventory, generation: 1, filter: "s", sort: sort)
        XCTAssertEqual(cache.lastSource, .full)
        let narrowed = cache.index(inventory: inventory, generation: 1, filter: "sv", sort: sort)
        XCTAssertEqual(cache.lastSource, .narrowed)
        XCTAssertEqual(narrowed, ReferenceIndex.build(inventory: inventory, filter: "sv", sort: sort))
        _ = cache.index(inventory: inventory, generation: 1, filter: "s", sort: sort)
        XCTAssertEqual(cache.lastSource, .recent)
        // An inverse filter is not a narrowing of its plain text.
        _ = cache.index(inventory: inventory, generation: 1, filter: "!sv", sort: sort)
        XCTAssertEqual(cache.lastSource, .full)
    }

    func testCacheIsDroppedWhenTheInventoryChanges() {
        var state = AppState(width: 120, height: 30, now: TestSupport.now)
        let first = Self.inventory(count: 50)
        _ = update(&state, .inventory(InventoryUpdate(inventory: first, loaded: 50, expected: 50)))
        TestSupport.send(&state, "/svc-00")
        let before = state.index
        XCTAssertEqual(before, ReferenceIndex.build(inventory: first, filter: "svc-00", sort: state.sort, pods: false))
        // Same count, different data: a rename must show, though the filter and sort are unchanged.
        var second = first
        second.identities[0].name = "svc-00zz"
        second.identities[0].status = .error
        _ = update(&state, .inventory(InventoryUpdate(inventory: second, loaded: 50, expected: 50)))
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: second, filter: "svc-00", sort: state.sort, pods: false))
        XCTAssertNotEqual(state.index, before)
        // A change made in place (not through `update`) also invalidates on the next reindex.
        let generation = state.inventoryGeneration
        state.inventory.identities[1].name = "renamed"
        XCTAssertNotEqual(state.inventoryGeneration, generation)
        state.reindex()
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: state.inventory, filter: "svc-00", sort: state.sort, pods: false))
        // The status line counts follow the data.
        let errors = state.inventory.identities.filter { $0.status == .error }.count
        XCTAssertEqual(state.statusCounts.errors, errors)
        state.inventory.identities[2].status = .error
        XCTAssertEqual(state.statusCounts.errors, state.inventory.identities.filter { $0.status == .error }.count)
    }

    /// Updates that name their changed rows (the trust audit's stream of verdicts) get facts patched
    /// from the previous ones, not recomputed: the results stay exactly the reference's, for every
    /// sort and filter, with the search texts and every column's sort values being patched.
    func testPatchedUpdatesEqualTheReference() {
        var state = AppState(width: 160, height: 50, now: TestSupport.now)
        var preparer = TableFactsPreparer()
        var inventory = Self.inventory(count: 200)
        func send(_ changed: Set<String>?) { Self.applyPrepared(inventory, changed: changed, to: &state, preparer: &preparer) }
        send(nil)
        var rng = SplitMix(seed: 5)
        let states: [TrustVerdict.State] = [.trusted, .mismatch, .unknown, .checking]
        for round in 0..<12 {
            var changed: Set<String> = []
            for _ in 0..<(1 + rng.next(6)) {
                let i = rng.next(inventory.identities.count)
                var e = inventory.identities[i]
                if !e.bindings.isEmpty {
                    e.bindings[0].trust = TrustVerdict(state: states[rng.next(states.count)],
                                                       mismatches: [TrustMismatch(field: "subject", expected: "a", got: "b")],
                                                       noRoles: rng.next(4) == 0)
                }
                e.status = [.ok, .warning, .error][rng.next(3)]
                if rng.next(3) == 0, let pod = e.pods.first { e.pods.append(pod) }
                if rng.next(5) == 0 { e.bindings = [] }
                inventory.identities[i] = e
                changed.insert(e.key)
            }
            send(changed)
            XCTAssertTrue(preparer.patchedLast, "round \(round): patched, not recomputed")
            XCTAssertEqual(state.tableCache.facts.generation, state.inventoryGeneration)
            for filter in ["", "s", "✗", "trusted", "!svc-01"] {
                if !filter.isEmpty {
                    TestSupport.send(&state, "/" + filter)
                    TestSupport.press(&state, .enter)
                }
                for letter in "RSONA" {
                    TestSupport.send(&state, String(letter))
                    XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: state.filter, sort: state.sort, pods: false),
                                   "round \(round) filter \(state.filter) sort \(state.sort)")
                }
                TestSupport.press(&state, .escape)
            }
            XCTAssertEqual(state.statusCounts.errors, inventory.identities.filter { $0.status == .error }.count)
            XCTAssertEqual(state.statusCounts.warnings, inventory.identities.filter { $0.status == .warning }.count)
        }
        // A key that is not in the list falls back to computing everything.
        send(["no/such"])
        XCTAssertFalse(preparer.patchedLast)
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: state.filter, sort: state.sort, pods: false))
    }

    /// The executor prepares each update's facts off the UI thread (patching the previous ones when
    /// the update names its changed rows); installed, they give exactly the reference's results.
    func testPreparedFactsEqualTheReference() {
        var state = AppState(width: 160, height: 50, now: TestSupport.now)
        var preparer = TableFactsPreparer()
        var inventory = Self.inventory(count: 150)
        func apply(_ changed: Set<String>?) { Self.applyPrepared(inventory, changed: changed, to: &state, preparer: &preparer) }
        apply(nil)
        var rng = SplitMix(seed: 9)
        for round in 0..<6 {
            let i = rng.next(inventory.identities.count)
            let cycle: [IdentityStatus: IdentityStatus] = [.ok: .warning, .warning: .error, .error: .none, .none: .ok]
            inventory.identities[i].status = cycle[inventory.identities[i].status] ?? .ok
            if !inventory.identities[i].bindings.isEmpty { inventory.identities[i].bindings[0].trust = TrustVerdict(state: .mismatch) }
            apply(round % 3 == 2 ? nil : [inventory.identities[i].key])
            XCTAssertNotNil(state.tableCache.facts.identityText, "prepared with search texts")
            XCTAssertGreaterThan(state.changedUntil[inventory.identities[i].key] ?? .distantPast, state.now, "round \(round): highlighted")
            for letter in "RSNA" {
                TestSupport.send(&state, String(letter))
                XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "", sort: state.sort, pods: false), "round \(round) \(letter)")
            }
            TestSupport.send(&state, "/svc-0")
            TestSupport.press(&state, .enter)
            XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "svc-0", sort: state.sort, pods: false))
            TestSupport.press(&state, .escape)
        }
    }

    /// The pods view's rows are searched only while it is open: a filter typed in the identities
    /// view leaves them out, opening the view adds them for the current filter, and while it is
    /// open they follow filters, sorts and patched updates exactly as the reference computes them.
    func testPodRowsAreIncludedWhileThePodsViewIsOpen() {
        var state = AppState(width: 160, height: 50, now: TestSupport.now)
        var preparer = TableFactsPreparer()
        var inventory = Self.inventory(count: 200)
        func send(_ changed: Set<String>?) { Self.applyPrepared(inventory, changed: changed, to: &state, preparer: &preparer) }
        send(nil)
        TestSupport.send(&state, "/svc-0")
        TestSupport.press(&state, .enter)
        XCTAssertFalse(state.index.podRowsIncluded)
        XCTAssertTrue(state.index.podRows.isEmpty)
        TestSupport.send(&state, ":pods")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(state.screen.kind, .pods)
        XCTAssertTrue(state.index.podRowsIncluded)
        XCTAssertFalse(state.index.podRows.isEmpty)
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "svc-0", sort: state.sort))
        var rng = SplitMix(seed: 3)
        for round in 0..<6 {
            let i = rng.next(inventory.identities.count)
            if let pod = inventory.identities[i].pods.first { inventory.identities[i].pods.append(pod) }
            inventory.identities[i].status = [.ok, .warning, .error][rng.next(3)]
            send([inventory.identities[i].key])
            for filter in ["", "s", "sv", "svc-0", "s", "-f s01", "!svc"] {
                // esc clears the filter (and, with none, would leave the view).
                if !state.filter.isEmpty { TestSupport.press(&state, .escape) }
                if !filter.isEmpty {
                    TestSupport.send(&state, "/" + filter)
                    TestSupport.press(&state, .enter)
                }
                XCTAssertEqual(state.screen.kind, .pods)
                XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: state.filter, sort: state.sort),
                               "round \(round) filter \(filter)")
            }
        }
    }

    /// Large scans are split over the cores; the rows kept and their order must be the one-thread
    /// result's, at sizes around the split threshold and for chunks that keep nothing or everything.
    func testParallelFilterKeepsTheSequentialResult() {
        for count in [0, 1, ParallelFilter.minimumRowsToSplit - 1, ParallelFilter.minimumRowsToSplit, 123_457] {
            let candidates = (0..<count).map { ($0 * 7919) % max(count, 1) }
            let predicates: [@Sendable (Int) -> Bool] = [{ $0 % 3 == 0 }, { $0 < count / 2 }, { _ in true }, { _ in false }]
            for predicate in predicates {
                let parallel = ParallelFilter.rows(count, { candidates[$0] }, predicate)
                XCTAssertEqual(parallel, candidates.filter(predicate), "\(count) rows")
            }
        }
    }

    func testSortKeysOnTheDashboardMatchReference() {
        var state = AppState(width: 160, height: 50, now: TestSupport.now)
        let inventory = Self.inventory(count: 300)
        _ = update(&state, .inventory(InventoryUpdate(inventory: inventory, loaded: 300, expected: 300)))
        for key in "AAPITOLESNsss" {
            TestSupport.send(&state, String(key))
            XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "", sort: state.sort, pods: false), "after \(key)")
        }
    }

    /// Applies `inventory` as the executor does: with table facts prepared off the UI thread
    /// (patched from the previous ones when `changed` names the rows that changed).
    static func applyPrepared(_ inventory: Inventory, changed: Set<String>?, to state: inout AppState, preparer: inout TableFactsPreparer) {
        let count = inventory.identities.count
        var u = InventoryUpdate(inventory: inventory, loaded: count, expected: count, changedKeys: changed)
        u.prepared = preparer.prepare(u)
        _ = update(&state, .inventory(u))
    }

    // MARK: - Data

    /// Identities with awkward names (case, leading zeros, punctuation, non-ASCII), every status,
    /// every provider, and pods injected or not.
    static func inventory(count: Int) -> Inventory {
        var rng = SplitMix(seed: 11)
        let providers: [Provider?] = [.azure, .awsIRSA, .awsPodIdentity, .gcp, nil, nil]
        let statuses: [IdentityStatus] = [.ok, .warning, .error, .none]
        let odd = ["café", "Svc-7", "svc_7", "svc-07", "svc.7", "SVC-7", "e\u{301}clair", "a b", "svc-007"]
        var identities: [IdentityEntry] = []
        for i in 0..<count {
            let ns = i % 17 == 0 ? "Team-\(String(format: "%03d", i % 5))" : "team-\(String(format: "%03d", i % 7))"
            let name = i < odd.count ? odd[i] : "svc-\(String(format: "%05d", (i * 7919) % 100_000))"
            let provider = providers[rng.next(providers.count)]
            let bindings = provider.map { [IdentityBinding(provider: $0, cloudIdentity: rng.next(3) == 0 ? nil : "id-\(rng.next(50))",
                                                           tenant: rng.next(2) == 0 ? "tenant-\(rng.next(3))" : nil,
                                                           tokenExpirationSeconds: rng.next(2) == 0 ? 3600 : nil, source: "annotation")] } ?? []
            let status = statuses[rng.next(statuses.count)]
            let findings = status == .warning || status == .error
                ? [Finding(code: "x", severity: status == .error ? .error : .warning, subject: "\(ns)/\(name)",
                           message: rng.next(4) == 0 ? "naïve mismatch" : "subject mismatch \(rng.next(9))", fix: "fix it")] : []
            let pods = (0..<rng.next(4)).map { p in
                PodIdentity(namespace: ns, name: "\(name)-pod-\(p)", serviceAccount: name, provider: rng.next(3) == 0 ? nil : provider,
                            injected: rng.next(2) == 0, injectedEnv: [], tokenPath: nil, audience: nil,
                            tokenTTLSeconds: rng.next(3) == 0 ? nil : 600 * (1 + rng.next(4)), startTime: nil,
                            schedule: rng.next(2) == 0 ? nil : TokenSchedule(ttlSeconds: 3600, issuedAt: TestSupport.now,
                                                                             refreshAt: TestSupport.now.addingTimeInterval(2880),
                                                                             expiresAt: TestSupport.now.addingTimeInterval(Double(60 * rng.next(90)))),
                            phase: "Running", readyContainers: rng.next(2), totalContainers: 1)
            }
            var annotations: [String: String] = ["tier": i % 2 == 0 ? "web" : "worker"]
            if i % 5 == 0 { annotations["provider"] = "annotated" }
            identities.append(IdentityEntry(namespace: ns, name: name, annotations: annotations, bindings: bindings, pods: pods,
                                            findings: findings, status: status))
        }
        return Inventory(issuer: nil, webhooks: [], identities: identities, clusterFindings: [])
    }
}

/// The original algorithm: filter every identity with its freshly built haystack and labels, sort
/// with `IdentityCells.compare`. The oracle for the cache.
enum ReferenceIndex {
    /// - Parameter pods: the pods view's rows too (the dashboard adds them while the pods view is open).
    static func build(inventory: Inventory, filter: String, sort: SortState, pods: Bool = true) -> TableIndex {
        let f = RowFilter(filter)
        var out = TableIndex()
        let ids = inventory.identities
        var rows = ids.indices.filter { f.matches(haystack: IdentityCells.haystack(ids[$0]), labels: IdentityCells.labels(ids[$0])) }
        rows.sort { a, b in
            let order = IdentityCells.compare(ids[a], ids[b], by: sort.column)
            if order != .orderedSame { return sort.ascending ? order == .orderedAscending : order == .orderedDescending }
            return ids[a].key < ids[b].key
        }
        out.identityRows = rows
        for i in rows {
            for column in IdentityColumn.allCases where column != .expires {
                out.naturalWidths[column.rawValue] = max(out.naturalWidths[column.rawValue],
                                                         CharWidth.of(IdentityCells.text(ids[i], column, now: .distantPast)))
            }
        }
        out.naturalWidths[IdentityColumn.expires.rawValue] = 10
        guard pods else { return out }
        var podRows: [TableIndex.PodRef] = []
        for (i, e) in ids.enumerated() {
            for (p, pod) in e.pods.enumerated() where pod.injected || pod.provider != nil || !e.bindings.isEmpty {
                var labels = IdentityCells.labels(e)
                labels["injected"] = pod.injected ? "true" : "false"
                let hay = "\(pod.namespace)/\(pod.name) \(pod.serviceAccount) \(pod.provider?.displayName ?? "")"
                if f.matches(haystack: hay, labels: labels) { podRows.append(TableIndex.PodRef(identity: i, pod: p)) }
            }
        }
        out.podRows = PodRows(podRows)
        out.podRowsIncluded = true
        return out
    }
}

/// A small deterministic random source for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

final class TableCacheWarmUpTests: XCTestCase {
    /// Idle ticks fill the caches a slice at a time; results stay exactly the reference's, and a
    /// new inventory starts cold again.
    func testTicksWarmTheCacheWithoutChangingResults() {
        var state = AppState(width: 120, height: 30, now: TestSupport.now)
        let inventory = TableCacheTests.inventory(count: 120)
        _ = update(&state, .inventory(InventoryUpdate(inventory: inventory, loaded: 120, expected: 120)))
        XCTAssertNil(state.tableCache.facts.identityText)
        var ticks = 0
        while state.warmTableCache() { ticks += 1 }
        // The search texts, then one column per slice; the shown sort's column was done by the first index.
        XCTAssertEqual(ticks, 1 + IdentityColumn.allCases.count - 1)
        XCTAssertNotNil(state.tableCache.facts.identityText)
        XCTAssertEqual(state.tableCache.facts.sortValues.count, IdentityColumn.allCases.count)
        TestSupport.send(&state, "/svc-0")
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "svc-0", sort: state.sort, pods: false))
        _ = update(&state, .key(.enter))
        TestSupport.send(&state, "T")
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: inventory, filter: "svc-0", sort: state.sort, pods: false))
        // A tick warms through `update` too.
        var other = inventory
        other.identities.removeLast()
        _ = update(&state, .inventory(InventoryUpdate(inventory: other, loaded: 119, expected: 119)))
        XCTAssertTrue(state.tableCache.facts.sortValues.count <= 1, "a new inventory starts cold")
        _ = update(&state, .tick(TestSupport.now.addingTimeInterval(1)))
        _ = update(&state, .tick(TestSupport.now.addingTimeInterval(2)))
        XCTAssertNotNil(state.tableCache.facts.identityText)
        XCTAssertEqual(state.index, ReferenceIndex.build(inventory: other, filter: "svc-0", sort: state.sort, pods: false))
    }
}
