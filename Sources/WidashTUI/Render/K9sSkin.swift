import Foundation
import WidashService
import Yams

/// Imports a k9s skin (the `k9s:` YAML of derailed/k9s, `internal/config/styles.go`) as a widash
/// theme: every widash colour role takes its colours from the k9s keys that paint the same thing
/// in k9s. Keys widash has no role for (charts, xray, logs, dialogs, …) are ignored, as k9s ignores
/// keys it does not know; a key a skin leaves out takes k9s' own default for it (the values of
/// `newBody`, `newStatus`, `newTable`, … in upstream styles.go), so a partial skin looks as it
/// would in k9s.
public enum K9sSkin {
    /// Where one part of a role's style comes from: the first key path present in the skin wins,
    /// else the k9s default of the first path.
    struct Source: Sendable {
        var paths: [String]
    }

    struct RoleMapping: Sendable {
        var role: ColorRole
        var fg: Source
        var bg: Source
        var attributes: CellAttributes = []
    }

    /// k9s' defaults for the keys widash reads (upstream internal/config/styles.go, `new…()`).
    static let defaults: [String: String] = [
        "body.fgColor": "cadetblue", "body.bgColor": "black", "body.logoColor": "orange",
        "prompt.fgColor": "cadetblue", "prompt.bgColor": "black",
        "frame.border.fgColor": "dodgerblue", "frame.border.focusColor": "lightskyblue",
        "frame.menu.fgColor": "white", "frame.menu.keyColor": "dodgerblue",
        "frame.crumbs.fgColor": "black", "frame.crumbs.bgColor": "aqua", "frame.crumbs.activeColor": "orange",
        "frame.status.newColor": "lightskyblue", "frame.status.modifyColor": "greenyellow",
        "frame.status.addColor": "dodgerblue", "frame.status.pendingColor": "darkorange",
        "frame.status.errorColor": "orangered", "frame.status.highlightColor": "aqua",
        "frame.status.killColor": "mediumpurple", "frame.status.completedColor": "lightslategray",
        "frame.title.fgColor": "aqua", "frame.title.bgColor": "black", "frame.title.highlightColor": "fuchsia",
        "frame.title.counterColor": "papayawhip", "frame.title.filterColor": "seagreen",
        "views.table.fgColor": "aqua", "views.table.bgColor": "black",
        "views.table.cursorFgColor": "black", "views.table.cursorBgColor": "aqua", "views.table.markColor": "palegreen",
        "views.table.header.fgColor": "white", "views.table.header.bgColor": "black",
        "views.table.header.sorterColor": "aqua",
    ]

    private static func s(_ paths: String...) -> Source { Source(paths: paths) }

    /// Which k9s keys paint which widash role (one row per role, in `ColorRole` order).
    static let mapping: [RoleMapping] = [
        RoleMapping(role: .text, fg: s("body.fgColor"), bg: s("body.bgColor")),
        RoleMapping(role: .dim, fg: s("frame.status.completedColor"), bg: s("body.bgColor")),
        RoleMapping(role: .title, fg: s("frame.title.fgColor"), bg: s("frame.title.bgColor"), attributes: .bold),
        RoleMapping(role: .header, fg: s("body.fgColor"), bg: s("body.bgColor")),
        RoleMapping(role: .headerLabel, fg: s("body.logoColor"), bg: s("body.bgColor"), attributes: .bold),
        RoleMapping(role: .headerWarning, fg: s("body.bgColor"), bg: s("frame.status.errorColor"), attributes: .bold),
        RoleMapping(role: .hints, fg: s("frame.menu.keyColor"), bg: s("body.bgColor")),
        // widash paints only the active crumb with this role (the others are dim).
        RoleMapping(role: .crumbs, fg: s("frame.crumbs.fgColor"), bg: s("frame.crumbs.activeColor", "frame.crumbs.bgColor")),
        RoleMapping(role: .tableHeader, fg: s("views.table.header.fgColor"), bg: s("views.table.header.bgColor"), attributes: .bold),
        RoleMapping(role: .tableRow, fg: s("views.table.fgColor"), bg: s("views.table.bgColor")),
        RoleMapping(role: .tableCursor, fg: s("views.table.cursorFgColor"), bg: s("views.table.cursorBgColor")),
        RoleMapping(role: .tableSelection, fg: s("views.table.markColor"), bg: s("views.table.bgColor"), attributes: .bold),
        RoleMapping(role: .tableChanged, fg: s("frame.status.modifyColor"), bg: s("views.table.bgColor")),
        RoleMapping(role: .statusOK, fg: s("frame.status.addColor"), bg: s("views.table.bgColor")),
        // Skins often leave pendingColor out but set highlightColor: take the skin's own choice first.
        RoleMapping(role: .statusWarn, fg: s("frame.status.pendingColor", "frame.status.highlightColor"), bg: s("views.table.bgColor")),
        RoleMapping(role: .statusError, fg: s("frame.status.errorColor"), bg: s("views.table.bgColor"), attributes: .bold),
        RoleMapping(role: .stepPending, fg: s("frame.status.completedColor"), bg: s("body.bgColor")),
        RoleMapping(role: .stepRunning, fg: s("frame.status.newColor"), bg: s("body.bgColor"), attributes: .bold),
        RoleMapping(role: .stepPassed, fg: s("frame.status.addColor"), bg: s("body.bgColor")),
        RoleMapping(role: .stepFailed, fg: s("frame.status.errorColor"), bg: s("body.bgColor"), attributes: .bold),
        // widash's main box is always the focused one.
        RoleMapping(role: .border, fg: s("frame.border.focusColor", "frame.border.fgColor"), bg: s("body.bgColor")),
        RoleMapping(role: .flash, fg: s("frame.title.highlightColor"), bg: s("body.bgColor")),
        RoleMapping(role: .flashError, fg: s("body.bgColor"), bg: s("frame.status.errorColor"), attributes: .bold),
        RoleMapping(role: .banner, fg: s("body.bgColor"), bg: s("frame.status.errorColor"), attributes: .bold),
        RoleMapping(role: .commandLine, fg: s("prompt.fgColor", "frame.title.filterColor"), bg: s("prompt.bgColor", "body.bgColor"),
                    attributes: .bold),
    ]

    /// Whether a composed YAML document is a k9s skin (its root has a `k9s` key).
    static func isSkin(_ root: Node?) -> Bool {
        root?.stringPairs?.contains { $0.key == "k9s" } ?? false
    }

    /// A colour value as k9s reads it, found at `path` under `k9s:` (with its line).
    struct Value: Sendable {
        var text: String
        var line: Int?
    }

    /// The theme for the skin in `root`; errors name the file, the key and its line.
    static func theme(_ root: Node?, fileName: String) throws(ThemeError) -> Theme {
        let values = try colourValues(root, fileName: fileName)
        var styles: [ColorRole: RoleStyle] = [:]
        var cache: [String: TerminalColor] = [:]
        func resolve(_ source: Source) throws(ThemeError) -> TerminalColor {
            let path = source.paths.first { values[$0] != nil } ?? source.paths[0]
            if let known = cache[path] { return known }
            let value = values[path] ?? Value(text: defaults[path] ?? "default", line: nil)
            guard let colour = color(value.text) else {
                throw ThemeError("k9s skin \(fileName)\(value.line.map { ", line \($0)" } ?? ""): unknown colour '\(value.text)' "
                                 + "for k9s.\(path) (use a colour name like dodgerblue, #rrggbb or default)")
            }
            cache[path] = colour
            return colour
        }
        for m in mapping {
            styles[m.role] = RoleStyle(foreground: try resolve(m.fg), background: try resolve(m.bg), attributes: m.attributes)
        }
        return Theme(name: themeName(fileName), styles: styles)
    }

    /// The colour-valued keys of the skin that widash reads, by path below `k9s:`. Values at
    /// other paths are not looked at (k9s-only keys), but the sections widash reads must be mappings.
    private static func colourValues(_ root: Node?, fileName: String) throws(ThemeError) -> [String: Value] {
        func fail(_ line: Int?, _ what: String) -> ThemeError {
            ThemeError("k9s skin \(fileName)\(line.map { ", line \($0)" } ?? ""): \(what)")
        }
        guard let k9s = root?.stringPairs?.first(where: { $0.key == "k9s" }) else {
            throw fail(root?.line, "no `k9s:` key at the top (a k9s skin starts with `k9s:` and its body, frame and views)")
        }
        let wanted = Set(defaults.keys)
        let sections = Set(wanted.flatMap { path in
            let parts = path.split(separator: ".")
            return (1..<parts.count).map { parts[..<$0].joined(separator: ".") }
        })
        var out: [String: Value] = [:]
        func walk(_ node: Node, path: String) throws(ThemeError) {
            guard let pairs = node.stringPairs else {
                // An empty section (`body:` with nothing under it) leaves k9s' defaults.
                if let s = node.scalar?.string, ["", "~", "null"].contains(s.lowercased()) { return }
                throw fail(node.line, "k9s\(path.isEmpty ? "" : "." + path) must be a mapping of keys")
            }
            for (key, _, value) in pairs {
                let child = path.isEmpty ? key : path + "." + key
                if wanted.contains(child) {
                    guard let text = value.scalar?.string else {
                        throw fail(value.line, "k9s.\(child) must be a colour (a name, #rrggbb or default)")
                    }
                    out[child] = Value(text: text, line: value.line)
                } else if sections.contains(child) {
                    try walk(value, path: child)
                }
                // Anything else is a k9s setting widash has no use for.
            }
        }
        try walk(k9s.value, path: "")
        return out
    }

    /// The theme name of a skin file: its base name without `.yaml` (as k9s names skins).
    static func themeName(_ fileName: String) -> String {
        var name = (fileName as NSString).lastPathComponent
        for ext in [".yaml", ".yml"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
        return name
    }

    /// A k9s colour: `default` or `-` (the terminal's own), `#rrggbb`, or a colour name as tcell
    /// knows them (W3C names). The 16 names tcell maps to palette entries 0–15 keep those entries
    /// (so they follow the terminal's palette); the others go to the nearest of the 256 colours.
    static func color(_ text: String) -> TerminalColor? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.isEmpty || t == "default" || t == "-" { return .default }
        if let i = paletteNames[t] { return .index(i) }
        if t.hasPrefix("#"), t.count == 7, let rgb = Int(t.dropFirst(), radix: 16) {
            return .index(TerminalColor.nearestPaletteIndex(r: (rgb >> 16) & 0xFF, g: (rgb >> 8) & 0xFF, b: rgb & 0xFF))
        }
        if let rgb = W3CColors.rgb[t] {
            return .index(TerminalColor.nearestPaletteIndex(r: (rgb >> 16) & 0xFF, g: (rgb >> 8) & 0xFF, b: rgb & 0xFF))
        }
        return nil
    }

    /// tcell's names for the 16 basic palette entries.
    static let paletteNames: [String: UInt8] = [
        "black": 0, "maroon": 1, "green": 2, "olive": 3, "navy": 4, "purple": 5, "teal": 6, "silver": 7,
        "gray": 8, "grey": 8, "red": 9, "lime": 10, "yellow": 11, "blue": 12, "fuchsia": 13, "aqua": 14, "white": 15,
    ]

    /// The resolved theme as text, one role a line: its colours and the k9s keys they came from.
    /// Snapshots store roles, not colours, so this is how tests (and `widash` users reading the
    /// README) see exactly what a skin became.
    public static func describe(_ theme: Theme) -> String {
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
        func name(_ c: TerminalColor) -> String {
            switch c {
            case .default: return "default"
            case .index(let i): return String(i)
            }
        }
        return mapping.map { m in
            let st = theme.style(m.role)
            let attrs = CellAttributes.names.filter { st.attributes.contains($0.value) }.keys.sorted().joined(separator: ",")
            let role = pad(m.role.rawValue, 15)
            let colours = pad("fg \(name(st.foreground))", 11) + pad("bg \(name(st.background))", 11)
            let from = "\(m.fg.paths.joined(separator: "|")) / \(m.bg.paths.joined(separator: "|"))"
            return "\(role)\(colours)\(pad(attrs.isEmpty ? "-" : attrs, 5)) <- \(from)"
        }.joined(separator: "\n")
    }
}
