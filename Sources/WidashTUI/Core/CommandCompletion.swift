import Foundation

/// Tab cycling in the `:` prompt: the line as typed before the first cycling Tab and the
/// suggestion now on the line.
public struct PromptCycle: Sendable, Hashable {
    public var typed: String
    public var index: Int
}

/// Suggestions and Tab completion for the `:` prompt (k9s style): command names with a few words
/// each, then after `:ctx ` the contexts, after `:ns ` the namespaces, after `:theme `/`:skin `
/// the theme names and `.yaml` files.
enum CommandCompletion {
    struct Candidate: Sendable, Equatable {
        var value: String
        /// A few words on a command (nil for arguments).
        var about: String?
    }

    struct Suggestions: Sendable, Equatable {
        /// The line before the word being completed (e.g. `ctx `).
        var head: String
        /// The partial word.
        var word: String
        var candidates: [Candidate]
        /// What the argument is when nothing can be suggested for it (e.g. `FILE`).
        var argumentHint: String?
        var completingCommand: Bool { head.isEmpty }
    }

    /// What the prompt needs loaded when it opens: contexts and namespaces not yet known.
    static func opened(_ state: AppState) -> [Command] {
        var out: [Command] = []
        if state.contexts.isEmpty { out.append(.loadContexts) }
        if state.namespaces.isEmpty { out.append(.loadNamespaces) }
        return out
    }

    /// The suggestions for `line` (the text after `:`).
    static func suggestions(_ state: AppState, line: String) -> Suggestions {
        let trimmed = line.drop { $0 == " " }
        let lead = String(line.prefix(line.count - trimmed.count))
        guard let space = trimmed.firstIndex(of: " ") else {
            let word = String(trimmed).lowercased()
            var out: [Candidate] = []
            for spec in CommandPrompt.commands {
                // The name when it fits what was typed, else the first alias that does.
                guard let value = ([spec.name] + spec.aliases).first(where: { $0.hasPrefix(word) }) else { continue }
                out.append(Candidate(value: value, about: spec.about))
            }
            return Suggestions(head: lead, word: String(trimmed), candidates: out)
        }
        let verb = String(trimmed[..<space])
        let rest = trimmed[trimmed.index(after: space)...]
        let word = String(rest.drop { $0 == " " })
        let head = String(line.dropLast(word.count))
        guard let spec = CommandPrompt.spec(verb) else { return Suggestions(head: head, word: word, candidates: []) }
        let pool: [String]
        switch spec.argument {
        case .none: pool = []
        case .context: pool = state.contexts
        case .namespace: pool = ["all"] + state.namespaces
        case .theme: pool = state.themeNames
        case .text(let what): return Suggestions(head: head, word: word, candidates: [], argumentHint: what)
        }
        let lower = word.lowercased()
        let matches = pool.filter { $0.lowercased().hasPrefix(lower) }.map { Candidate(value: $0, about: nil) }
        return Suggestions(head: head, word: word, candidates: matches)
    }

    /// Tab (or shift-Tab, `backward`): completes the longest common prefix of the suggestions, or
    /// with nothing left to add cycles through them. Returns the new line.
    static func tab(_ state: inout AppState, line: String, backward: Bool) -> String {
        if let cycle = state.promptCycle {
            let s = suggestions(state, line: cycle.typed)
            guard !s.candidates.isEmpty else { state.promptCycle = nil; return line }
            let n = s.candidates.count
            let index = ((cycle.index + (backward ? -1 : 1)) % n + n) % n
            state.promptCycle = PromptCycle(typed: cycle.typed, index: index)
            return s.head + s.candidates[index].value
        }
        let s = suggestions(state, line: line)
        guard !s.candidates.isEmpty else { return line }
        if s.candidates.count == 1, let only = s.candidates.first {
            // A whole command that takes an argument gets its space, ready for the argument.
            let takesArgument = s.completingCommand && CommandPrompt.spec(only.value).map { $0.argument != .none } == true
            return s.head + only.value + (takesArgument ? " " : "")
        }
        let common = longestCommonPrefix(s.candidates.map(\.value))
        if common.count > s.word.count { return s.head + common }
        let index = backward ? s.candidates.count - 1 : 0
        state.promptCycle = PromptCycle(typed: line, index: index)
        return s.head + s.candidates[index].value
    }

    static func longestCommonPrefix(_ values: [String]) -> String {
        guard var prefix = values.first else { return "" }
        for v in values.dropFirst() {
            while !v.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
