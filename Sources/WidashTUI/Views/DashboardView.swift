import Foundation
import WidashCore

/// Renders the whole screen from the state. Pure: the same state gives the same buffer. Cells carry
/// colour roles, not colours, so the theme is applied by the backend (and snapshots do not depend on it).
public enum DashboardView {
    public static func render(_ state: AppState, unicode: Bool = true) -> ScreenBuffer {
        var buf = ScreenBuffer(width: state.width, height: state.height, unicode: unicode)
        let layout = Layout(state)
        if layout.isTooSmall {
            renderTooSmall(&buf, state)
            return buf
        }
        HeaderView.render(&buf, state)
        HintsView.render(&buf, state, row: 2)
        if let row = layout.bannerRow, let banner = state.bannerText {
            buf.fill(y: row, role: .banner)
            buf.write(" ⚠ " + banner, x: 0, y: row, role: .banner)
        }
        let kind = state.screen.kind
        let title = MainTitle.text(state)
        buf.box(x: 0, y: layout.mainTop, width: layout.width, height: layout.mainHeight, role: .border)
        if !title.isEmpty {
            buf.write(" \(title) ", x: max(1, (layout.width - CharWidth.of(title) - 2) / 2), y: layout.mainTop, role: .title,
                      maxWidth: layout.width - 2)
        }
        switch kind {
        case .identities: IdentitiesView.render(&buf, state, layout)
        case .pods: PodsView.render(&buf, state, layout)
        case .contexts, .namespaces, .resources: ListViews.render(&buf, state, layout, kind)
        case .doctor: DoctorView.render(&buf, state, layout)
        case .fleet: FleetView.render(&buf, state, layout)
        case .detail, .trace, .token, .help, .text, .timeline:
            let lines = Documents.lines(for: kind, state: state, width: layout.innerWidth)
            renderDocument(&buf, lines, offset: state.screen.offset, layout: layout, cursor: state.screen.cursor)
        }
        renderCrumbs(&buf, state, row: layout.crumbsRow)
        StatusLine.render(&buf, state, row: layout.statusRow)
        return buf
    }

    static func renderTooSmall(_ buf: inout ScreenBuffer, _ state: AppState) {
        let lines = ["terminal too small", "\(state.width)×\(state.height), need \(Layout.minWidth)×\(Layout.minHeight)"]
        let top = max(0, (state.height - lines.count) / 2)
        for (i, l) in lines.enumerated() {
            buf.write(l, x: max(0, (state.width - CharWidth.of(l)) / 2), y: top + i, role: .statusWarn)
        }
    }

    /// The visible lines; the `cursor` line (what `y` copies) highlighted like a table's cursor row.
    static func renderDocument(_ buf: inout ScreenBuffer, _ lines: [StyledLine], offset: Int, layout: Layout, cursor: Int? = nil) {
        let page = layout.documentPageSize
        let start = max(0, min(offset, max(0, lines.count - page)))
        for (i, line) in lines.dropFirst(start).prefix(page).enumerated() {
            let y = layout.innerTop + i
            if start + i == cursor {
                buf.fill(x: 1, y: y, width: layout.innerWidth, role: .tableCursor)
                buf.write(segments: line.segments.map { ($0.text, .tableCursor) }, x: 1, y: y, maxWidth: layout.innerWidth)
            } else {
                buf.write(segments: line.segments.map { ($0.text, $0.role) }, x: 1, y: y, maxWidth: layout.innerWidth)
            }
        }
        if lines.count > page {
            let more = "\(start + 1)-\(min(lines.count, start + page))/\(lines.count)"
            buf.write(" \(more) ", x: max(1, layout.width - CharWidth.of(more) - 4), y: layout.mainTop + layout.mainHeight - 1, role: .dim)
        }
    }

    static func renderCrumbs(_ buf: inout ScreenBuffer, _ state: AppState, row: Int) {
        var x = 1
        for (i, s) in state.stack.enumerated() {
            let text = " \(s.kind.crumb) "
            x += buf.write(text, x: x, y: row, role: i == state.stack.count - 1 ? .crumbs : .dim)
            x += 1
            if x >= buf.width { break }
        }
    }
}

/// The title in the main box's top border, k9s style: `Identities(all)[14] </wrong>`.
enum MainTitle {
    static func text(_ state: AppState) -> String {
        let ns = state.options.namespace ?? "all"
        let filter = FilterLine.title(state.filter)
        switch state.screen.kind {
        case .identities:
            return "Identities(\(ns))[\(state.index.identityRows.count)]\(filter)"
        case .pods:
            return "Pods(\(ns))[\(state.index.podRows.count)]\(filter)"
        case .detail(let key): return "Identity \(key)"
        case .trace:
            guard let t = state.trace else { return "Trace" }
            return "Trace \(t.namespace)/\(t.pod)"
        case .token: return "Token"
        case .contexts: return "Contexts[\(state.contexts.count)]"
        case .namespaces: return "Namespaces[\(state.namespaces.count)]"
        case .help: return "Help"
        case .doctor: return "Doctor"
        case .resources: return "Step-5 resource"
        case .text(let title): return title
        case .timeline: return "Token timeline"
        case .fleet:
            return "Fleet(\(state.fleet.contextsRegex.map { "/\($0)/" } ?? "all"))[\(state.fleet.rows.count)]"
                + FilterLine.title(state.fleet.filter)
        }
    }
}
