import WidashTUI

/// One keystroke of the `frames` script: the bytes a terminal sends for it (for the real binary in
/// a pseudo-terminal) and the key the backend decodes them to (for the in-process measurement).
struct FrameKeystroke: Sendable {
    /// The measurement category it counts towards (`filter`, `fuzzy`, `scroll`, `sort`, `pods`), or nil for
    /// keys that only set the stage (not reported).
    var category: String?
    var bytes: [UInt8]
    var key: Key

    static func char(_ c: Character, _ category: String?) -> FrameKeystroke {
        FrameKeystroke(category: category, bytes: Array(String(c).utf8), key: .char(c))
    }

    static func chars(_ text: String, _ category: String?) -> [FrameKeystroke] { text.map { char($0, category) } }

    static func backspace(_ category: String?) -> FrameKeystroke { FrameKeystroke(category: category, bytes: [0x7F], key: .backspace) }
    static func enter(_ category: String?) -> FrameKeystroke { FrameKeystroke(category: category, bytes: [0x0D], key: .enter) }
    /// `ctrl-b`: page up (the `pageUp` key's escape sequence would do the same).
    static func pageUp(_ category: String?) -> FrameKeystroke { FrameKeystroke(category: category, bytes: [0x02], key: .ctrl("b")) }
}

/// The keystrokes `frames` sends, in order. Escape is avoided on purpose: curses waits ESCDELAY
/// for a possible escape sequence, which would measure the terminal library, not widash. The
/// filter is left with backspaces instead (backspace on an empty filter closes it).
enum FrameScript {
    /// Typed into the identities filter one character at a time (the scale scenario names its
    /// accounts `svc-00000` …), then deleted again.
    static let filterText = "svc-00421"
    /// Typed after `/-f`: the letters of `svc-00421` with gaps.
    static let fuzzyText = "s0421"

    static func keystrokes(filterText: String = filterText) -> [FrameKeystroke] {
        var keys: [FrameKeystroke] = []
        // The first key right after the complete frame sorts (by the PODS column, then by namespace again): what the
        // sort costs before any idle tick has prepared the table's sort keys.
        keys.append(.char("O", "first sort"))
        keys.append(.char("N", "sort"))
        // Filter typing: `/`, the characters (narrowing), backspaces (widening), close.
        keys.append(.char("/", "filter"))
        keys += FrameKeystroke.chars(filterText, "filter")
        keys += Array(repeating: .backspace("filter"), count: filterText.count)
        keys.append(.backspace("filter"))
        // Fuzzy filter typing (`/-f`): the letters of an account name in order, gaps allowed, then
        // deleted again (two more backspaces remove `-f`, a third closes the filter).
        keys.append(.char("/", nil))
        keys += FrameKeystroke.chars("-f", nil)
        keys += FrameKeystroke.chars(fuzzyText, "fuzzy")
        keys += Array(repeating: .backspace("fuzzy"), count: fuzzyText.count)
        keys += Array(repeating: .backspace(nil), count: 3)
        // Scrolling: line by line, by page, to the ends.
        keys += Array(repeating: .char("j", "scroll"), count: 30)
        keys += Array(repeating: .char("k", "scroll"), count: 10)
        keys += Array(repeating: .char(" ", "scroll"), count: 10)
        keys += Array(repeating: .pageUp("scroll"), count: 5)
        keys += FrameKeystroke.chars("GgGg", "scroll")
        // Sorting: every column letter (twice toggles the direction), then `s` cycles.
        for letter in IdentityColumn.allCases.map(\.sortLetter) {
            keys += [.char(letter, "sort"), .char(letter, "sort")]
        }
        keys += FrameKeystroke.chars("sss", "sort")
        keys.append(.char("N", "sort"))
        // The pods view: open it, scroll, filter, back to the identities.
        keys += FrameKeystroke.chars(":pods", nil)
        keys.append(.enter("pods"))
        keys += Array(repeating: .char("j", "pods"), count: 10)
        keys += Array(repeating: .char(" ", "pods"), count: 5)
        keys += FrameKeystroke.chars("Gg", "pods")
        keys.append(.char("/", "pods"))
        keys += FrameKeystroke.chars(filterText, "pods")
        keys += Array(repeating: .backspace("pods"), count: filterText.count + 1)
        // The token timeline (issue #16): of the selected pod's identity (`e`), then of the first
        // rows of the whole 50 000-pod table (`E`), scrolled; each frame draws only what is picked.
        keys.append(.char("e", "views"))
        keys += Array(repeating: .char("j", "views"), count: 5)
        keys += FrameKeystroke.chars(":pods", nil)
        keys.append(.enter(nil))
        keys.append(.char("E", "views"))
        keys += Array(repeating: .char("j", "views"), count: 5)
        keys += FrameKeystroke.chars(":sa", nil)
        keys.append(.enter("pods"))
        return keys
    }

    /// The categories in report order.
    static let categories = ["first sort", "filter", "fuzzy", "scroll", "sort", "pods", "views"]

    /// `:q` + enter: the dashboard's quit command.
    static let quit: [UInt8] = Array(":q\r".utf8)
}
