import Foundation
import WidashCore

/// The fleet view's keys, its `:fleet` command and its updates. Opening a cluster is a context
/// switch (`Command.switchContext`) that keeps the fleet below the cluster's views on the stack,
/// so `esc` comes back to it with every other cluster's summary as it was.
public enum FleetActions {
    /// `--fleet`: the dashboard opens on the fleet and starts watching it.
    static func start(_ state: inout AppState) -> [Command] {
        guard state.options.startsOnFleet else { return [] }
        state.stack = [Screen(.fleet)]
        state.fleet.restart(contextsRegex: state.options.fleetContexts)
        return [.watchFleet(contexts: state.options.fleetContexts)]
    }

    /// `:fleet [REGEX]`: shows the fleet; starts its watch the first time or when the regex changes.
    static func command(_ state: inout AppState, regex: String?) -> [Command] {
        if let regex, let problem = regexProblem(regex) {
            state.flash("`:fleet \(regex)`: \(problem)", error: true)
            return []
        }
        Navigation.push(&state, .fleet)
        let wanted = regex ?? state.fleet.contextsRegex
        guard !state.fleet.watching || wanted != state.fleet.contextsRegex else { return [] }
        state.fleet.restart(contextsRegex: wanted)
        Navigation.clampAll(&state)
        return [.watchFleet(contexts: wanted)]
    }

    /// Why `regex` is not a usable pattern, or nil.
    public static func regexProblem(_ regex: String) -> String? {
        do {
            _ = try NSRegularExpression(pattern: regex)
            return nil
        } catch {
            return "not a regular expression (\(regex)); e.g. `:fleet ^prod-` or `:fleet aks|eks`"
        }
    }

    /// The fleet view's own keys; nil for keys the common handler takes (moves, `:`, `?`, esc
    /// without a filter).
    static func key(_ state: inout AppState, _ key: Key) -> [Command]? {
        switch key {
        case .enter, .right:
            return open(&state)
        case .char("/"):
            state.mode = .filter(state.fleet.filter)
            return []
        case .escape, .left:
            guard !state.fleet.filter.isEmpty else { return nil }
            applyFilter(&state, "")
            return []
        case .char("s"):
            let all = FleetColumn.allCases
            sort(&state, all[(state.fleet.sortColumn.rawValue + 1) % all.count])
            return []
        case .char("r"):
            // Relist now: the watch starts again; summaries stay until their replacement arrives.
            state.flash("relisting every cluster of the fleet")
            state.fleet.watching = true
            return [.watchFleet(contexts: state.fleet.contextsRegex)]
        case .char(let c) where c.isUppercase && c != "G":
            guard let column = FleetColumn.forSortLetter(c) else { return [] }
            sort(&state, column)
            return []
        case .char(let c) where !"jkgG :?".contains(c):
            // The other letters act on one cluster's identities (trace, token, copy …): not here.
            return []
        default:
            return nil
        }
    }

    /// A new column sorts ascending, the same column again flips the direction (`s` always moves
    /// to the next column, so it sorts ascending).
    private static func sort(_ state: inout AppState, _ column: FleetColumn) {
        let context = selected(state)?.context
        state.fleet.sort(by: column)
        follow(&state, context: context)
        state.flash("fleet sorted by \(column.title) \(state.fleet.ascending ? "ascending" : "descending")")
    }

    /// The `/` filter of the fleet table, applied live as it is typed.
    static func applyFilter(_ state: inout AppState, _ text: String) {
        guard state.fleet.filter != text else { return }
        state.fleet.setFilter(text)
        for i in state.stack.indices where state.stack[i].kind == .fleet {
            state.stack[i].cursor = 0
            state.stack[i].offset = 0
        }
        Navigation.clampAll(&state)
    }

    /// The summary under the fleet's cursor.
    static func selected(_ state: AppState) -> ClusterSummary? {
        guard let screen = state.stack.last(where: { $0.kind == .fleet }) else { return nil }
        return state.fleet.summary(atRow: screen.cursor)
    }

    /// enter: a reachable cluster opens (context switch, fleet kept below); an unreachable one
    /// shows its whole reason.
    static func open(_ state: inout AppState) -> [Command] {
        guard let s = selected(state) else { return [] }
        if s.status == .unreachable {
            let title = "cluster \(s.context) unreachable"
            var fields: [TextDetail.Field] = [
                .init("context", s.context), .init("cluster", s.cluster), .init("server", s.server), .init("user", s.user),
                .init("status", "unreachable", role: .statusError),
            ]
            if let f = s.failure {
                fields.append(.init("reason", f.kind.rawValue, role: .statusError))
                fields.append(.init("detail", f.message))
            }
            if let at = s.refreshedAt { fields.append(.init("tried", Durations.ago(state.now.timeIntervalSince(at)))) }
            state.textDetails[title] = TextDetail(title: title, fields: fields)
            Navigation.push(&state, .text(title: title))
            return []
        }
        state.flash("opening cluster \(s.context)…")
        return [.switchContext(s.context)]
    }

    /// A cluster's new summary replaces the old one; the cursor stays on the cluster it was on.
    static func apply(_ state: inout AppState, _ summary: ClusterSummary) {
        // A watch started again (`r`) first reports every context as loading: a cluster already
        // read keeps its last summary (with its age) until the new one is in.
        if summary.status == .loading,
           let known = state.fleet.summaries.first(where: { $0.context == summary.context }), known.status != .loading {
            return
        }
        let context = selected(state)?.context
        state.fleet.apply(summary)
        follow(&state, context: context)
    }

    /// The open cluster's own watch keeps its fleet row live between relists. Summing is a pass
    /// over the inventory, so it runs for a complete listing and at most every few seconds.
    /// An update within the interval is not lost: the next tick after it sums the inventory then.
    static func inventoryChanged(_ state: inout AppState, _ u: InventoryUpdate) {
        guard state.fleet.watching, u.isComplete else { return }
        state.fleet.openClusterChanged = true
        summarizeOpenCluster(&state, at: u.receivedAt)
    }

    /// At a tick: the open cluster's row, when its watch changed it and the interval has passed.
    static func tick(_ state: inout AppState) {
        guard state.fleet.openClusterChanged else { return }
        summarizeOpenCluster(&state, at: state.lastRefresh ?? state.now)
    }

    private static func summarizeOpenCluster(_ state: inout AppState, at time: Date) {
        guard let context = state.fleet.openContext ?? state.header?.context, state.loaded >= state.expected,
              let known = state.fleet.summaries.first(where: { $0.context == context }), known.status == .ready else {
            state.fleet.openClusterChanged = false
            return
        }
        guard known.refreshedAt.map({ time.timeIntervalSince($0) >= liveInterval }) ?? true else { return }
        state.fleet.openClusterChanged = false
        // While the audit still reads the cloud side the row keeps its last complete counts (the
        // fleet's own reads wait for the audit too); the audit's last update brings the new ones.
        let auditing = state.inventory.identities.contains { $0.bindings.contains { $0.trust?.state == .checking } }
        guard !auditing else { return }
        apply(&state, ClusterSummarizer.summarize(state.inventory, facts: known.facts, audited: state.options.auditsTrust,
                                                  issuerDiscovery: known.issuerDiscovery, now: time))
    }

    /// Seconds between two summaries of the open cluster taken from its watch.
    static let liveInterval: TimeInterval = 2

    private static func follow(_ state: inout AppState, context: String?) {
        if let context, let i = state.stack.lastIndex(where: { $0.kind == .fleet }),
           let row = state.fleet.rows.firstIndex(where: { state.fleet.summaries[$0].context == context }) {
            state.stack[i].cursor = row
        }
        Navigation.clampAll(&state)
    }

    /// After a context switch: the cluster's identities, with the fleet below them when it was
    /// open; the inventory from now on is `name`'s (its header may come later).
    static func contextSwitched(_ state: inout AppState, to name: String) {
        if let fleet = state.stack.first(where: { $0.kind == .fleet }) {
            state.stack = [fleet, Screen(.identities)]
        } else {
            state.stack = [Screen(.identities)]
        }
        state.fleet.openContext = name
        state.fleet.openClusterChanged = false
    }
}
