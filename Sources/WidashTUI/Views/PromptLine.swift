import Foundation

/// The `:` prompt on the bottom line: what is typed, then the matching suggestions (commands with
/// a few words each, or the contexts, namespaces or themes the argument can be). The suggestion
/// Tab has put on the line is highlighted.
enum PromptLine {
    static func render(_ buf: inout ScreenBuffer, _ state: AppState, text: String, row: Int) {
        buf.fill(y: row, role: .commandLine)
        var x = buf.write(":" + text + "█", x: 0, y: row, role: .commandLine)
        let s = CommandCompletion.suggestions(state, line: state.promptCycle?.typed ?? text)
        let selected = state.promptCycle?.index
        x += 2
        if s.candidates.isEmpty {
            let note: String
            if let hint = s.argumentHint {
                note = "<\(hint)>"
            } else if s.completingCommand {
                note = s.word.isEmpty ? "" : "no command starts with '\(s.word)' (? for help)"
            } else if CommandPrompt.spec(s.head.split(separator: " ").first.map(String.init) ?? "")?.argument == CommandPrompt.Argument.none {
                note = ""
            } else {
                note = "no match"
            }
            buf.write(note, x: x, y: row, role: .dim)
            return
        }
        // The few words of one command: the one Tab put on the line, else the first (what Tab
        // would give); the others by name, so that the line holds them all.
        let described = selected ?? 0
        for (i, c) in s.candidates.enumerated() {
            guard x < buf.width else { break }
            let role: ColorRole = i == selected ? .tableCursor : .hints
            x += buf.write(c.value, x: x, y: row, role: role)
            if i == described, let about = c.about {
                x += buf.write(": " + about, x: x, y: row, role: .dim)
            }
            x += 2
        }
    }
}

/// How the `/` filter shows in the table title: `</text>`, or `<fuzzy /text>` for `-f`.
enum FilterLine {
    static func title(_ filter: String) -> String {
        if filter.isEmpty { return "" }
        let parsed = RowFilter(filter)
        return parsed.fuzzy ? " <fuzzy /\(parsed.text)>" : " </\(filter)>"
    }
}
