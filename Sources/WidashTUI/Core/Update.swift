import Foundation
import WidashCore

/// The pure heart of the dashboard: applies a message to the state and returns the side effects
/// to run. Never does I/O; the runtime executes the commands and feeds results back as messages.
public func update(_ state: inout AppState, _ msg: Message) -> [Command] {
    // The events watch follows the open identity detail, whichever message moved the screens.
    let commands = applyMessage(&state, msg)
    state.includePodRowsIfShown()
    var atTick = false
    if case .tick = msg { atTick = true }
    return commands + EventsFollow.reconcile(&state, atTick: atTick) + startInventoryWatchOnLeavingTheFleet(&state)
}

func applyMessage(_ state: inout AppState, _ msg: Message) -> [Command] {
    switch msg {
    case .key(let key):
        return handleKey(&state, key)
    case .mouse(let event):
        handleMouse(&state, event)
        return []
    case .resize(let w, let h):
        state.width = max(0, w)
        state.height = max(0, h)
        Navigation.clampAll(&state)
        return []
    case .tick(let date):
        return handleTick(&state, date)
    case .header(let facts):
        let previous = state.header?.context
        state.header = facts
        return ContextTheme.commands(state.options, previous: previous, context: facts.context)
    case .inventory(let u):
        applyInventory(&state, u)
        FleetActions.inventoryChanged(&state, u)
        return []
    case .trace(let runID, let event, let at):
        return applyTraceEvent(&state, runID: runID, event: event, at: at)
    case .token(let t):
        state.token = t
        state.tokenLoading = false
        if let e = t.error { state.flash(e, error: true) }
        return []
    case .doctor(let checks):
        state.doctorChecks = checks
        return []
    case .contexts(let names):
        state.contexts = names
        return []
    case .namespaces(let names):
        state.namespaces = names
        return []
    case .traceResources(let names):
        state.traceResources = names
        return []
    case .contextSwitched(let name, let error):
        if let error {
            state.flash("cannot switch to context \(name): \(error)", error: true)
            return []
        }
        state.flash("switched to context \(name)")
        state.inventory = Inventory(issuer: nil, webhooks: [], identities: [], clusterFindings: [])
        state.loaded = 0
        state.expected = 0
        state.traceReports = [:]
        state.podTokenFiles = [:]
        FleetActions.contextSwitched(&state, to: name)
        state.reindex()
        state.inventoryWatched = true
        return [.loadHeader, .watchInventory(namespace: state.options.namespace)]
    case .themeLoaded(let theme):
        state.theme = theme
        state.flash("theme \(theme.name)")
        return []
    case .themeFailed(let message):
        // A bad theme or skin file must not cost the user the colours they have (k9s keeps its skin too).
        state.flash("\(message) — keeping theme \(state.theme.name)", error: true)
        return []
    case .events(let key, let eventsUpdate):
        EventsFollow.apply(&state, key: key, update: eventsUpdate)
        return []
    case .fleet(let summary):
        FleetActions.apply(&state, summary)
        return []
    case .fleetProblem(let problem):
        state.fleet.problem = problem
        state.fleet.watching = false
        return []
    case .saved(let path, let lines, let error):
        if let error { state.flash(error, error: true) } else { state.flash("saved \(path) (\(lines) lines)") }
        return []
    }
}

extension AppState {
    /// Shows a message on the status line for a few seconds.
    public mutating func flash(_ text: String, error: Bool = false) {
        flash = Flash(text: text, isError: error, until: now.addingTimeInterval(error ? 8 : 4))
    }
}

private func handleTick(_ state: inout AppState, _ date: Date) -> [Command] {
    state.now = date
    state.frame &+= 1
    if let f = state.flash, f.until <= date { state.flash = nil }
    if !state.changedUntil.isEmpty { state.changedUntil = state.changedUntil.filter { $0.value > date } }
    // Once loaded, idle ticks precompute the search texts, then one column's sort order per tick
    // (each a few ms to ~20 ms at 10 000 accounts), so filter and sort keys find them ready. One
    // slice per tick keeps a key that arrives meanwhile from waiting for all of them.
    if state.loaded >= state.expected { state.warmTableCache() }
    FleetActions.tick(&state)
    if let t = state.trace, t.autoRerun, !t.isRunning, let next = t.nextRunAt, next <= date {
        return TraceActions.rerun(&state)
    }
    return []
}

private func applyInventory(_ state: inout AppState, _ u: InventoryUpdate) {
    let wasComplete = state.expected > 0 && state.loaded >= state.expected
    let until = state.now.addingTimeInterval(2)
    // The executor prepares each update's table facts and changed rows off the UI thread; an update
    // without them (tests) costs a pass here.
    if let prepared = u.prepared {
        if wasComplete { for key in prepared.changed ?? [] { state.changedUntil[key] = until } }
    } else if wasComplete {
        // Highlight rows that changed since the last complete snapshot (cost: one pass per update).
        var old: [String: IdentityEntry] = [:]
        for e in state.inventory.identities { old[e.key] = e }
        for e in u.inventory.identities where old[e.key] != e { state.changedUntil[e.key] = until }
    }
    // Keep the cursor on the same identity when rows move.
    let selectedKey = state.selectedIdentity?.key
    state.inventory = u.inventory
    if let prepared = u.prepared { state.installTableFacts(prepared) }
    state.loaded = u.loaded
    state.expected = u.expected
    state.banner = u.errorBanner
    state.lastRefresh = u.receivedAt
    state.reindex()
    if let selectedKey, let i = state.stack.firstIndex(where: { $0.kind == .identities }),
       let row = state.index.identityRows.firstIndex(where: { state.inventory.identities[$0].key == selectedKey }) {
        state.stack[i].cursor = row
    }
    Navigation.clampAll(&state)
}

private func applyTraceEvent(_ state: inout AppState, runID: Int, event: TraceEvent, at: Date) -> [Command] {
    guard var t = state.trace, t.runID == runID else { return [] }
    switch event {
    case .started(_, let provider):
        t.provider = provider
    case .stepStarted(let n):
        if let i = t.steps.firstIndex(where: { $0.number == n }) { t.steps[i].status = .running }
        t.stepStartedAt = at
    case .stepFinished(let step):
        if let i = t.steps.firstIndex(where: { $0.number == step.number }) { t.steps[i] = step } else { t.steps.append(step) }
    case .finished(let report):
        t.steps = report.steps
        t.provider = report.provider ?? t.provider
        t.result = report.result
        t.finishedAt = at
        state.traceReports[t.identityKey] = report
        state.stepHistory.record(seed: t.seed, steps: report.steps)
        if let file = report.podTokenFile { state.podTokenFiles[report.pod] = file }
        if t.autoRerun { t.nextRunAt = at.addingTimeInterval(TimeInterval(max(1, state.options.autoRerunSeconds))) }
    }
    state.trace = t
    if case .finished(let report) = event, report.result != .passed { focusFailedStepFix(&state) }
    return []
}

/// A failed trace puts the cursor on the failed step's fix (`y` copies it): in the timeline scrolled
/// so that the step and its diagnosis are in view, in the diagram (one page) on its fix row.
func focusFailedStepFix(_ state: inout AppState) {
    guard let t = state.trace, let failed = t.steps.first(where: { $0.status == .failed }),
          let i = state.stack.lastIndex(where: { $0.kind == .trace }) else { return }
    let width = Layout(state).innerWidth
    if state.traceShowsDiagram {
        state.stack[i].offset = 0
        state.stack[i].cursor = TraceDiagram.lines(state, width: width).firstIndex { $0.copyLabel == "fix command" } ?? 0
    } else {
        let line = TraceDocument.lineIndex(ofStep: failed.number, state: state, width: width) ?? 0
        state.stack[i].offset = max(0, line - 1)
        state.stack[i].cursor = TraceDocument.fixLineIndex(ofStep: failed.number, state: state, width: width) ?? line
    }
    Navigation.clampAll(&state)
}

/// `--fleet` starts without the current context's inventory (the fleet's own reads come first);
/// the first screen that is not the fleet starts its watch.
func startInventoryWatchOnLeavingTheFleet(_ state: inout AppState) -> [Command] {
    guard !state.inventoryWatched, state.screen.kind != .fleet else { return [] }
    state.inventoryWatched = true
    return [.watchInventory(namespace: state.options.namespace)]
}
