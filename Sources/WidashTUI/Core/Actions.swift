import Foundation
import WidashCore

/// Starting, re-running and auto re-running traces.
enum TraceActions {
    /// `t`: trace the pod under the cursor (from identities or detail: the identity's first pod).
    static func traceSelected(_ state: inout AppState) -> [Command] {
        guard let (entry, pod) = selectedPod(state) else {
            if let e = currentIdentity(state) {
                state.flash("no pod uses \(e.key): start a pod with serviceAccountName \(e.name) to trace it", error: true)
            } else {
                state.flash("select an identity or a pod to trace", error: true)
            }
            return []
        }
        if state.options.readOnly {
            state.flash("read-only mode: a trace requests a token and exchanges it; restart without --readonly to trace", error: true)
            return []
        }
        let resource = state.trace?.identityKey == entry.key ? state.trace?.resource
            : state.options.resource(namespace: entry.namespace, serviceAccount: entry.name)
        let cmds = start(&state, namespace: pod.namespace, pod: pod.name, identityKey: entry.key,
                         provider: pod.provider ?? entry.bindings.first?.provider, resource: resource,
                         autoRerun: state.trace?.identityKey == entry.key && (state.trace?.autoRerun ?? false))
        Navigation.push(&state, .trace)
        return cmds
    }

    static func start(_ state: inout AppState, namespace: String, pod: String, identityKey: String, provider: Provider?,
                      resource: String?, autoRerun: Bool, podToken: Bool = false) -> [Command] {
        var cmds: [Command] = []
        if let old = state.trace, old.isRunning { cmds.append(.cancelTrace(runID: old.runID)) }
        let runID = state.nextRunID
        state.nextRunID += 1
        state.trace = TraceSession(
            runID: runID, namespace: namespace, pod: pod, identityKey: identityKey, provider: provider, resource: resource,
            steps: TraceStep.titles.enumerated().map { TraceStep(number: $0.offset + 1, title: $0.element) },
            startedAt: state.now, stepStartedAt: nil, finishedAt: nil, result: nil, autoRerun: autoRerun, nextRunAt: nil,
            podToken: podToken)
        cmds.append(.startTrace(runID: runID, namespace: namespace, pod: pod, resource: resource, podToken: podToken))
        return cmds
    }

    /// `r`: run the current trace again.
    static func rerun(_ state: inout AppState) -> [Command] {
        guard let t = state.trace else {
            state.flash("no trace yet: select an identity or pod and press t", error: true)
            return []
        }
        if state.options.readOnly {
            state.flash("read-only mode: tracing is disabled", error: true)
            return []
        }
        return start(&state, namespace: t.namespace, pod: t.pod, identityKey: t.identityKey, provider: t.provider,
                     resource: t.resource, autoRerun: t.autoRerun, podToken: t.podToken)
    }

    /// `p`: trace again presenting the pod's own token file instead of a fresh TokenRequest's, or
    /// back. Reading it runs `cat` in the pod (pods/exec), so it is never the default and is
    /// refused in read-only mode.
    static func togglePodToken(_ state: inout AppState) -> [Command] {
        guard let t = state.trace else { return [] }
        if state.options.readOnly {
            state.flash("read-only mode: reading the pod's token runs cat in the pod (pods/exec); restart without --readonly", error: true)
            return []
        }
        let podToken = !t.podToken
        state.flash(podToken ? "tracing with the pod's own token file (read with pods/exec)" : "tracing with a fresh TokenRequest")
        return start(&state, namespace: t.namespace, pod: t.pod, identityKey: t.identityKey, provider: t.provider,
                     resource: t.resource, autoRerun: t.autoRerun, podToken: podToken)
    }

    /// `a`: re-run every N seconds after each finished run.
    static func toggleAuto(_ state: inout AppState) {
        guard var t = state.trace else { return }
        t.autoRerun.toggle()
        let n = max(1, state.options.autoRerunSeconds)
        if t.autoRerun {
            t.nextRunAt = t.isRunning ? nil : state.now.addingTimeInterval(TimeInterval(n))
            state.flash("auto re-run every \(n) s")
        } else {
            t.nextRunAt = nil
            state.flash("auto re-run off")
        }
        state.trace = t
    }

    /// The identity the user is looking at (identities cursor or open detail).
    static func currentIdentity(_ state: AppState) -> IdentityEntry? {
        switch state.screen.kind {
        case .detail(let key): return state.identity(key: key)
        case .pods:
            let c = state.screen.cursor
            guard c < state.index.podRows.count else { return nil }
            return state.inventory.identities[state.index.podRows[c].identity]
        case .trace, .token:
            if let t = state.trace { return state.identity(key: t.identityKey) }
            return state.selectedIdentity
        case .timeline:
            // The timeline's first pod's identity (f fetches a test token to draw beside its pods).
            return state.timelineSelection.resolve(in: state.inventory).first?.entry ?? state.selectedIdentity
        default: return state.selectedIdentity
        }
    }

    static func selectedPod(_ state: AppState) -> (IdentityEntry, PodIdentity)? {
        if state.screen.kind == .pods {
            let c = state.screen.cursor
            guard c < state.index.podRows.count else { return nil }
            let ref = state.index.podRows[c]
            let e = state.inventory.identities[ref.identity]
            return (e, e.pods[ref.pod])
        }
        guard let e = currentIdentity(state) else { return nil }
        if state.screen.kind == .trace, let t = state.trace, let p = e.pods.first(where: { $0.name == t.pod }) { return (e, p) }
        guard let pod = e.pods.first else { return nil }
        return (e, pod)
    }
}

/// `f`: fetch a test token for the selected identity.
enum TokenActions {
    static func fetchSelected(_ state: inout AppState) -> [Command] {
        guard let e = TraceActions.currentIdentity(state) else {
            state.flash("select an identity to fetch a test token for", error: true)
            return []
        }
        if state.options.readOnly {
            state.flash("read-only mode: fetching a test token needs a TokenRequest; restart without --readonly", error: true)
            return []
        }
        let pod = TraceActions.selectedPod(state)?.1.name
        state.token = nil
        state.tokenLoading = true
        Navigation.push(&state, .token)
        return [.fetchToken(namespace: e.namespace, serviceAccount: e.name, pod: pod)]
    }
}

/// `r` on the lists and the detail, `:audit`: read the cloud side of every binding again.
enum TrustActions {
    static func rerun(_ state: inout AppState) -> [Command] {
        guard state.options.auditsTrust else {
            state.flash("the trust audit is off (--no-cloud): restart without it to check the cloud side", error: true)
            return []
        }
        state.flash("auditing the cloud side again (read-only): TRUST shows ⋯ until each answer arrives")
        return [.rerunTrustAudit]
    }
}
