import Foundation
import WidashCore

func handleKey(_ state: inout AppState, _ key: Key) -> [Command] {
    if key == .ctrl("c") {
        state.quitting = true
        return [.quit]
    }
    switch state.mode {
    case .command(let text):
        return editLine(&state, key, text: text, isCommand: true)
    case .filter(let text):
        return editLine(&state, key, text: text, isCommand: false)
    case .normal:
        return normalKey(&state, key)
    }
}

/// Editing the `:` command line or the `/` filter; the filter applies live as it is typed.
private func editLine(_ state: inout AppState, _ key: Key, text: String, isCommand: Bool) -> [Command] {
    var text = text
    // Any key but Tab ends Tab cycling (the suggestions follow the line again).
    if key != .tab && key != .backTab { state.promptCycle = nil }
    switch key {
    case .tab, .backTab:
        guard isCommand else { return [] }
        text = CommandCompletion.tab(&state, line: text, backward: key == .backTab)
    case .escape:
        state.mode = .normal
        if !isCommand { applyFilter(&state, "") }
        return []
    case .enter:
        state.mode = .normal
        if isCommand { return CommandPrompt.run(&state, text) }
        applyFilter(&state, text)
        return []
    case .backspace, .delete:
        if text.isEmpty {
            state.mode = .normal
            return []
        }
        text.removeLast()
    case .char(let c):
        text.append(c)
    default:
        return []
    }
    if isCommand {
        state.mode = .command(text)
    } else {
        state.mode = .filter(text)
        applyFilter(&state, text)
    }
    return []
}

func applyFilter(_ state: inout AppState, _ text: String) {
    // The fleet table has its own filter: opening a cluster must not filter its identities.
    if state.screen.kind == .fleet { return FleetActions.applyFilter(&state, text) }
    guard state.filter != text else { return }
    state.filter = text
    state.reindex()
    for i in state.stack.indices where state.stack[i].kind == .identities || state.stack[i].kind == .pods {
        state.stack[i].cursor = 0
        state.stack[i].offset = 0
    }
    Navigation.clampAll(&state)
}

private func normalKey(_ state: inout AppState, _ key: Key) -> [Command] {
    let kind = state.screen.kind
    let page = Navigation.pageSize(state, kind)
    if kind == .fleet, let commands = FleetActions.key(&state, key) { return commands }
    switch key {
    case .char(":"):
        state.mode = .command("")
        return CommandCompletion.opened(state)
    case .char("/"):
        if kind == .identities || kind == .pods { state.mode = .filter(state.filter) }
    case .char("?"):
        Navigation.push(&state, .help)
    case .up, .char("k"): Navigation.move(&state, by: -1)
    case .down, .char("j"): Navigation.move(&state, by: 1)
    case .pageUp, .ctrl("b"): Navigation.move(&state, by: -page)
    case .pageDown, .ctrl("f"), .char(" "): Navigation.move(&state, by: page)
    case .home, .char("g"): Navigation.moveTo(&state, end: false)
    case .end, .char("G"): Navigation.moveTo(&state, end: true)
    case .enter, .right:
        return open(&state)
    case .escape, .left:
        goBack(&state)
    case .char("t"):
        return TraceActions.traceSelected(&state)
    case .char("f"):
        return TokenActions.fetchSelected(&state)
    case .char("r"):
        if kind == .trace { return TraceActions.rerun(&state) }
        if kind == .doctor { state.doctorChecks = nil; return [.runDoctor] }
        if case .detail = kind { return TrustActions.rerun(&state) }
        if kind == .identities || kind == .pods { return TrustActions.rerun(&state) }
    case .char("a"):
        if kind == .trace { TraceActions.toggleAuto(&state) }
    case .char("p"):
        if kind == .trace { return TraceActions.togglePodToken(&state) }
    case .char("c"):
        if kind == .trace, let t = state.trace {
            Navigation.push(&state, .resources)
            let sa = state.identity(key: t.identityKey)?.name ?? ""
            return [.loadTraceResources(namespace: t.namespace, serviceAccount: sa)]
        }
    case .char("y"):
        return CopyActions.copySelected(&state)
    case .char("n") where !Navigation.isTable(kind):
        CopyActions.jump(&state, forward: true)
    case .char("N") where !Navigation.isTable(kind):
        CopyActions.jump(&state, forward: false)
    case .char("d") where kind == .trace:
        TimelineActions.toggleDiagram(&state)
    case .char("e") where kind == .pods:
        TimelineActions.openForSelected(&state)
    // Only in the pods view: elsewhere E sorts the identities by expiry.
    case .char("E") where kind == .pods:
        TimelineActions.openForPodsTable(&state)
    case .char("s"):
        if kind == .identities { cycleSort(&state) }
    case .char(let c) where c.isUppercase:
        if kind == .identities, let column = IdentityColumn.forSortLetter(c) { sortBy(&state, column) }
    default:
        break
    }
    return []
}

private func cycleSort(_ state: inout AppState) {
    let all = IdentityColumn.allCases
    let next = all[(state.sort.column.rawValue + 1) % all.count]
    state.sort = SortState(column: next, ascending: true)
    state.reindex()
    state.flash("sorted by \(next.title)")
}

func sortBy(_ state: inout AppState, _ column: IdentityColumn) {
    if state.sort.column == column {
        state.sort.ascending.toggle()
    } else {
        state.sort = SortState(column: column, ascending: true)
    }
    state.reindex()
    state.flash("sorted by \(column.title) \(state.sort.ascending ? "ascending" : "descending")")
}

/// `esc`: clear an active filter first (as k9s does), else go back one crumb.
private func goBack(_ state: inout AppState) {
    let kind = state.screen.kind
    if (kind == .identities || kind == .pods), !state.filter.isEmpty {
        applyFilter(&state, "")
        return
    }
    if state.stack.count > 1 {
        state.stack.removeLast()
        Navigation.clampAll(&state)
    }
}

/// `enter`: open what is under the cursor.
private func open(_ state: inout AppState) -> [Command] {
    let s = state.screen
    switch s.kind {
    case .identities:
        if let e = state.selectedIdentity { Navigation.push(&state, .detail(key: e.key)) }
    case .pods:
        guard s.cursor < state.index.podRows.count else { return [] }
        let ref = state.index.podRows[s.cursor]
        Navigation.push(&state, .detail(key: state.inventory.identities[ref.identity].key))
    case .contexts:
        guard s.cursor < state.contexts.count else { return [] }
        let name = state.contexts[s.cursor]
        state.flash("switching to context \(name)…")
        return [.switchContext(name)]
    case .namespaces:
        let ns: String? = s.cursor == 0 ? nil : (s.cursor - 1 < state.namespaces.count ? state.namespaces[s.cursor - 1] : nil)
        return selectNamespace(&state, ns)
    case .resources:
        guard s.cursor < state.traceResources.count else { return [] }
        let resource = state.traceResources[s.cursor]
        state.stack.removeLast()
        state.trace?.resource = resource
        state.flash("step 5 calls \(resource)")
        return TraceActions.rerun(&state)
    case .doctor:
        CopyActions.openDoctorRow(&state)
    case .fleet:
        return FleetActions.open(&state)
    case .detail, .trace, .token, .help, .text, .timeline:
        break
    }
    return []
}

func selectNamespace(_ state: inout AppState, _ ns: String?) -> [Command] {
    state.options.namespace = ns
    Navigation.reset(&state, to: .identities)
    state.flash(ns.map { "namespace \($0)" } ?? "all namespaces")
    state.inventoryWatched = true
    return [.watchInventory(namespace: ns)]
}
