import Foundation
import WidashCore

/// Cursor and scrolling rules shared by keys and the mouse.
enum Navigation {
    /// Whether a view is a table with a cursor (else a scrolling document).
    static func isTable(_ kind: ViewKind) -> Bool {
        switch kind {
        case .identities, .pods, .contexts, .namespaces, .doctor, .resources, .fleet: return true
        case .detail, .trace, .token, .help, .text, .timeline: return false
        }
    }

    static func rowCount(_ state: AppState, _ kind: ViewKind) -> Int {
        switch kind {
        case .identities: return state.index.identityRows.count
        case .pods: return state.index.podRows.count
        case .contexts: return state.contexts.count
        case .namespaces: return state.namespaces.count + 1
        case .doctor: return state.doctorChecks?.count ?? 0
        case .resources: return state.traceResources.count
        case .fleet: return state.fleet.rows.count
        case .detail, .trace, .token, .help, .text, .timeline:
            return Documents.lines(for: kind, state: state, width: Layout(state).innerWidth).count
        }
    }

    static func pageSize(_ state: AppState, _ kind: ViewKind) -> Int {
        let layout = Layout(state)
        return isTable(kind) ? layout.tablePageSize : layout.documentPageSize
    }

    /// Moves the cursor by `delta` rows (tables and documents alike).
    static func move(_ state: inout AppState, by delta: Int) {
        var s = state.screen
        // Documents have a cursor line too (what `y` copies); the offset follows it. Paging and the
        // wheel (more than one line) scroll the page with the cursor, as a pager does.
        s.cursor += delta
        if !isTable(s.kind) && abs(delta) > 1 { s.offset += delta }
        state.screen = s
        clampTop(&state)
    }

    static func moveTo(_ state: inout AppState, end: Bool) {
        var s = state.screen
        let count = rowCount(state, s.kind)
        s.cursor = end ? count - 1 : 0
        state.screen = s
        clampTop(&state)
    }

    /// Keeps the top screen's cursor in range and visible.
    static func clampTop(_ state: inout AppState) {
        guard !state.stack.isEmpty else { return }
        state.stack[state.stack.count - 1] = clamped(state, state.screen)
    }

    static func clampAll(_ state: inout AppState) {
        for i in state.stack.indices { state.stack[i] = clamped(state, state.stack[i]) }
    }

    private static func clamped(_ state: AppState, _ screen: Screen) -> Screen {
        var s = screen
        let count = rowCount(state, s.kind)
        let page = pageSize(state, s.kind)
        s.cursor = max(0, min(s.cursor, count - 1))
        if s.cursor < s.offset { s.offset = s.cursor }
        if s.cursor >= s.offset + page { s.offset = s.cursor - page + 1 }
        s.offset = max(0, min(s.offset, max(0, count - page)))
        return s
    }

    /// Opens a view on top of the stack (or brings it to the top when it is already there).
    static func push(_ state: inout AppState, _ kind: ViewKind) {
        if let i = state.stack.firstIndex(where: { $0.kind == kind }) {
            let s = state.stack.remove(at: i)
            state.stack.append(s)
        } else {
            state.stack.append(Screen(kind))
        }
        state.includePodRowsIfShown()
        clampTop(&state)
    }

    /// Makes `kind` the only view (k9s's `:sa`, `:pods`), keeping the identities root.
    static func reset(_ state: inout AppState, to kind: ViewKind) {
        let root = state.stack.first { $0.kind == .identities } ?? Screen(.identities)
        // An open fleet stays below the cluster's views (esc goes back to it).
        let fleet = state.stack.first { $0.kind == .fleet }.map { [$0] } ?? []
        state.stack = fleet + (kind == .identities ? [root] : [root, Screen(kind)])
        state.includePodRowsIfShown()
        clampAll(&state)
    }
}

func handleMouse(_ state: inout AppState, _ event: MouseEvent) {
    let layout = Layout(state)
    guard !layout.isTooSmall, state.mode == .normal else { return }
    switch event {
    case .wheelUp: Navigation.move(&state, by: -3)
    case .wheelDown: Navigation.move(&state, by: 3)
    case .click(_, let y):
        let kind = state.screen.kind
        guard Navigation.isTable(kind) else { return }
        let row = y - layout.tableFirstRow
        guard row >= 0, row < layout.tablePageSize else { return }
        let target = state.screen.offset + row
        guard target < Navigation.rowCount(state, kind) else { return }
        var s = state.screen
        s.cursor = target
        state.screen = s
        Navigation.clampTop(&state)
    }
}
