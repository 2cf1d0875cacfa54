import Foundation
import WidashCore

/// A table drawn inside the main box: column header, then only the visible rows.
struct TableRenderer {
    var widths: [Int]
    var layout: Layout

    /// Writes cells at the column positions of `row`; returns nothing. `roles` per cell.
    func writeRow(_ buf: inout ScreenBuffer, y: Int, cells: [String], roles: [ColorRole], rowRole: ColorRole?) {
        if let rowRole { buf.fill(x: 1, y: y, width: layout.innerWidth, role: rowRole) }
        var x = 2
        for (i, text) in cells.enumerated() where i < widths.count {
            let role = rowRole ?? (i < roles.count ? roles[i] : .tableRow)
            let aligned = CharWidth.pad(text, to: widths[i], unicode: buf.unicode)
            buf.write(aligned, x: x, y: y, role: role, maxWidth: max(0, layout.width - 1 - x))
            x += widths[i] + 1
        }
    }

    func writeHeader(_ buf: inout ScreenBuffer, titles: [String]) {
        writeRow(&buf, y: layout.innerTop, cells: titles, roles: titles.map { _ in .tableHeader }, rowRole: nil)
    }
}

enum IdentitiesView {
    static let minimum = [6, 13, 6, 8, 6, 4, 3, 7, 9, 18]
    static let maximum = [14, 22, 10, 36, 12, 5, 5, 10, 26, 60]

    static func columnWidths(_ state: AppState, _ layout: Layout) -> [Int] {
        // One extra cell per title for the sort arrow.
        let natural = state.index.naturalWidths.enumerated().map { i, w in
            max(w, CharWidth.of(IdentityColumn.allCases[i].title) + 1)
        }
        let available = layout.innerWidth - 2 - (IdentityColumn.allCases.count - 1)
        var widths = ColumnFitter.fit(natural: natural, minimum: minimum, maximum: maximum, available: available)
        // Give what is left to the status column, the last one.
        let used = widths.reduce(0, +)
        if used < available, let last = widths.indices.last { widths[last] += available - used }
        return widths
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout) {
        let table = TableRenderer(widths: columnWidths(state, layout), layout: layout)
        let titles = IdentityColumn.allCases.map { c in
            c.title + (state.sort.column == c ? (state.sort.ascending ? "↑" : "↓") : "")
        }
        table.writeHeader(&buf, titles: titles)
        let rows = state.index.identityRows
        if rows.isEmpty {
            let msg = state.expected == 0 && state.lastRefresh == nil ? "loading service accounts…"
                : (state.filter.isEmpty ? "no service accounts" : "nothing matches /\(state.filter) (esc clears the filter)")
            buf.write(msg, x: 2, y: layout.tableFirstRow, role: .dim)
            return
        }
        let s = state.screen
        for r in 0..<layout.tablePageSize {
            let i = s.offset + r
            guard i < rows.count else { break }
            let e = state.inventory.identities[rows[i]]
            let cells = IdentityColumn.allCases.map { IdentityCells.text(e, $0, now: state.now) }
            var roles = IdentityColumn.allCases.map { _ in ColorRole.tableRow }
            roles[IdentityColumn.status.rawValue] = IdentityCells.statusRole(e.status)
            roles[IdentityColumn.trust.rawValue] = IdentityCells.trustRole(e)
            if let exp = IdentityCells.soonestExpiry(e), exp.timeIntervalSince(state.now) < 300 {
                roles[IdentityColumn.expires.rawValue] = .statusWarn
            }
            var rowRole: ColorRole?
            if i == s.cursor { rowRole = .tableCursor } else if let until = state.changedUntil[e.key], until > state.now { rowRole = .tableChanged }
            table.writeRow(&buf, y: layout.tableFirstRow + r, cells: cells, roles: roles, rowRole: rowRole)
        }
    }
}

enum PodsView {
    static let titles = ["NAMESPACE", "POD", "SERVICE ACCOUNT", "PROVIDER", "INJECTED", "TOKEN PATH", "AUDIENCE", "TTL",
                         "ISSUED", "REFRESH IN", "EXPIRES IN"]
    static let natural = [12, 30, 18, 9, 8, 40, 26, 5, 8, 10, 10]
    static let minimum = [6, 10, 8, 6, 3, 6, 6, 3, 5, 6, 6]

    static func cells(_ p: PodIdentity, now: Date) -> [String] {
        let s = p.schedule
        return [
            p.namespace, p.name, p.serviceAccount, p.provider?.displayName ?? "-", p.injected ? "yes" : "NO",
            p.tokenPath ?? "-", p.audience ?? "-", (p.tokenTTLSeconds ?? s?.ttlSeconds).map(Durations.short) ?? "-",
            s.map { Durations.ago(now.timeIntervalSince($0.issuedAt)) } ?? "-",
            s.map { $0.refreshAt <= now ? "due" : Durations.countdown(Int($0.refreshAt.timeIntervalSince(now))) } ?? "-",
            s.map { $0.expiresAt <= now ? "expired" : Durations.countdown(Int($0.expiresAt.timeIntervalSince(now))) } ?? "-",
        ]
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout) {
        let available = layout.innerWidth - 2 - (titles.count - 1)
        let widths = ColumnFitter.fit(natural: natural, minimum: minimum, maximum: natural, available: available)
        let table = TableRenderer(widths: widths, layout: layout)
        table.writeHeader(&buf, titles: titles)
        let rows = state.index.podRows
        if rows.isEmpty {
            buf.write(state.filter.isEmpty ? "no pods use workload identity" : "nothing matches /\(state.filter)",
                      x: 2, y: layout.tableFirstRow, role: .dim)
            return
        }
        let s = state.screen
        if layout.paneRows > 0 { PodEventsPane.render(&buf, state, layout) }
        for r in 0..<layout.tablePageSize {
            let i = s.offset + r
            guard i < rows.count else { break }
            let ref = rows[i]
            let pod = state.inventory.identities[ref.identity].pods[ref.pod]
            var roles = titles.map { _ in ColorRole.tableRow }
            roles[4] = pod.injected ? .statusOK : .statusError
            table.writeRow(&buf, y: layout.tableFirstRow + r, cells: cells(pod, now: state.now), roles: roles,
                           rowRole: i == s.cursor ? .tableCursor : nil)
        }
    }
}

/// Contexts, namespaces and step-5 resources: one-column pick lists.
enum ListViews {
    static func items(_ state: AppState, _ kind: ViewKind) -> [(String, Bool)] {
        switch kind {
        case .contexts:
            return state.contexts.map { ($0, $0 == state.header?.context) }
        case .namespaces:
            return [("(all namespaces)", state.options.namespace == nil)] + state.namespaces.map { ($0, $0 == state.options.namespace) }
        case .resources:
            return state.traceResources.map { ($0, $0 == state.trace?.resource) }
        default:
            return []
        }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout, _ kind: ViewKind) {
        let title: String
        switch kind {
        case .contexts: title = "CONTEXT"
        case .namespaces: title = "NAMESPACE"
        default: title = "RESOURCE"
        }
        let table = TableRenderer(widths: [layout.innerWidth - 3], layout: layout)
        table.writeHeader(&buf, titles: [title])
        let list = items(state, kind)
        if list.isEmpty {
            buf.write("loading…", x: 2, y: layout.tableFirstRow, role: .dim)
            return
        }
        let s = state.screen
        for r in 0..<layout.tablePageSize {
            let i = s.offset + r
            guard i < list.count else { break }
            let (name, current) = list[i]
            table.writeRow(&buf, y: layout.tableFirstRow + r, cells: [(current ? "● " : "  ") + name],
                           roles: [current ? .statusOK : .tableRow], rowRole: i == s.cursor ? .tableCursor : nil)
        }
    }
}

enum DoctorView {
    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout) {
        let nameWidth = min(30, max(10, (state.doctorChecks ?? []).map { CharWidth.of($0.name) }.max() ?? 10))
        let table = TableRenderer(widths: [6, nameWidth, max(5, layout.innerWidth - nameWidth - 11)], layout: layout)
        table.writeHeader(&buf, titles: ["", "CHECK", "DETAIL"])
        guard let checks = state.doctorChecks else {
            buf.write("\(Spinner.frame(state.frame)) running checks…", x: 2, y: layout.tableFirstRow, role: .stepRunning)
            return
        }
        let s = state.screen
        for r in 0..<layout.tablePageSize {
            let i = s.offset + r
            guard i < checks.count else { break }
            let c = checks[i]
            let (icon, role): (String, ColorRole) = c.status == .pass ? ("✓ pass", .statusOK)
                : c.status == .warn ? ("⚠ warn", .statusWarn) : ("✗ fail", .statusError)
            table.writeRow(&buf, y: layout.tableFirstRow + r, cells: [icon, c.name, c.detail], roles: [role, .tableRow, .tableRow],
                           rowRole: i == s.cursor ? .tableCursor : nil)
        }
    }
}

enum Spinner {
    static let frames: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    static func frame(_ n: Int) -> String { frames[((n % frames.count) + frames.count) % frames.count] }
}
