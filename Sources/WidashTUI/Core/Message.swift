import Foundation
import WidashCore

/// A key press, decoded by the backend.
public enum Key: Sendable, Hashable {
    case char(Character)
    case ctrl(Character)
    case enter, escape, backspace, delete, tab, backTab
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)
}

/// A mouse event at a cell position.
public enum MouseEvent: Sendable, Hashable {
    case click(x: Int, y: Int)
    case wheelUp(x: Int, y: Int)
    case wheelDown(x: Int, y: Int)
}

/// Everything that can happen to the app: input, time, and results of commands.
public enum Message: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    case tick(Date)
    case header(HeaderFacts)
    case inventory(InventoryUpdate)
    /// A trace event of run `runID` (events of superseded runs are ignored), received at `at`.
    case trace(runID: Int, event: TraceEvent, at: Date)
    case token(TokenInspection)
    case doctor([DoctorCheck])
    case contexts([String])
    case namespaces([String])
    case traceResources([String])
    case contextSwitched(name: String, error: String?)
    case themeLoaded(Theme)
    case themeFailed(String)
    /// The result of `Command.saveFile`: the lines written, or why nothing was.
    case saved(path: String, lines: Int, error: String?)
    /// The watched events of identity `key` (EventsFollow, `Command.watchEvents`).
    case events(key: String, update: IdentityEventsUpdate)
    /// A fleet cluster's new summary (`Command.watchFleet`); it replaces the one of the same context.
    case fleet(ClusterSummary)
    /// The fleet cannot be watched (no kubeconfig, bad regex, no context matches).
    case fleetProblem(String)
}

/// Side effects `update` asks the runtime to perform; results come back as messages.
public enum Command: Sendable, Hashable {
    case quit
    case watchInventory(namespace: String?)
    case loadHeader
    case startTrace(runID: Int, namespace: String, pod: String, resource: String?, podToken: Bool)
    case cancelTrace(runID: Int)
    case fetchToken(namespace: String, serviceAccount: String, pod: String?)
    case runDoctor
    case loadContexts
    case switchContext(String)
    case loadNamespaces
    case loadTraceResources(namespace: String, serviceAccount: String)
    case loadTheme(String)
    /// Forget the cloud reads and audit every binding's trust again.
    case rerunTrustAudit
    /// Put `text` on the clipboard with OSC 52 (written by the backend, which owns the terminal).
    case copyToClipboard(text: String, label: String)
    /// Write an export (`:save`) off the UI thread; the result comes back as `Message.saved`.
    case saveFile(path: String, contents: String, lines: Int)
    /// Watch the events of a service account's pods and workloads (replacing any other such watch);
    /// updates come back as `Message.events`.
    case watchEvents(key: String, namespace: String, serviceAccount: String)
    /// Stop the events watch.
    case stopEvents
    /// Watch the summaries of the kubeconfig contexts matching `contexts` (nil: all), replacing
    /// any fleet watch; updates come back as `Message.fleet`.
    case watchFleet(contexts: String?)
}
