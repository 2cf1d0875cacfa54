import Foundation

/// A terminal colour: the terminal's default, or an index into the 256-colour palette
/// (0–7 basic, 8–15 bright, 16–231 colour cube, 232–255 greys).
public enum TerminalColor: Sendable, Hashable {
    case `default`
    case index(UInt8)

    /// Colour names accepted in theme files, besides numbers 0–255 and `#rrggbb`.
    public static let names: [String: TerminalColor] = {
        var n: [String: TerminalColor] = ["default": .default, "none": .default]
        let basic = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        for (i, name) in basic.enumerated() {
            n[name] = .index(UInt8(i))
            n["bright" + name] = .index(UInt8(i + 8))
            n["bright-" + name] = .index(UInt8(i + 8))
        }
        n["gray"] = .index(8); n["grey"] = .index(8)
        let extra: [String: UInt8] = ["orange": 208, "pink": 205, "purple": 129, "navy": 17, "teal": 30,
                                      "olive": 100, "maroon": 52, "silver": 250, "darkgray": 238,
                                      "darkgrey": 238, "lightgray": 252, "lightgrey": 252, "aqua": 51,
                                      "lime": 118, "gold": 220, "violet": 177, "dodgerblue": 33]
        for (k, v) in extra { n[k] = .index(v) }
        return n
    }()

    /// Parses a theme colour: a name, a number 0–255, or `#rrggbb` (mapped to the nearest palette entry).
    public static func parse(_ text: String) -> TerminalColor? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let named = names[t] { return named }
        if let n = Int(t), (0...255).contains(n) { return .index(UInt8(n)) }
        if t.hasPrefix("#"), t.count == 7, let rgb = Int(t.dropFirst(), radix: 16) {
            return .index(nearestPaletteIndex(r: (rgb >> 16) & 0xFF, g: (rgb >> 8) & 0xFF, b: rgb & 0xFF))
        }
        return nil
    }

    /// The nearest xterm-256 cube or grey entry for an RGB colour.
    static func nearestPaletteIndex(r: Int, g: Int, b: Int) -> UInt8 {
        let levels = [0, 95, 135, 175, 215, 255]
        func level(_ v: Int) -> Int { levels.indices.min { abs(levels[$0] - v) < abs(levels[$1] - v) } ?? 0 }
        let (lr, lg, lb) = (level(r), level(g), level(b))
        let cube = 16 + 36 * lr + 6 * lg + lb
        let cubeDist = sq(levels[lr] - r) + sq(levels[lg] - g) + sq(levels[lb] - b)
        let avg = (r + g + b) / 3
        let greyStep = max(0, min(23, (avg - 8) / 10))
        let greyValue = 8 + 10 * greyStep
        let greyDist = sq(greyValue - r) + sq(greyValue - g) + sq(greyValue - b)
        return UInt8(greyDist < cubeDist ? 232 + greyStep : cube)
    }

    private static func sq(_ v: Int) -> Int { v * v }

    /// This colour on a terminal with `count` colours: the 256 palette is mapped down to the 16 or
    /// 8 basic colours by nearest hue and brightness.
    public func mapped(toColors count: Int) -> TerminalColor {
        guard case .index(let i) = self else { return self }
        if count >= 256 { return self }
        let keepBright = count >= 16
        switch i {
        case 0..<8: return self
        case 8..<16: return keepBright ? self : .index(i - 8)
        case 16..<232:
            let c = Int(i) - 16
            let (r, g, b) = (c / 36, (c / 6) % 6, c % 6)
            let maxLevel = max(r, g, b)
            if maxLevel == 0 { return .index(0) }
            // A component counts when it is at least half of the strongest one.
            let bits = (r * 2 >= maxLevel && r > 0 ? 1 : 0) | (g * 2 >= maxLevel && g > 0 ? 2 : 0) | (b * 2 >= maxLevel && b > 0 ? 4 : 0)
            let bright = keepBright && maxLevel >= 4 && bits != 7
            return .index(UInt8(bits + (bright ? 8 : 0)))
        default:
            let level = Int(i) - 232
            if level < 8 { return .index(0) }
            if level < 16 { return .index(keepBright ? 8 : 7) }
            return .index(keepBright ? 15 : 7)
        }
    }
}

/// How a role is painted.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes

    public init(foreground: TerminalColor = .default, background: TerminalColor = .default, attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// A named mapping of every `ColorRole` to a style.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [ColorRole: RoleStyle]

    public init(name: String, styles: [ColorRole: RoleStyle]) {
        self.name = name
        self.styles = styles
    }

    /// The style of `role`; roles a theme leaves out are plain text.
    public func style(_ role: ColorRole) -> RoleStyle { styles[role] ?? RoleStyle() }

    /// Roles the theme does not name.
    public var missingRoles: [ColorRole] { ColorRole.allCases.filter { styles[$0] == nil } }

    /// The theme for a terminal with `colors` colours (0 or 1: attributes only).
    public func adapted(toColors colors: Int) -> Theme {
        if colors < 8 { return monochromed() }
        var out = self
        for (role, style) in styles {
            var s = style
            s.foreground = style.foreground.mapped(toColors: colors)
            s.background = style.background.mapped(toColors: colors)
            // Keep text readable when mapping merged foreground and background.
            if s.foreground == s.background, s.foreground != .default, style.foreground != style.background {
                s.foreground = (s.background == .index(0) || s.background == .index(4)) ? .index(7) : .index(0)
            }
            out.styles[role] = s
        }
        return out
    }

    /// The same theme with colours removed (for `NO_COLOR`), keeping attributes so that the cursor
    /// and warnings stay visible.
    public func monochromed() -> Theme { BuiltinThemes.monochrome }
}
