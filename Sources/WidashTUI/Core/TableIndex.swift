import Foundation
import WidashCore

/// Columns of the identities table. The sort letter is typed with shift (e.g. `N` sorts by namespace).
public enum IdentityColumn: Int, CaseIterable, Sendable, Hashable {
    case namespace, name, provider, identity, tenant, pods, ttl, expires, trust, status

    public var title: String {
        switch self {
        case .namespace: return "NAMESPACE"
        case .name: return "NAME"
        case .provider: return "PROVIDER"
        case .identity: return "IDENTITY"
        case .tenant: return "TENANT/ACCOUNT"
        case .pods: return "PODS"
        case .ttl: return "TTL"
        case .expires: return "EXPIRES IN"
        case .trust: return "TRUST"
        case .status: return "STATUS"
        }
    }

    public var sortLetter: Character {
        switch self {
        case .namespace: return "N"
        case .name: return "A"
        case .provider: return "P"
        case .identity: return "I"
        case .tenant: return "T"
        case .pods: return "O"
        case .ttl: return "L"
        case .expires: return "E"
        case .trust: return "R"
        case .status: return "S"
        }
    }

    public static func forSortLetter(_ c: Character) -> IdentityColumn? { allCases.first { $0.sortLetter == c } }
}

/// Sort column and direction.
public struct SortState: Sendable, Hashable {
    public var column: IdentityColumn = .namespace
    public var ascending = true
    public init(column: IdentityColumn = .namespace, ascending: Bool = true) {
        self.column = column
        self.ascending = ascending
    }
}

/// A parsed `/` filter: a case-insensitive substring (`!` inverts it), a `-f` fuzzy match (the
/// letters in order, gaps allowed, as k9s' `/-f`) or a `-l` label selector.
///
/// Fuzzy matches keep the table's sort rather than ranking by match quality: the identities table
/// is sorted by the column the user chose (a re-rank would silently undo that), and a result kept in
/// sort order can be narrowed by the next keystroke without re-sorting (see `TableCache`).
public struct RowFilter: Sendable, Hashable {
    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var value: String
        public var equal: Bool
    }
    public var text: String = ""
    public var inverse = false
    /// `-f`: `text` matches when its characters appear in order (whitespace in it is ignored).
    public var fuzzy = false
    public var labels: [Requirement] = []

    public init(_ raw: String) {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("-l") {
            s = String(s.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            for part in s.split(separator: ",") {
                let p = part.trimmingCharacters(in: .whitespaces)
                if let r = p.range(of: "!=") {
                    labels.append(Requirement(key: String(p[..<r.lowerBound]), value: String(p[r.upperBound...]), equal: false))
                } else if let r = p.range(of: "==") ?? p.range(of: "=") {
                    labels.append(Requirement(key: String(p[..<r.lowerBound]), value: String(p[r.upperBound...]), equal: true))
                } else if !p.isEmpty {
                    // A bare key: the label must exist.
                    labels.append(Requirement(key: p, value: "", equal: true))
                }
            }
            return
        }
        if s.hasPrefix("-f") {
            fuzzy = true
            text = String(s.dropFirst(2).filter { !$0.isWhitespace }).lowercased()
            return
        }
        if s.hasPrefix("!") {
            inverse = true
            s.removeFirst()
        }
        text = s.lowercased()
    }

    public var isEmpty: Bool { text.isEmpty && labels.isEmpty }

    /// Whether a row with this searchable text and these labels passes.
    public func matches(haystack: String, labels rowLabels: [String: String]) -> Bool {
        if !labels.isEmpty { return matchesLabels { rowLabels[$0] } }
        if text.isEmpty { return true }
        if fuzzy { return Self.containsInOrder(haystack.lowercased(), text) }
        return haystack.lowercased().contains(text) != inverse
    }

    /// Whether a row whose label values `label` looks up passes the `-l` requirements.
    func matchesLabels(_ label: (String) -> String?) -> Bool {
        labels.allSatisfy { req in
            guard let v = label(req.key) else { return !req.equal }
            if req.value.isEmpty && req.equal { return true }
            return (v == req.value) == req.equal
        }
    }

    /// True when every row passing this filter also passes `wider` (a longer plain substring
    /// holds the shorter one), so the new rows can be found among `wider`'s.
    /// For fuzzy filters the same holds when the shorter text's letters appear in order in the longer.
    func narrows(_ wider: RowFilter) -> Bool {
        guard labels.isEmpty && wider.labels.isEmpty && !inverse && !wider.inverse && !wider.text.isEmpty, fuzzy == wider.fuzzy else {
            return false
        }
        return fuzzy ? Self.containsInOrder(text, wider.text) : text.contains(wider.text)
    }

    /// Whether the characters of `needle` appear in `haystack` in order.
    static func containsInOrder(_ haystack: String, _ needle: String) -> Bool {
        var rest = needle[...]
        for c in haystack where c == rest.first {
            rest.removeFirst()
            if rest.isEmpty { return true }
        }
        return rest.isEmpty
    }
}

/// Filtered and sorted row indices, plus the natural widths of the identity columns, cached in
/// `AppState` so that a frame renders only the visible rows.
public struct TableIndex: Sendable, Hashable {
    /// Indices into `inventory.identities`, in display order.
    public var identityRows: [Int] = []
    /// (identity index, pod index) pairs for the pods view, in display order; empty unless
    /// `podRowsIncluded` (the pods view is open), so that a filter typed in the identities view
    /// does not also search 200 000 pod rows.
    public var podRows = PodRows()
    public var podRowsIncluded = false
    /// Widest cell text per identity column (titles included), for layout.
    public var naturalWidths: [Int] = IdentityColumn.allCases.map { CharWidth.of($0.title) }

    public struct PodRef: Sendable, Hashable {
        public var identity: Int
        public var pod: Int
    }

    public init() {}

    /// Filters and sorts `inventory` from scratch (the dashboard keeps a `TableCache` instead).
    public static func build(inventory: Inventory, filter: String, sort: SortState, unicode: Bool) -> TableIndex {
        var cache = TableCache()
        return cache.index(inventory: inventory, generation: 0, filter: filter, sort: sort, pods: true)
    }
}

/// The pods view's rows: positions in the prepared list of every pod row (nil: all of them, in
/// order), so that a filter result or a sort does not copy hundreds of thousands of references.
public struct PodRows: RandomAccessCollection, Sendable, Hashable {
    private let all: [TableIndex.PodRef]
    private let positions: [Int]?

    public init() { self.init(all: [], positions: nil) }
    public init(_ rows: [TableIndex.PodRef]) { self.init(all: rows, positions: nil) }
    init(all: [TableIndex.PodRef], positions: [Int]?) {
        self.all = all
        self.positions = positions
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { positions?.count ?? all.count }
    public subscript(i: Int) -> TableIndex.PodRef {
        if let positions { return all[positions[i]] }
        return all[i]
    }

    /// The same rows in the same order, however they are held.
    public static func == (a: PodRows, b: PodRows) -> Bool { a.elementsEqual(b) }
    public func hash(into hasher: inout Hasher) { hasher.combine(count) }
}

/// Cell texts of the identities table and the data they are computed from.
public enum IdentityCells {
    public static func text(_ e: IdentityEntry, _ column: IdentityColumn, now: Date) -> String {
        switch column {
        case .namespace: return e.namespace
        case .name: return e.name
        case .provider:
            let names = e.bindings.map(\.provider.displayName)
            return names.isEmpty ? "-" : names.joined(separator: ",")
        case .identity: return e.bindings.compactMap(\.cloudIdentity).first ?? "-"
        case .tenant: return e.bindings.compactMap(\.tenant).first ?? "-"
        case .pods:
            let ready = e.pods.filter { $0.totalContainers > 0 && $0.readyContainers == $0.totalContainers }.count
            return "\(ready)/\(e.pods.count)"
        case .ttl:
            guard let ttl = ttlSeconds(e) else { return "-" }
            return Durations.short(ttl)
        case .expires:
            guard let exp = soonestExpiry(e) else { return "-" }
            let left = Int(exp.timeIntervalSince(now).rounded(.down))
            return left <= 0 ? "expired" : Durations.countdown(left)
        case .trust: return e.trust?.label ?? "-"
        case .status: return statusText(e)
        }
    }

    public static func ttlSeconds(_ e: IdentityEntry) -> Int? {
        e.pods.compactMap { $0.tokenTTLSeconds ?? $0.schedule?.ttlSeconds }.min()
            ?? e.bindings.compactMap(\.tokenExpirationSeconds).min()
    }

    public static func soonestExpiry(_ e: IdentityEntry) -> Date? {
        e.pods.compactMap { $0.schedule?.expiresAt }.min()
    }

    public static func topFinding(_ e: IdentityEntry) -> Finding? {
        e.findings.max { a, b in a.severity < b.severity }
    }

    public static func statusText(_ e: IdentityEntry) -> String {
        switch e.status {
        // ✓ only once the cloud side was checked too (or the audit is off: no verdict at all).
        case .ok where e.trust?.state == .checking: return "⋯ checking the cloud side"
        case .ok: return "✓ ok"
        case .none: return "· no identity"
        case .warning, .error:
            let icon = e.status == .error ? "✗" : "⚠"
            return "\(icon) \(topFinding(e)?.message ?? e.status.rawValue)"
        }
    }

    public static func statusRole(_ s: IdentityStatus) -> ColorRole {
        switch s {
        case .ok: return .statusOK
        case .warning: return .statusWarn
        case .error: return .statusError
        case .none: return .dim
        }
    }

    /// The TRUST cell's colour.
    public static func trustRole(_ e: IdentityEntry) -> ColorRole {
        switch e.trust?.rank {
        case 4?: return .statusError
        case 3?, 1?: return .statusWarn
        case 2?: return .stepRunning
        case 0?: return .statusOK
        default: return .dim
        }
    }

    static func haystack(_ e: IdentityEntry) -> String {
        IdentityColumn.allCases.filter { $0 != .expires }.map { text(e, $0, now: Date.distantPast) }.joined(separator: " ")
            + " " + e.key
    }

    /// Labels a `-l` selector matches: the service account's annotations plus `namespace`, `name`,
    /// `provider` (every binding's provider id, e.g. `azure`) and `status`.
    static func labels(_ e: IdentityEntry) -> [String: String] {
        // Keep in step with `label(_:_:)`.
        var l = e.annotations
        l["namespace"] = e.namespace
        l["name"] = e.name
        l["status"] = e.status.rawValue
        if let t = e.trust { l["trust"] = t.state.rawValue }
        if let p = e.bindings.first?.provider { l["provider"] = p.rawValue }
        return l
    }

    /// One label of `labels(e)`, without building the dictionary.
    static func label(_ e: IdentityEntry, _ key: String) -> String? {
        switch key {
        case "namespace": return e.namespace
        case "name": return e.name
        case "status": return e.status.rawValue
        case "trust": return e.trust?.state.rawValue ?? e.annotations[key]
        case "provider": return e.bindings.first.map(\.provider.rawValue) ?? e.annotations[key]
        default: return e.annotations[key]
        }
    }

    static let statusRank: [IdentityStatus: Int] = [.error: 0, .warning: 1, .ok: 2, .none: 3]

    static func compare(_ a: IdentityEntry, _ b: IdentityEntry, by column: IdentityColumn) -> ComparisonResult {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame) }
        switch column {
        case .pods: return cmp(a.pods.count, b.pods.count)
        case .ttl: return cmp(ttlSeconds(a) ?? Int.max, ttlSeconds(b) ?? Int.max)
        case .expires: return cmp(soonestExpiry(a) ?? .distantFuture, soonestExpiry(b) ?? .distantFuture)
        case .status: return cmp(statusRank[a.status] ?? 9, statusRank[b.status] ?? 9)
        case .trust: return cmp(-(a.trust?.rank ?? -1), -(b.trust?.rank ?? -1))
        default:
            return text(a, column, now: .distantPast).localizedStandardCompare(text(b, column, now: .distantPast))
        }
    }
}

/// Human durations: `1h`, `24h`, `10m`, and countdowns like `42m17s`.
public enum Durations {
    public static func short(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    public static func countdown(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s >= 86400 { return "\(s / 86400)d\(s % 86400 / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
