import Foundation
import WidashCore

/// Keeps what filtering and sorting the tables cost, so that a keystroke does work in proportion
/// to what changed rather than to the inventory:
/// - `TableFacts` per inventory generation (texts, widths, search bytes, sort values);
/// - the full sorted order per sort state (a sort key costs one integer sort, once);
/// - the last few results by filter (and sort, for identities): typing a longer filter searches
///   only the rows of the shorter one, and backspace finds its result here. The pods view's rows
///   keep inventory order whatever the sort, so they are kept by filter alone, and only searched
///   while the pods view is open.
/// Everything is dropped when the inventory changes (its generation moves).
struct TableCache: Sendable {
    private(set) var facts = TableFacts(generation: -1)
    /// `identities` sorted by `sortedFor`, unfiltered.
    private var sorted: [Int] = []
    private var sortedFor: SortState?
    private var recent: [Entry] = []
    private var recentPods: [PodEntry] = []

    /// Results kept for backspace and narrowing.
    static let recentLimit = 16

    private struct Entry: Sendable {
        var filter: String
        var parsed: RowFilter
        var sort: SortState
        var identityRows: [Int]
        var naturalWidths: [Int]
    }

    private struct PodEntry: Sendable {
        var filter: String
        var parsed: RowFilter
        /// Positions in `facts.podRefs` (their search texts' rows); nil: all of them (no filter).
        var positions: [Int]?
    }

    /// How the last `index` call found its identity rows (for tests and benchmarks).
    enum Source: Sendable, Equatable {
        case recent, narrowed, full
    }
    private(set) var lastSource: Source = .full

    /// The filtered and sorted rows of `inventory`; `generation` must change whenever it does.
    /// - Parameter pods: also the pods view's rows (else `podRows` stays empty).
    mutating func index(inventory: Inventory, generation: Int, filter: String, sort: SortState, pods: Bool = true) -> TableIndex {
        if facts.generation != generation || facts.count != inventory.identities.count {
            facts = TableFacts(inventory: inventory, generation: generation)
            sorted = []
            sortedFor = nil
            recent = []
            recentPods = []
        }
        let parsed = RowFilter(filter)
        if parsed.labels.isEmpty && !parsed.text.isEmpty { facts.makeSearchTexts(inventory: inventory) }
        let identities = identityEntry(inventory: inventory, filter: filter, parsed: parsed, sort: sort)
        var out = TableIndex()
        out.identityRows = identities.identityRows
        out.naturalWidths = identities.naturalWidths
        if pods {
            out.podRows = PodRows(all: facts.podRefs, positions: podPositions(inventory: inventory, filter: filter, parsed: parsed))
            out.podRowsIncluded = true
        }
        return out
    }

    private mutating func identityEntry(inventory: Inventory, filter: String, parsed: RowFilter, sort: SortState) -> Entry {
        if let i = recent.firstIndex(where: { $0.filter == filter && $0.sort == sort }) {
            let hit = recent.remove(at: i)
            recent.insert(hit, at: 0)
            lastSource = .recent
            return hit
        }
        if sortedFor != sort {
            sorted = sortedRows(sort, inventory: inventory)
            sortedFor = sort
        }
        // The narrowest earlier result this filter narrows (same sort, so its rows are in order).
        let base = recent.filter { $0.sort == sort && parsed.narrows($0.parsed) }.min { $0.identityRows.count < $1.identityRows.count }
        lastSource = base == nil ? .full : .narrowed
        let rows = filterIdentities(base?.identityRows ?? sorted, parsed, inventory: inventory)
        var widths = TableIndex().naturalWidths
        for i in rows {
            let row = i * TableFacts.columns
            for column in 0..<TableFacts.columns {
                widths[column] = max(widths[column], facts.widths[row + column])
            }
        }
        widths[IdentityColumn.expires.rawValue] = 10
        let entry = Entry(filter: filter, parsed: parsed, sort: sort, identityRows: rows, naturalWidths: widths)
        recent.insert(entry, at: 0)
        if recent.count > Self.recentLimit { recent.removeLast() }
        return entry
    }

    private mutating func podPositions(inventory: Inventory, filter: String, parsed: RowFilter) -> [Int]? {
        if let i = recentPods.firstIndex(where: { $0.filter == filter }) {
            let hit = recentPods.remove(at: i)
            recentPods.insert(hit, at: 0)
            return hit.positions
        }
        let base = recentPods.filter { parsed.narrows($0.parsed) }.min { ($0.positions?.count ?? 0) < ($1.positions?.count ?? 0) }
        let positions = filterPods(base?.positions, parsed, inventory: inventory)
        recentPods.insert(PodEntry(filter: filter, parsed: parsed, positions: positions), at: 0)
        if recentPods.count > Self.recentLimit { recentPods.removeLast() }
        return positions
    }

    /// All identities in the order of `IdentityCells.compare`, ties broken by key.
    private mutating func sortedRows(_ sort: SortState, inventory: Inventory) -> [Int] {
        let values = facts.sortValues(for: sort.column, inventory: inventory)
        let keyRank = facts.keyRank
        let ascending = sort.ascending
        var rows = Array(0..<facts.count)
        rows.sort { a, b in
            if values[a] != values[b] { return ascending ? values[a] < values[b] : values[a] > values[b] }
            if keyRank[a] != keyRank[b] { return keyRank[a] < keyRank[b] }
            return a < b
        }
        return rows
    }

    private func filterIdentities(_ candidates: [Int], _ f: RowFilter, inventory: Inventory) -> [Int] {
        if f.isEmpty { return candidates }
        let ids = inventory.identities
        func filter(_ passes: @escaping @Sendable (Int) -> Bool) -> [Int] { ParallelFilter.rows(candidates.count, { candidates[$0] }, passes) }
        if !f.labels.isEmpty {
            return filter { i in f.matchesLabels { IdentityCells.label(ids[i], $0) } }
        }
        guard let needle = SearchText.asciiNeedle(f.text), let text = facts.identityText else {
            return filter { f.matches(haystack: IdentityCells.haystack(ids[$0]), labels: [:]) }
        }
        if f.fuzzy {
            return filter { i in
                text.plain[i] ? text.containsInOrder(row: i, needle: needle) : f.matches(haystack: IdentityCells.haystack(ids[i]), labels: [:])
            }
        }
        return filter { i in
            text.plain[i] ? text.contains(row: i, needle: needle) != f.inverse
                : f.matches(haystack: IdentityCells.haystack(ids[i]), labels: [:])
        }
    }

    /// The positions in `facts.podRefs` of the `candidates` (nil: every pod) that pass `f`; nil when
    /// every pod passes (no filter, no candidates).
    private func filterPods(_ candidates: [Int]?, _ f: RowFilter, inventory: Inventory) -> [Int]? {
        if f.isEmpty { return candidates }
        /// Filters without first making an array of every position.
        func filter(_ passes: @escaping @Sendable (Int) -> Bool) -> [Int] {
            if let candidates { return ParallelFilter.rows(candidates.count, { candidates[$0] }, passes) }
            return ParallelFilter.rows(facts.podRefs.count, { $0 }, passes)
        }
        let ids = inventory.identities
        let refs = facts.podRefs
        if !f.labels.isEmpty {
            return filter { row in
                let e = ids[refs[row].identity]
                let injected = e.pods[refs[row].pod].injected
                return f.matchesLabels { $0 == "injected" ? (injected ? "true" : "false") : IdentityCells.label(e, $0) }
            }
        }
        @Sendable func slow(_ row: Int) -> Bool {
            let pod = ids[refs[row].identity].pods[refs[row].pod]
            return f.matches(haystack: "\(pod.namespace)/\(pod.name) \(pod.serviceAccount) \(pod.provider?.displayName ?? "")", labels: [:])
        }
        guard let needle = SearchText.asciiNeedle(f.text), let text = facts.podText else { return filter(slow) }
        if f.fuzzy { return filter { row in text.plain[row] ? text.containsInOrder(row: row, needle: needle) : slow(row) } }
        return filter { row in text.plain[row] ? text.contains(row: row, needle: needle) != f.inverse : slow(row) }
    }

    /// Takes facts prepared elsewhere for the inventory of `generation`. The sorted order survives
    /// when they were patched from the facts in use and the sort column's values did not move
    /// (`touched`: the columns whose order may differ; nil when computed afresh).
    mutating func install(_ prepared: TableFacts, generation: Int, touched: Set<IdentityColumn>?) {
        let keepsOrder = touched.map { columns in sortedFor.map { !columns.contains($0.column) } ?? false } ?? false
        if !keepsOrder || prepared.count != facts.count {
            sorted = []
            sortedFor = nil
        }
        facts = prepared
        facts.generation = generation
        recent = []
        recentPods = []
    }

    /// Does one slice of work a later keystroke would otherwise do (the search texts, or one
    /// column's sort values), when the facts are current; returns false when nothing was left.
    /// Called on idle ticks once the inventory is complete, so the first `/` or sort key is warm.
    mutating func warmUp(inventory: Inventory, generation: Int) -> Bool {
        guard facts.generation == generation, facts.count == inventory.identities.count else { return false }
        if facts.identityText == nil || facts.podText == nil {
            facts.makeSearchTexts(inventory: inventory)
            return true
        }
        guard let column = IdentityColumn.allCases.first(where: { facts.sortValues[$0] == nil }) else { return false }
        _ = facts.sortValues(for: column, inventory: inventory)
        return true
    }

    /// Identities with status error and warning, when the facts are of `generation`.
    func statusCounts(generation: Int) -> (errors: Int, warnings: Int)? {
        facts.generation == generation ? (facts.errorCount, facts.warningCount) : nil
    }
}

/// A filter over many rows, split over the cores (a keystroke's scan of 200 000 pod rows took
/// 15–20 ms on one); the result keeps the rows' order. Few rows stay on the calling thread.
enum ParallelFilter {
    static let minimumRowsToSplit = 40_000

    /// The rows `row(0..<count)` that pass, in order.
    static func rows(_ count: Int, _ row: @escaping @Sendable (Int) -> Int, _ passes: @escaping @Sendable (Int) -> Bool) -> [Int] {
        // Many small pieces, not one per core: the calling (UI) thread takes pieces too, so a worker
        // thread that is slow to run (busy core, or lowered by `BackgroundPriority` for earlier
        // background work) holds the result up by one piece at most.
        let chunks = count >= minimumRowsToSplit ? 16 : 1
        guard chunks > 1 else { return (0..<count).compactMap { passes(row($0)) ? row($0) : nil } }
        let parts = Parts(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var kept: [Int] = []
            for i in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) where passes(row(i)) { kept.append(row(i)) }
            parts.set(chunk, kept)
        }
        return Array(parts.all.joined())
    }

    /// One result per chunk; each chunk writes only its own slot, and they are read after
    /// `concurrentPerform` has returned.
    private final class Parts: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<[Int]>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: [])
        }
        deinit {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        func set(_ chunk: Int, _ rows: [Int]) { slots[chunk] = rows }
        var all: UnsafeMutableBufferPointer<[Int]> { slots }
    }
}
