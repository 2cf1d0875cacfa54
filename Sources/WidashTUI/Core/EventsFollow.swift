import Foundation
import WidashCore

/// Which service account's events the dashboard watches: the identity whose detail is open (the
/// deepest detail on the stack, so a trace or token view opened from it keeps its events). Opening
/// another detail replaces the watch; leaving the last detail stops it. Pure: it returns commands.
enum EventsFollow {
    /// The identity key whose events should be watched now, if any: the pods view's pane follows
    /// the selected pod's identity, else the deepest open identity detail.
    static func target(_ state: AppState) -> String? {
        if state.screen.kind == .pods {
            return Layout(state).paneRows > 0 ? PodEventsPane.selected(state)?.key : nil
        }
        for screen in state.stack.reversed() {
            if case .detail(let key) = screen.kind { return key }
        }
        return nil
    }

    /// Starts, replaces or stops the watch so it follows `target`. The pods view's target moves
    /// with the cursor, so it is followed only once the cursor rests (the same target at a tick):
    /// holding `j` starts no watch per row.
    static func reconcile(_ state: inout AppState, atTick: Bool = false) -> [Command] {
        let wanted = target(state)
        guard wanted != state.eventsFollowed else {
            state.eventsCandidate = nil
            return []
        }
        if state.screen.kind == .pods, let wanted {
            guard atTick, state.eventsCandidate == wanted else {
                state.eventsCandidate = wanted
                return []
            }
        }
        state.eventsCandidate = nil
        state.eventsFollowed = wanted
        guard let key = wanted else { return [.stopEvents] }
        // The key is "namespace/serviceAccount"; an identity that vanished has nothing to watch.
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [.stopEvents] }
        state.identityEvents[key] = nil  // a new watch: what an earlier one said may be stale
        return [.watchEvents(key: key, namespace: parts[0], serviceAccount: parts[1])]
    }

    /// A feed update: kept by identity key (a late update of a replaced watch is kept too, it is
    /// still that identity's truth).
    static func apply(_ state: inout AppState, key: String, update: IdentityEventsUpdate) {
        state.identityEvents[key] = update
    }
}
