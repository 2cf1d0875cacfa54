import Foundation

/// The `:` command line (k9s style).
enum CommandPrompt {
    /// What a command's argument is, for suggestions and Tab completion.
    enum Argument: Sendable, Equatable {
        case none
        case context, namespace, theme
        /// Free text (a number, a URL, …): no suggestions.
        case text(String)
    }

    /// One `:` command: its name, the other words that run it, what it takes and a few words on
    /// what it does. Adding a command to `run` and a row here gives it suggestions and completion.
    struct Spec: Sendable {
        var name: String
        var aliases: [String]
        var argument: Argument
        var about: String
    }

    /// Every command, in the order suggestions list them.
    static let commands: [Spec] = [
        Spec(name: "sa", aliases: ["serviceaccounts", "identities", "id", "ids"], argument: .none, about: "service accounts and their identities"),
        Spec(name: "pods", aliases: ["po", "pod"], argument: .none, about: "pods using workload identity"),
        Spec(name: "ctx", aliases: ["context", "contexts"], argument: .context, about: "list or switch kubeconfig contexts"),
        Spec(name: "ns", aliases: ["namespace", "namespaces"], argument: .namespace, about: "list or pick a namespace (all: every one)"),
        Spec(name: "doctor", aliases: [], argument: .none, about: "check access and setup"),
        Spec(name: "audit", aliases: [], argument: .none, about: "check the cloud side's trust again"),
        Spec(name: "trace", aliases: [], argument: .none, about: "trace the selected pod's token exchange"),
        Spec(name: "token", aliases: [], argument: .none, about: "fetch a test token for the selection"),
        Spec(name: "timeline", aliases: [], argument: .none, about: "token lifetimes of the selected pods"),
        Spec(name: "fleet", aliases: ["clusters"], argument: .text("[REGEX]"), about: "every kubeconfig context at once"),
        Spec(name: "save", aliases: [], argument: .text("FILE"), about: "write the current view to a file"),
        Spec(name: "theme", aliases: [], argument: .theme, about: "colour theme by name or .yaml path"),
        Spec(name: "skin", aliases: [], argument: .theme, about: "import a k9s skin (or widash theme) file"),
        Spec(name: "auto", aliases: [], argument: .text("SECONDS"), about: "auto re-run interval of traces"),
        Spec(name: "resource", aliases: ["res"], argument: .text("URL"), about: "step-5 resource of the trace"),
        Spec(name: "help", aliases: ["h"], argument: .none, about: "keys and commands"),
        Spec(name: "q", aliases: ["q!", "quit", "exit"], argument: .none, about: "quit"),
    ]

    /// The command that `word` names (its name or an alias), if any.
    static func spec(_ word: String) -> Spec? {
        let w = word.lowercased()
        return commands.first { $0.name == w || $0.aliases.contains(w) }
    }

    /// One line listing the commands, for unknown-command messages and the hints row.
    static var summary: String {
        commands.map { spec in
            switch spec.argument {
            case .none: return ":" + spec.name
            case .context, .namespace: return ":\(spec.name) [NAME]"
            case .theme: return ":\(spec.name) NAME"
            case .text(let what): return ":\(spec.name) \(what)"
            }
        }.joined(separator: " ")
    }

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
        case "fleet", "clusters":
            return FleetActions.command(&state, regex: arg)
        case "doctor":
            state.doctorChecks = nil
            Navigation.push(&state, .doctor)
            return [.runDoctor]
        case "theme", "skin":
            guard let arg else {
                state.flash(verb == "skin" ? "usage: :skin FILE (a k9s skin .yaml; Tab lists the files)"
                            : "usage: :theme NAME (default, dark, light, high-contrast, monochrome or a .yaml path)", error: true)
                return []
            }
            return [.loadTheme(arg)]
        case "audit":
            return TrustActions.rerun(&state)
        case "trace":
            return TraceActions.traceSelected(&state)
        case "token":
            return TokenActions.fetchSelected(&state)
        case "timeline":
            TimelineActions.openForSelected(&state)
        case "help", "h":
            Navigation.push(&state, .help)
        case "save", "w":
            return SaveActions.save(&state, file: arg)
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
