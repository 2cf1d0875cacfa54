import Foundation
import WidashCore

/// The cell texts of a fleet row, shared by the table, the filter and the sort.
public enum FleetCells {
    /// Short provider labels in the order the issue lists them (`AZ 12 · IRSA 3 · PodId 2 · GKE 1 · legacy 1`).
    static let providerLabels: [(Provider, String)] = [
        (.azure, "AZ"), (.awsIRSA, "IRSA"), (.awsPodIdentity, "PodId"), (.gcp, "GKE"), (.azurePodIdentity, "legacy"),
    ]

    public static func text(_ s: ClusterSummary, _ column: FleetColumn, now: Date) -> String {
        // Counts of a cluster that was never listed are unknown, not zero.
        let listed = s.status == .ready
        func count(_ n: Int) -> String { listed ? String(n) : "-" }
        switch column {
        case .context: return s.context
        case .status: return statusText(s)
        case .providers: return listed ? providersText(s.providers) : "-"
        case .identities: return count(s.identities)
        case .pods: return count(s.pods)
        case .errors: return count(s.errors)
        case .warnings: return count(s.warnings)
        case .trust:
            guard listed else { return "-" }
            guard let t = s.trust else { return "not audited" }
            return "✓ \(t.trusted) ✗ \(t.mismatch) ? \(t.unknown)"
        case .issuer: return issuerText(s)
        case .webhooks:
            guard listed else { return "-" }
            if s.webhooks.isEmpty { return "none" }
            return s.webhooks.map { "\($0.name):\($0.failurePolicy ?? "?")" }.joined(separator: ", ")
        case .expiry:
            guard let exp = s.soonestTokenExpiry else { return "-" }
            let left = exp.timeIntervalSince(now)
            return left <= 0 ? "expired" : Durations.countdown(Int(left))
        case .age:
            guard let at = s.refreshedAt else { return "-" }
            return age(now.timeIntervalSince(at))
        }
    }

    /// `✓ ready`, `⋯ loading`, or `✗` and the one-line reason.
    static func statusText(_ s: ClusterSummary) -> String {
        switch s.status {
        case .ready: return "✓ ready"
        case .loading: return "⋯ loading"
        // The kind first ("refused", "tls", "timeout" …): it survives a narrow column.
        case .unreachable: return "✗ " + (s.failure.map { "\($0.kind.rawValue): " + oneLine($0.message) } ?? "unreachable")
        }
    }

    static func providersText(_ providers: [String: Int]) -> String {
        var parts: [String] = []
        for (provider, label) in providerLabels {
            if let n = providers[provider.rawValue], n > 0 { parts.append("\(label) \(n)") }
        }
        // A provider this build does not name yet still shows, under its JSON name.
        let known = Set(providerLabels.map { $0.0.rawValue })
        for (name, n) in providers.sorted(by: { $0.key < $1.key }) where n > 0 && !known.contains(name) {
            parts.append("\(name) \(n)")
        }
        return parts.isEmpty ? "none" : parts.joined(separator: " · ")
    }

    /// The discovery verdict first (so that a cut column keeps it), then the issuer URL.
    static func issuerText(_ s: ClusterSummary) -> String {
        guard let issuer = s.issuer else {
            // No issuer to show, but the check may say why (e.g. the API server serves no discovery).
            guard let d = s.issuerDiscovery else { return "-" }
            return (d.state == .notPublic ? "✗ " : "? ") + (d.reason ?? "issuer unknown")
        }
        switch s.issuerDiscovery?.state {
        case .publicKeys: return "✓ " + issuer
        case .notPublic: return "✗ " + issuer
        case .unknown, nil: return "? " + issuer
        }
    }

    /// `42s`, `3m`, `2h`, `4d`: how old a summary is.
    static func age(_ interval: TimeInterval) -> String {
        let s = max(0, Int(interval))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    static func statusRole(_ s: ClusterSummary) -> ColorRole {
        switch s.status {
        case .ready: return .statusOK
        case .loading: return .stepRunning
        case .unreachable: return .statusError
        }
    }

    /// What `/text` searches: names, server, status and reason, providers, issuer, webhooks.
    static func haystack(_ s: ClusterSummary) -> String {
        var parts = [s.context, s.cluster, s.server, s.user, s.status.rawValue, s.failure?.message ?? "",
                     providersText(s.providers), s.issuer ?? "", s.issuerDiscovery?.state.rawValue ?? ""]
        parts += s.webhooks.map { "\($0.name):\($0.failurePolicy ?? "")" }
        return parts.joined(separator: " ")
    }

    /// Unreachable clusters sort first ascending (they need attention), then loading, then ready.
    static func compare(_ a: ClusterSummary, _ b: ClusterSummary, by column: FleetColumn) -> ComparisonResult {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult { x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame) }
        func rank(_ s: ClusterSummary) -> Int { s.status == .unreachable ? 0 : (s.status == .loading ? 1 : 2) }
        // Unknown counts (not listed) sort below zero.
        func n(_ s: ClusterSummary, _ v: Int) -> Int { s.status == .ready ? v : -1 }
        switch column {
        case .context: return cmp(a.context.lowercased(), b.context.lowercased())
        case .status: return cmp(rank(a), rank(b))
        case .providers: return cmp(n(a, a.providers.values.reduce(0, +)), n(b, b.providers.values.reduce(0, +)))
        case .identities: return cmp(n(a, a.identities), n(b, b.identities))
        case .pods: return cmp(n(a, a.pods), n(b, b.pods))
        case .errors: return cmp(n(a, a.errors), n(b, b.errors))
        case .warnings: return cmp(n(a, a.warnings), n(b, b.warnings))
        case .trust: return cmp(a.trust?.mismatch ?? -1, b.trust?.mismatch ?? -1)
        case .issuer: return cmp(a.issuer ?? "", b.issuer ?? "")
        case .webhooks: return cmp(n(a, a.webhooks.count), n(b, b.webhooks.count))
        case .expiry: return cmp(a.soonestTokenExpiry ?? .distantFuture, b.soonestTokenExpiry ?? .distantFuture)
        // Youngest first: a newer refresh is a smaller age.
        case .age: return cmp(-(a.refreshedAt ?? .distantPast).timeIntervalSinceReferenceDate,
                              -(b.refreshedAt ?? .distantPast).timeIntervalSinceReferenceDate)
        }
    }
}

/// The clusters table (`:fleet`, `widash --fleet`).
enum FleetView {
    /// Widths a column keeps while others shrink (up to its content's): the context names the
    /// row and the status holds the verdict, so they give way last; counts may cut their titles.
    static let protected = [30, 16, 12, 4, 4, 4, 4, 13, 10, 8, 7, 4]
    static let maximum = [32, 80, 48, 11, 6, 7, 9, 16, 60, 48, 15, 5]
    static let hardMinimum = [8, 9, 5, 3, 3, 3, 3, 5, 5, 4, 5, 3]

    static func columnWidths(_ state: AppState, _ layout: Layout) -> [Int] {
        let columns = FleetColumn.allCases
        var natural = columns.map { CharWidth.of($0.title) + 1 }
        for s in state.fleet.summaries {
            for c in columns { natural[c.rawValue] = max(natural[c.rawValue], CharWidth.of(FleetCells.text(s, c, now: state.now))) }
        }
        let available = layout.innerWidth - 2 - (columns.count - 1)
        var widths = ColumnFitter.fit(natural: natural, minimum: zip(natural, protected).map { min($0, $1) },
                                      maximum: maximum, available: available)
        // Too narrow to protect anything: every column shrinks to a few cells rather than the
        // right-hand ones falling off the screen.
        if widths.reduce(0, +) > available {
            widths = ColumnFitter.fit(natural: natural, minimum: zip(natural, hardMinimum).map { min($0, $1) },
                                      maximum: maximum, available: available)
        }
        // What is left goes to STATUS, where an unreachable cluster's reason is.
        let used = widths.reduce(0, +)
        if used < available { widths[FleetColumn.status.rawValue] += available - used }
        return widths
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout) {
        let fleet = state.fleet
        let table = TableRenderer(widths: columnWidths(state, layout), layout: layout)
        table.writeHeader(&buf, titles: FleetColumn.allCases.map { c in
            c.title + (fleet.sortColumn == c ? (fleet.ascending ? "↑" : "↓") : "")
        })
        if fleet.rows.isEmpty {
            let msg: String
            if let problem = fleet.problem {
                msg = problem
            } else if fleet.summaries.isEmpty {
                msg = "\(Spinner.frame(state.frame)) reading the kubeconfig's contexts…"
            } else {
                msg = "nothing matches /\(fleet.filter) (esc clears the filter)"
            }
            buf.write(msg, x: 2, y: layout.tableFirstRow, role: fleet.problem == nil ? .dim : .statusError,
                      maxWidth: layout.innerWidth - 2)
            return
        }
        let screen = state.screen
        for r in 0..<layout.tablePageSize {
            let i = screen.offset + r
            guard let s = fleet.summary(atRow: i) else { break }
            let cells = FleetColumn.allCases.map { FleetCells.text(s, $0, now: state.now) }
            table.writeRow(&buf, y: layout.tableFirstRow + r, cells: cells, roles: roles(s, now: state.now),
                           rowRole: i == screen.cursor ? .tableCursor : nil)
        }
    }

    static func roles(_ s: ClusterSummary, now: Date) -> [ColorRole] {
        var roles = FleetColumn.allCases.map { _ in ColorRole.tableRow }
        roles[FleetColumn.status.rawValue] = FleetCells.statusRole(s)
        if s.status == .ready {
            if s.errors > 0 { roles[FleetColumn.errors.rawValue] = .statusError }
            if s.warnings > 0 { roles[FleetColumn.warnings.rawValue] = .statusWarn }
            if let t = s.trust, t.mismatch > 0 { roles[FleetColumn.trust.rawValue] = .statusError }
        }
        if s.issuerDiscovery?.state == .notPublic { roles[FleetColumn.issuer.rawValue] = .statusError }
        if let exp = s.soonestTokenExpiry, exp.timeIntervalSince(now) < 300 { roles[FleetColumn.expiry.rawValue] = .statusWarn }
        if s.status != .ready { roles[FleetColumn.age.rawValue] = .dim }
        return roles
    }
}

/// The header's second row in the fleet view: the fleet's sums instead of one cluster's server.
enum FleetHeader {
    static func segments(_ state: AppState) -> [(String, ColorRole)] {
        let t = state.fleet.totals
        var states = ["\(t.ready) ready"]
        if t.loading > 0 { states.append("\(t.loading) loading") }
        if t.unreachable > 0 { states.append("\(t.unreachable) unreachable") }
        var segs: [(String, ColorRole)] = [
            (" fleet ", .header), ("\(t.clusters) cluster\(t.clusters == 1 ? "" : "s")", .headerLabel),
            (" (" + states.joined(separator: " · ") + ")", .header),
            ("  identities ", .header), ("\(t.identities)", .headerLabel), ("  pods ", .header), ("\(t.pods)", .headerLabel),
            ("  errors ", .header), ("\(t.errors)", .headerLabel), ("  warnings ", .header), ("\(t.warnings)", .headerLabel),
        ]
        if let regex = state.fleet.contextsRegex { segs.append(("  contexts /\(regex)/", .header)) }
        return segs
    }

    /// The status line of the fleet view: the fleet's clusters, not the open cluster's accounts.
    static func statusSegments(_ state: AppState) -> [(String, ColorRole)] {
        let t = state.fleet.totals
        var segs: [(String, ColorRole)] = [(" \(t.clusters) cluster\(t.clusters == 1 ? "" : "s")", .dim)]
        if t.unreachable > 0 { segs.append(("  ✗ \(t.unreachable) unreachable", .statusError)) }
        if t.loading > 0 { segs.append(("  ⋯ \(t.loading) loading", .stepRunning)) }
        segs.append(("  theme \(state.theme.name)", .dim))
        return segs
    }

    /// The newest summary's age, as the identities header shows the last refresh.
    static func right(_ state: AppState) -> String {
        guard let newest = state.fleet.summaries.compactMap(\.refreshedAt).max() else { return "connecting… " }
        return "refreshed \(Durations.ago(state.now.timeIntervalSince(newest))) "
    }
}
