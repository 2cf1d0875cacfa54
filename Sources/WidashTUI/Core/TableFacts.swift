import Foundation
import WidashCore

/// What the tables need from one inventory, computed once when it arrives rather than on every
/// keystroke: cell texts and their widths, search texts, sort values, label lookups and counts.
/// A keystroke then filters and sorts integers and bytes, never strings built per row.
struct TableFacts: Sendable {
    /// The `AppState.inventoryGeneration` these facts were computed from.
    var generation: Int
    /// Identities in the inventory.
    var count = 0
    /// Cell text (at no particular time: the expires column is empty) and its natural width per
    /// identity and column, `count × columns`.
    var texts: [String] = []
    var widths: [Int] = []
    /// Lowercased search text per identity (as `IdentityCells.haystack`) and per listed pod; built
    /// by `makeSearchTexts` on the first text filter, since loading with no filter never needs them.
    var identityText: SearchText?
    var podText: SearchText?
    /// Pods the pods view lists (those with a provider or injected, or of a federated account), in
    /// inventory order.
    var podRefs: [TableIndex.PodRef] = []
    /// Rank of each identity's key (the tie-breaker of every sort).
    var keyRank: [Int] = []
    /// Row of each identity's key (to patch the rows an update names).
    var rowOfKey: [String: Int] = [:]
    /// Sort value per identity, per column, filled on first use (text columns need a collation pass).
    var sortValues: [IdentityColumn: [Double]] = [:]
    /// Identities with status error / warning (the status line's counts).
    var errorCount = 0
    var warningCount = 0

    static let columns = IdentityColumn.allCases.count

    init(generation: Int) { self.generation = generation }

    /// Computes everything but the sort values, which `sortValues(for:)` adds per column.
    init(inventory: Inventory, generation: Int) {
        self.generation = generation
        let ids = inventory.identities
        count = ids.count
        widths.reserveCapacity(ids.count * Self.columns)
        texts.reserveCapacity(ids.count * Self.columns)
        for (i, e) in ids.enumerated() {
            for column in IdentityColumn.allCases {
                let text = column == .expires ? "" : IdentityCells.text(e, column, now: Date.distantPast)
                texts.append(text)
                widths.append(column == .expires ? 0 : CharWidth.of(text))
            }
            if e.status == .error { errorCount += 1 }
            if e.status == .warning { warningCount += 1 }
            for (p, pod) in e.pods.enumerated() where pod.injected || pod.provider != nil || !e.bindings.isEmpty {
                podRefs.append(TableIndex.PodRef(identity: i, pod: p))
            }
        }
        // Keys sorted once; equal keys (not produced by the builder) share a rank.
        let keys = ids.map(\.key)
        rowOfKey = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        keyRank = [Int](repeating: 0, count: ids.count)
        var rank = 0
        for (position, index) in order.enumerated() {
            if position > 0 && keys[order[position - 1]] != keys[index] { rank += 1 }
            keyRank[index] = rank
        }
    }

    /// Recomputes the rows of `changedKeys` (the list being otherwise the same) and moves the facts
    /// to `generation`; returns the columns whose sort order may have changed, or nil when a key is
    /// not in the list (then nothing was changed and everything must be computed).
    mutating func patch(inventory: Inventory, generation: Int, changedKeys: Set<String>) -> Set<IdentityColumn>? {
        let ids = inventory.identities
        var rows: [Int] = []
        rows.reserveCapacity(changedKeys.count)
        for key in changedKeys {
            guard let row = rowOfKey[key], row < ids.count, ids[row].key == key else { return nil }
            rows.append(row)
        }
        var touched: Set<IdentityColumn> = []
        for row in rows {
            let e = ids[row]
            for column in IdentityColumn.allCases where column != .expires {
                let i = row * Self.columns + column.rawValue
                let text = IdentityCells.text(e, column, now: Date.distantPast)
                if text != texts[i] {
                    texts[i] = text
                    widths[i] = CharWidth.of(text)
                    touched.insert(column)
                }
            }
            for column in Self.numericColumns {
                guard sortValues[column] != nil else { continue }
                let value = Self.numericSortValue(e, column)
                if sortValues[column]?[row] != value {
                    sortValues[column]?[row] = value
                    touched.insert(column)
                }
            }
            if identityText != nil {
                let parts = identitySearchParts(row: row, key: e.key)
                identityText?.replace(row: row, parts: parts)
            }
        }
        for column in touched where !Self.numericColumns.contains(column) { sortValues[column] = nil }
        // Counts and the pods list are cheap to redo whole (integers); a pod row of a changed
        // identity goes to the string path when filtered.
        errorCount = ids.reduce(0) { $0 + ($1.status == .error ? 1 : 0) }
        warningCount = ids.reduce(0) { $0 + ($1.status == .warning ? 1 : 0) }
        var refs: [TableIndex.PodRef] = []
        refs.reserveCapacity(podRefs.count)
        for (i, e) in ids.enumerated() {
            for (p, pod) in e.pods.enumerated() where pod.injected || pod.provider != nil || !e.bindings.isEmpty {
                refs.append(TableIndex.PodRef(identity: i, pod: p))
            }
        }
        if refs != podRefs {
            podRefs = refs
            podText = nil
        } else if podText != nil {
            let changedRows = Set(rows)
            for (position, ref) in podRefs.enumerated() where changedRows.contains(ref.identity) {
                podText?.replace(row: position, parts: Self.podSearchParts(ids[ref.identity].pods[ref.pod]))
            }
        }
        // Replaced rows leave their old bytes behind: past the size of a fresh buffer, start over.
        if let text = identityText, text.wasted > text.bytes.count / 2 { identityText = nil }
        if let text = podText, text.wasted > text.bytes.count / 2 { podText = nil }
        self.generation = generation
        return touched
    }

    static let numericColumns: Set<IdentityColumn> = [.pods, .ttl, .expires, .status, .trust]

    /// The sort value of a numeric column (as `sortValues(for:inventory:)` computes them).
    static func numericSortValue(_ e: IdentityEntry, _ column: IdentityColumn) -> Double {
        switch column {
        case .pods: return Double(e.pods.count)
        case .ttl: return Double(IdentityCells.ttlSeconds(e) ?? Int.max)
        case .expires: return (IdentityCells.soonestExpiry(e) ?? .distantFuture).timeIntervalSinceReferenceDate
        case .status: return Double(IdentityCells.statusRank[e.status] ?? 9)
        case .trust: return Double(-(e.trust?.rank ?? -1))
        default: return 0
        }
    }

    /// Everything a keystroke could need: the search texts and every column's sort values.
    mutating func prepareAll(inventory: Inventory) {
        if identityText == nil || podText == nil { makeSearchTexts(inventory: inventory) }
        for column in IdentityColumn.allCases where sortValues[column] == nil { _ = sortValues(for: column, inventory: inventory) }
    }

    /// Builds the search texts once (they do not depend on the filter).
    mutating func makeSearchTexts(inventory: Inventory) {
        guard identityText == nil || podText == nil else { return }
        let ids = inventory.identities
        var identities = SearchText()
        for (i, e) in ids.enumerated() { identities.append(parts: identitySearchParts(row: i, key: e.key)) }
        var pods = SearchText()
        for ref in podRefs { pods.append(parts: Self.podSearchParts(ids[ref.identity].pods[ref.pod])) }
        identityText = identities
        podText = pods
    }

    /// As `IdentityCells.haystack`: the cell texts but the expiry, a space apart, then the key.
    func identitySearchParts(row: Int, key: String) -> [String] {
        var parts: [String] = []
        for column in IdentityColumn.allCases where column != .expires {
            if !parts.isEmpty { parts.append(" ") }
            parts.append(texts[row * Self.columns + column.rawValue])
        }
        return parts + [" ", key]
    }

    static func podSearchParts(_ pod: PodIdentity) -> [String] {
        [pod.namespace, "/", pod.name, " ", pod.serviceAccount, " ", pod.provider?.displayName ?? ""]
    }

    /// Sort values of `column` for every identity: `IdentityCells.compare` as numbers, so that equal
    /// values compare equal and the order is the same.
    mutating func sortValues(for column: IdentityColumn, inventory: Inventory) -> [Double] {
        if let cached = sortValues[column] { return cached }
        let ids = inventory.identities
        let values: [Double]
        switch column {
        case .pods, .ttl, .expires, .status, .trust: values = ids.map { Self.numericSortValue($0, column) }
        case .namespace, .name, .provider, .identity, .tenant:
            values = Self.collationRanks((0..<count).map { texts[$0 * Self.columns + column.rawValue] })
        }
        sortValues[column] = values
        return values
    }

    /// The rank of each text among the distinct texts in `localizedStandardCompare` order (texts
    /// that compare equal share a rank).
    static func collationRanks(_ texts: [String]) -> [Double] {
        var distinctIndex: [String: Int] = [:]
        var distinct: [String] = []
        var slot = [Int](repeating: 0, count: texts.count)
        for (i, t) in texts.enumerated() {
            if let d = distinctIndex[t] {
                slot[i] = d
            } else {
                distinctIndex[t] = distinct.count
                slot[i] = distinct.count
                distinct.append(t)
            }
        }
        let keys = distinct.map(CollationKey.key)
        let order = distinct.indices.sorted {
            CollationKey.compare(distinct[$0], keys[$0], distinct[$1], keys[$1]) == .orderedAscending
        }
        var rankOfDistinct = [Double](repeating: 0, count: distinct.count)
        var rank = 0.0
        for (position, d) in order.enumerated() {
            if position > 0 {
                let previous = order[position - 1]
                if CollationKey.compare(distinct[previous], keys[previous], distinct[d], keys[d]) != .orderedSame { rank += 1 }
            }
            rankOfDistinct[d] = rank
        }
        return slot.map { rankOfDistinct[$0] }
    }
}
