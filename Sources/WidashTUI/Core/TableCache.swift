import Foundation
import WidashCore

/// Keeps what filtering and sorting the tables cost, so that a keystroke does work in proportion
/// to what changed rather than to the inventory:
/// - `TableFacts` per inventory generation (texts, widths, search bytes, sort values);
/// - the full sorted order per sort state (a sort key costs one integer sort, once);
/// - the last few results by filter and sort: typing a longer filter searches only the rows of
///   the shorter one, and backspace finds its result here.
/// Everything is dropped when the inventory changes (its generation moves).
struct TableCache: Sendable {
    private(set) var facts = TableFacts(generation: -1)
    /// `identities` sorted by `sortedFor`, unfiltered.
    private var sorted: [Int] = []
    private var sortedFor: SortState?
    private var recent: [Entry] = []

    /// Results kept for backspace and narrowing.
    static let recentLimit = 16

    private struct Entry: Sendable {
        var filter: String
        var parsed: RowFilter
        var sort: SortState
        var index: TableIndex
        /// `index.podRows` as positions in `facts.podRefs` (their search texts' rows); nil: all of
        /// them (no filter), so that a sort key does not copy 200 000 pod rows it leaves as they are.
        var podPositions: [Int]?
    }

    /// How the last `index` call was answered (for tests and benchmarks).
    enum Source: Sendable, Equatable {
        case recent, narrowed, full
    }
    private(set) var lastSource: Source = .full

    /// The filtered and sorted rows of `inventory`; `generation` must change whenever it does.
    mutating func index(inventory: Inventory, generation: Int, filter: String, sort: SortState) -> TableIndex {
        if facts.generation != generation || facts.count != inventory.identities.count {
            facts = TableFacts(inventory: inventory, generation: generation)
            sorted = []
            sortedFor = nil
            recent = []
        }
        if let i = recent.firstIndex(where: { $0.filter == filter && $0.sort == sort }) {
            let hit = recent.remove(at: i)
            recent.insert(hit, at: 0)
            lastSource = .recent
            return hit.index
        }
        let parsed = RowFilter(filter)
        if sortedFor != sort {
            sorted = sortedRows(sort, inventory: inventory)
            sortedFor = sort
        }
        // The narrowest earlier result this filter narrows (same sort, so its rows are in order).
        let base = recent.filter { $0.sort == sort && parsed.narrows($0.parsed) }
            .min { $0.index.identityRows.count + ($0.podPositions?.count ?? facts.podRefs.count)
                < $1.index.identityRows.count + ($1.podPositions?.count ?? facts.podRefs.count) }
        lastSource = base == nil ? .full : .narrowed
        if parsed.labels.isEmpty && !parsed.text.isEmpty { facts.makeSearchTexts(inventory: inventory) }
        var out = TableIndex()
        out.identityRows = filterIdentities(base?.index.identityRows ?? sorted, parsed, inventory: inventory)
        let podPositions = filterPods(base?.podPositions, parsed, inventory: inventory)
        // The pods view keeps inventory order whatever the sort: unfiltered, it shares the facts' rows.
        out.podRows = podPositions.map { $0.map { facts.podRefs[$0] } } ?? facts.podRefs
        for i in out.identityRows {
            let row = i * TableFacts.columns
            for column in 0..<TableFacts.columns {
                out.naturalWidths[column] = max(out.naturalWidths[column], facts.widths[row + column])
            }
        }
        out.naturalWidths[IdentityColumn.expires.rawValue] = 10
        recent.insert(Entry(filter: filter, parsed: parsed, sort: sort, index: out, podPositions: podPositions), at: 0)
        if recent.count > Self.recentLimit { recent.removeLast() }
        return out
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
        if !f.labels.isEmpty {
            return candidates.filter { i in f.matchesLabels { IdentityCells.label(ids[i], $0) } }
        }
        guard let needle = SearchText.asciiNeedle(f.text), let text = facts.identityText else {
            return candidates.filter { f.matches(haystack: IdentityCells.haystack(ids[$0]), labels: [:]) }
        }
        if f.fuzzy {
            return candidates.filter { i in
                text.plain[i] ? text.containsInOrder(row: i, needle: needle) : f.matches(haystack: IdentityCells.haystack(ids[i]), labels: [:])
            }
        }
        return candidates.filter { i in
            text.plain[i] ? text.contains(row: i, needle: needle) != f.inverse
                : f.matches(haystack: IdentityCells.haystack(ids[i]), labels: [:])
        }
    }

    /// The positions in `facts.podRefs` of the `candidates` (nil: every pod) that pass `f`; nil when
    /// every pod passes (no filter, no candidates).
    private func filterPods(_ candidates: [Int]?, _ f: RowFilter, inventory: Inventory) -> [Int]? {
        if f.isEmpty { return candidates }
        /// Filters without first making an array of every position.
        func filter(_ passes: (Int) -> Bool) -> [Int] { candidates?.filter(passes) ?? facts.podRefs.indices.filter(passes) }
        let ids = inventory.identities
        let refs = facts.podRefs
        if !f.labels.isEmpty {
            return filter { row in
                let e = ids[refs[row].identity]
                let injected = e.pods[refs[row].pod].injected
                return f.matchesLabels { $0 == "injected" ? (injected ? "true" : "false") : IdentityCells.label(e, $0) }
            }
        }
        func slow(_ row: Int) -> Bool {
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
