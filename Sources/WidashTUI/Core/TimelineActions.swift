import Foundation
import WidashCore

/// Opening the token timeline and switching the trace view to its diagram.
enum TimelineActions {
    /// `d` in the trace view: the sequence diagram, or back to the step timeline.
    static func toggleDiagram(_ state: inout AppState) {
        state.traceShowsDiagram.toggle()
        if let i = state.stack.lastIndex(where: { $0.kind == .trace }) {
            state.stack[i].offset = 0
            state.stack[i].cursor = 0
        }
        Navigation.clampAll(&state)
        if state.trace?.isRunning == false { focusFailedStepFix(&state) }
    }

    /// `e` in the pods view, `:timeline`: the pods of the identity the user is looking at.
    static func openForSelected(_ state: inout AppState) {
        guard let index = identityIndex(state) else {
            state.flash("select an identity or a pod to draw its tokens' timeline", error: true)
            return
        }
        open(&state, TimelineSelection.identity(at: index, in: state.inventory))
    }

    /// Where the identity the user is looking at sits in the inventory: straight from the table
    /// rows when a table shows it, else found by name (one pass, on a key press only).
    private static func identityIndex(_ state: AppState) -> Int? {
        let s = state.screen
        if s.kind == .pods { return s.cursor < state.index.podRows.count ? state.index.podRows[s.cursor].identity : nil }
        if s.kind == .identities { return s.cursor < state.index.identityRows.count ? state.index.identityRows[s.cursor] : nil }
        guard let e = TraceActions.currentIdentity(state) else { return nil }
        return state.inventory.identities.firstIndex { $0.namespace == e.namespace && $0.name == e.name }
    }

    /// `E` in the pods view: the pods the (filtered) table shows, up to `TimelineSelection.maxPods`.
    static func openForPodsTable(_ state: inout AppState) {
        open(&state, TimelineSelection.podRows(state.index.podRows, in: state.inventory, filter: state.filter))
    }

    private static func open(_ state: inout AppState, _ selection: TimelineSelection) {
        state.timelineSelection = selection
        if let i = state.stack.firstIndex(where: { $0.kind == .timeline }) {
            state.stack[i].offset = 0
            state.stack[i].cursor = 0
        }
        Navigation.push(&state, .timeline)
    }
}
