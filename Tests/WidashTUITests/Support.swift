import Foundation
import WidashCore
@testable import WidashTUI

/// Fixed clock and data so that snapshots are exact.
enum TestSupport {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static let header = HeaderFacts(context: "widash-demo", cluster: "widash-demo", apiServer: "https://127.0.0.1:6443",
                                    issuer: SampleInventory.issuer, user: "demo-admin", readOnly: false, tlsInsecure: false)

    /// A loaded dashboard at `width`×`height` showing the fixture inventory.
    static func loadedState(width: Int = 100, height: Int = 30, options: DashboardOptions = DashboardOptions()) -> AppState {
        var state = AppState(width: width, height: height, now: now, options: options)
        _ = update(&state, .header(header))
        let inv = SampleInventory.inventory(now: now)
        _ = update(&state, .inventory(InventoryUpdate(inventory: inv, loaded: inv.identities.count, expected: inv.identities.count,
                                                      receivedAt: now.addingTimeInterval(-3))))
        return state
    }

    @discardableResult
    static func send(_ state: inout AppState, _ keys: String) -> [Command] {
        var out: [Command] = []
        for c in keys { out += update(&state, .key(.char(c))) }
        return out
    }

    @discardableResult
    static func press(_ state: inout AppState, _ key: Key) -> [Command] { update(&state, .key(key)) }

    /// Feeds the scripted trace of `entry`'s first pod into the state, up to `upToStep` finished steps
    /// (nil: the whole run, with its `.finished`).
    static func feedTrace(_ state: inout AppState, upToStep: Int?, runningStepStartedAt: Date? = nil) {
        guard let t = state.trace, let entry = state.identity(key: t.identityKey) else { return }
        let steps = SampleTrace.steps(for: entry, pod: t.pod, resource: t.resource)
        let runID = t.runID
        _ = update(&state, .trace(runID: runID, event: .started(pod: "\(t.namespace)/\(t.pod)", provider: entry.bindings.first?.provider), at: now))
        for step in steps {
            if let limit = upToStep, step.number > limit {
                _ = update(&state, .trace(runID: runID, event: .stepStarted(number: step.number), at: runningStepStartedAt ?? now))
                return
            }
            _ = update(&state, .trace(runID: runID, event: .stepStarted(number: step.number), at: now))
            _ = update(&state, .trace(runID: runID, event: .stepFinished(step), at: now))
        }
        let result: TraceResult = steps.contains { $0.status == .failed } ? .failed : .passed
        _ = update(&state, .trace(runID: runID, event: .finished(TraceReport(pod: t.pod, provider: entry.bindings.first?.provider,
                                                                          steps: steps, result: result)), at: now.addingTimeInterval(2.1)))
    }

    static var themesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes").standardizedFileURL.path
    }

    static func dump(_ buf: ScreenBuffer) -> String {
        buf.lines.map { "\"\($0)\"," }.joined(separator: "\n")
    }
}
