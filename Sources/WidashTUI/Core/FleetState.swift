import Foundation
import WidashCore

/// Columns of the fleet table. The sort letter is typed with shift, as in the identities table
/// (`G` is not used: it moves to the last row everywhere).
public enum FleetColumn: Int, CaseIterable, Sendable, Hashable {
    case context, status, providers, identities, pods, errors, warnings, trust, issuer, webhooks, expiry, age

    public var title: String {
        switch self {
        case .context: return "CONTEXT"
        case .status: return "STATUS"
        case .providers: return "PROVIDERS"
        case .identities: return "IDENTITIES"
        case .pods: return "PODS"
        case .errors: return "ERRORS"
        case .warnings: return "WARNINGS"
        case .trust: return "TRUST"
        case .issuer: return "ISSUER"
        case .webhooks: return "WEBHOOKS"
        case .expiry: return "SOONEST EXPIRY"
        case .age: return "AGE"
        }
    }

    public var sortLetter: Character {
        switch self {
        case .context: return "C"
        case .status: return "S"
        case .providers: return "P"
        case .identities: return "I"
        case .pods: return "O"
        case .errors: return "E"
        case .warnings: return "W"
        case .trust: return "R"
        case .issuer: return "U"
        case .webhooks: return "H"
        case .expiry: return "X"
        case .age: return "A"
        }
    }

    public static func forSortLetter(_ c: Character) -> FleetColumn? { allCases.first { $0.sortLetter == c } }
}

/// The fleet view's data: one summary per kubeconfig context, replaced by context as updates
/// arrive, with the table's own filter and sort (a fleet is tens of rows: the visible order is
/// recomputed in full on every change, far below a millisecond).
public struct FleetState: Sendable, Hashable {
    /// In arrival order (the fleet session reports contexts in kubeconfig order first).
    public private(set) var summaries: [ClusterSummary] = []
    /// Indices into `summaries`, filtered and sorted: the table's rows.
    public private(set) var rows: [Int] = []
    /// The `/` filter of the fleet table (the identities table keeps its own).
    public private(set) var filter = ""
    public private(set) var sortColumn: FleetColumn = .context
    public private(set) var ascending = true
    /// `--contexts REGEX` / `:fleet REGEX`: the contexts watched (nil: every context).
    public var contextsRegex: String?
    /// True once a fleet watch was started (so that `:fleet` does not start a second one).
    public var watching = false
    /// Why the fleet cannot be watched (no kubeconfig, no context matches), shown in the table.
    public var problem: String?
    /// The open cluster's watch changed its inventory since its row was last summed from it.
    var openClusterChanged = false
    /// The context whose inventory the dashboard watches, once switched (before: the header's).
    var openContext: String?

    public init() {}

    /// Replaces the summary of the same context, or appends a new one.
    public mutating func apply(_ summary: ClusterSummary) {
        if let i = summaries.firstIndex(where: { $0.context == summary.context }) {
            summaries[i] = summary
        } else {
            summaries.append(summary)
        }
        reindex()
    }

    /// Starts again (a new `:fleet REGEX`): the old contexts' summaries go.
    public mutating func restart(contextsRegex: String?) {
        self.contextsRegex = contextsRegex
        summaries = []
        problem = nil
        watching = true
        reindex()
    }

    public mutating func setFilter(_ text: String) {
        filter = text
        reindex()
    }

    /// The same column again flips the direction; another column sorts ascending.
    public mutating func sort(by column: FleetColumn) {
        if column == sortColumn { ascending.toggle() } else { sortColumn = column; ascending = true }
        reindex()
    }

    /// The summary of table row `row`.
    public func summary(atRow row: Int) -> ClusterSummary? {
        guard row >= 0, row < rows.count else { return nil }
        return summaries[rows[row]]
    }

    private mutating func reindex() {
        let parsed = RowFilter(filter)
        let all = summaries
        let column = sortColumn
        let ascending = self.ascending
        let visible = all.indices.filter { i in
            parsed.matches(haystack: FleetCells.haystack(all[i]), labels: Self.labels(all[i]))
        }
        rows = visible.sorted { a, b in
            let order = FleetCells.compare(all[a], all[b], by: column)
            if order == .orderedSame { return a < b }
            return (order == .orderedAscending) == ascending
        }
    }

    /// What `/-l key=value` matches: the cluster's status and each provider present.
    static func labels(_ s: ClusterSummary) -> [String: String] {
        var out = ["status": s.status.rawValue, "context": s.context, "cluster": s.cluster]
        for (provider, count) in s.providers where count > 0 { out[provider] = String(count) }
        return out
    }

    /// Sums over the fleet for the header line.
    public var totals: FleetTotals {
        var t = FleetTotals()
        for s in summaries {
            switch s.status {
            case .ready: t.ready += 1
            case .loading: t.loading += 1
            case .unreachable: t.unreachable += 1
            }
            t.identities += s.identities
            t.pods += s.pods
            t.errors += s.errors
            t.warnings += s.warnings
        }
        return t
    }
}

/// The fleet's sums (the header line of the fleet view).
public struct FleetTotals: Sendable, Hashable {
    public var ready = 0
    public var loading = 0
    public var unreachable = 0
    public var identities = 0
    public var pods = 0
    public var errors = 0
    public var warnings = 0
    public var clusters: Int { ready + loading + unreachable }
}
