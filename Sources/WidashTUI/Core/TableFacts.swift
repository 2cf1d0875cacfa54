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
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        keyRank = [Int](repeating: 0, count: ids.count)
        var rank = 0
        for (position, index) in order.enumerated() {
            if position > 0 && keys[order[position - 1]] != keys[index] { rank += 1 }
            keyRank[index] = rank
        }
    }

    /// Builds the search texts once (they do not depend on the filter).
    mutating func makeSearchTexts(inventory: Inventory) {
        guard identityText == nil || podText == nil else { return }
        let ids = inventory.identities
        var identities = SearchText()
        // As `IdentityCells.haystack`: the cell texts but the expiry, a space apart, then the key.
        var parts: [String] = []
        for (i, e) in ids.enumerated() {
            parts.removeAll(keepingCapacity: true)
            for column in IdentityColumn.allCases where column != .expires {
                if !parts.isEmpty { parts.append(" ") }
                parts.append(texts[i * Self.columns + column.rawValue])
            }
            parts += [" ", e.key]
            identities.append(parts: parts)
        }
        var pods = SearchText()
        for ref in podRefs {
            let pod = ids[ref.identity].pods[ref.pod]
            pods.append(pod.namespace, "/", pod.name, " ", pod.serviceAccount, " ", pod.provider?.displayName ?? "")
        }
        identityText = identities
        podText = pods
    }

    /// Sort values of `column` for every identity: `IdentityCells.compare` as numbers, so that equal
    /// values compare equal and the order is the same.
    mutating func sortValues(for column: IdentityColumn, inventory: Inventory) -> [Double] {
        if let cached = sortValues[column] { return cached }
        let ids = inventory.identities
        let values: [Double]
        switch column {
        case .pods: values = ids.map { Double($0.pods.count) }
        case .ttl: values = ids.map { Double(IdentityCells.ttlSeconds($0) ?? Int.max) }
        case .expires: values = ids.map { (IdentityCells.soonestExpiry($0) ?? .distantFuture).timeIntervalSinceReferenceDate }
        case .status: values = ids.map { Double(IdentityCells.statusRank[$0.status] ?? 9) }
        case .trust: values = ids.map { Double(-($0.trust?.rank ?? -1)) }
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
