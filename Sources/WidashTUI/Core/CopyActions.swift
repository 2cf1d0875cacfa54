import Foundation
import WidashCore

/// `y` (copy the selected value with OSC 52), `n`/`N` (next/previous value to copy in a document)
/// and enter on a cut table row (its full text).
enum CopyActions {
    /// `y`: the cursor line's value (documents) or the selected row's main value (tables).
    static func copySelected(_ state: inout AppState) -> [Command] {
        guard let (value, label) = selectedValue(state), !value.isEmpty else {
            state.flash("nothing to copy here", error: true)
            return []
        }
        return copy(&state, value, label: label)
    }

    /// Refuses a value holding a whole token unless `--show-token` (it is not shown either).
    static func copy(_ state: inout AppState, _ value: String, label: String) -> [Command] {
        if !state.options.showToken, TokenRedaction.scrub(value) != value {
            state.flash("not copied: the \(label) holds a whole token (start widash with --show-token to copy tokens)", error: true)
            return []
        }
        state.flash("copied \(label) (\(value.count) chars)")
        return [.copyToClipboard(text: value, label: label)]
    }

    static func selectedValue(_ state: AppState) -> (String, String)? {
        let s = state.screen
        switch s.kind {
        case .identities:
            guard let e = state.selectedIdentity else { return nil }
            if let b = e.bindings.first(where: { $0.cloudIdentity != nil }), let id = b.cloudIdentity {
                return (id, ReadableLines.identityLabel(b.provider))
            }
            return (e.key, "service account")
        case .pods:
            guard s.cursor >= 0, s.cursor < state.index.podRows.count else { return nil }
            let ref = state.index.podRows[s.cursor]
            let pod = state.inventory.identities[ref.identity].pods[ref.pod]
            return ("\(pod.namespace)/\(pod.name)", "pod")
        case .doctor:
            guard let checks = state.doctorChecks, s.cursor >= 0, s.cursor < checks.count else { return nil }
            // The doctor's checks carry no separate fix: the detail says what is wrong and what to do.
            return (checks[s.cursor].detail, "doctor detail")
        case .contexts:
            return s.cursor < state.contexts.count ? (state.contexts[s.cursor], "context") : nil
        case .namespaces:
            return s.cursor >= 1 && s.cursor - 1 < state.namespaces.count ? (state.namespaces[s.cursor - 1], "namespace") : nil
        case .resources:
            return s.cursor < state.traceResources.count ? (state.traceResources[s.cursor], "resource") : nil
        default:
            let lines = Documents.lines(for: s.kind, state: state, width: Layout(state).innerWidth)
            guard s.cursor >= 0, s.cursor < lines.count else { return nil }
            let line = lines[s.cursor]
            if let value = line.copyValue { return (value, line.copyLabel ?? "value") }
            let text = withoutLabel(line)
            return text.isEmpty ? nil : (text, "line")
        }
    }

    /// A line's text without rails and box borders, and without its leading label (the dim
    /// segment before the value, as `Documents.keyValues` and the detail's facts draw them).
    static func withoutLabel(_ line: StyledLine) -> String {
        let frame = CharacterSet(charactersIn: " │┌┐└┘─")
        var segments = line.segments
        let shown = segments.indices.filter { !segments[$0].text.trimmingCharacters(in: frame).isEmpty }
        if shown.count > 1, segments[shown[0]].role == .dim { segments.removeSubrange(...shown[0]) }
        return segments.map(\.text).joined().trimmingCharacters(in: frame)
    }

    /// `n` / `N`: the cursor to the start of the next / previous value to copy.
    static func jump(_ state: inout AppState, forward: Bool) {
        let lines = Documents.lines(for: state.screen.kind, state: state, width: Layout(state).innerWidth)
        let starts = lines.indices.filter { i in
            lines[i].copyValue != nil
                && (i == 0 || lines[i - 1].copyValue != lines[i].copyValue || lines[i - 1].copyLabel != lines[i].copyLabel)
        }
        let cursor = state.screen.cursor
        guard let target = forward ? starts.first(where: { $0 > cursor }) : starts.last(where: { $0 < cursor }) else {
            state.flash(forward ? "no value to copy below" : "no value to copy above")
            return
        }
        var s = state.screen
        s.cursor = target
        state.screen = s
        Navigation.clampTop(&state)
        if let label = lines[target].copyLabel { state.flash("\(label): y copies it") }
    }

    /// enter on a doctor row: its name, status and whole detail, which the table cuts.
    static func openDoctorRow(_ state: inout AppState) {
        guard let checks = state.doctorChecks, state.screen.cursor >= 0, state.screen.cursor < checks.count else { return }
        let c = checks[state.screen.cursor]
        let title = "doctor: \(c.name)"
        let role: ColorRole = c.status == .pass ? .statusOK : c.status == .warn ? .statusWarn : .statusError
        state.textDetails[title] = TextDetail(title: title, fields: [
            .init("check", c.name), .init("status", c.status.rawValue, role: role), .init("detail", c.detail),
        ])
        Navigation.push(&state, .text(title: title))
    }
}

/// The OSC 52 "set clipboard" sequence (xterm's ctlseqs, "Manipulate Selection Data"):
/// `ESC ] 52 ; c ; <base64 of the UTF-8 text> BEL`. `c` names the clipboard selection; BEL ends it
/// (tmux and most terminals accept BEL as well as ST).
enum OSC52 {
    static func sequence(for text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }
}
