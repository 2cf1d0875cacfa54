import Foundation

/// The `:` command line (k9s style).
enum CommandPrompt {
    static let summary = ":sa :pods :ctx [NAME] :ns [NAME] :doctor :audit :theme NAME :trace :token :help :q"

    static func run(_ state: inout AppState, _ line: String) -> [Command] {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first?.lowercased() else { return [] }
        let arg = words.count > 1 ? words[1...].joined(separator: " ") : nil
        switch verb {
        case "q", "q!", "quit", "exit":
            state.quitting = true
            return [.quit]
        case "sa", "serviceaccounts", "identities", "id", "ids":
            Navigation.reset(&state, to: .identities)
        case "po", "pod", "pods":
            Navigation.reset(&state, to: .pods)
        case "ctx", "context", "contexts":
            if let arg {
                state.flash("switching to context \(arg)…")
                return [.switchContext(arg)]
            }
            Navigation.push(&state, .contexts)
            return [.loadContexts]
        case "ns", "namespace", "namespaces":
            if let arg { return selectNamespace(&state, arg == "all" || arg == "-A" ? nil : arg) }
            Navigation.push(&state, .namespaces)
            return [.loadNamespaces]
        case "doctor":
            state.doctorChecks = nil
            Navigation.push(&state, .doctor)
            return [.runDoctor]
        case "theme", "skin":
            guard let arg else {
                state.flash("usage: :theme NAME (default, dark, light, high-contrast, monochrome or a .yaml path)", error: true)
                return []
            }
            return [.loadTheme(arg)]
        case "audit":
            return TrustActions.rerun(&state)
        case "trace":
            return TraceActions.traceSelected(&state)
        case "token":
            return TokenActions.fetchSelected(&state)
        case "help", "h":
            Navigation.push(&state, .help)
        case "auto":
            if let arg, let n = Int(arg), n > 0 {
                state.options.autoRerunSeconds = n
                state.flash("auto re-run interval \(n) s")
            } else {
                state.flash("usage: :auto SECONDS", error: true)
            }
        case "resource", "res":
            guard let arg, state.trace != nil else {
                state.flash("usage: :resource URL (while a trace is shown)", error: true)
                return []
            }
            state.trace?.resource = arg
            return TraceActions.rerun(&state)
        default:
            state.flash("unknown command ':\(verb)': try \(summary) (press ? for help)", error: true)
        }
        return []
    }
}
