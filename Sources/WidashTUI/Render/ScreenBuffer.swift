/// One terminal cell: a character, the role it is painted with, and extra attributes.
/// The right half of a wide character is a `continuation` cell that the backend skips.
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var role: ColorRole
    public var attributes: CellAttributes
    public var isContinuation: Bool

    public init(_ scalar: Unicode.Scalar = " ", role: ColorRole = .text, attributes: CellAttributes = [],
                isContinuation: Bool = false) {
        self.scalar = scalar
        self.role = role
        self.attributes = attributes
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A grid of cells that views render into and the backend diffs and flushes. Wide-character aware;
/// with `unicode == false` (a non-UTF-8 locale) every glyph is mapped to an ASCII stand-in.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let unicode: Bool
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, unicode: Bool = true) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.unicode = unicode
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Paints a rectangle with blanks in `role` (e.g. a header bar background).
    public mutating func fill(x: Int = 0, y: Int, width w: Int? = nil, height h: Int = 1, role: ColorRole,
                              attributes: CellAttributes = []) {
        let w = w ?? width
        for row in y..<(y + h) where row >= 0 && row < height {
            for col in x..<(x + w) where col >= 0 && col < width {
                cells[row * width + col] = Cell(" ", role: role, attributes: attributes)
            }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` cells (and to the buffer), truncating with `…`.
    /// Returns the number of cells written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: ColorRole = .text,
                               attributes: CellAttributes = [], maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(maxWidth ?? (width - x), width - x)
        guard limit > 0 else { return 0 }
        let mapped = unicode ? text : ASCIIFallback.map(text)
        let shown = CharWidth.truncate(mapped, to: limit, unicode: unicode)
        var col = x
        for scalar in shown.unicodeScalars {
            let w = CharWidth.of(scalar)
            if w == 0 { continue }
            if col >= 0 && col + w <= width {
                cells[y * width + col] = Cell(scalar, role: role, attributes: attributes)
                if w == 2 { cells[y * width + col + 1] = Cell(" ", role: role, attributes: attributes, isContinuation: true) }
            }
            col += w
        }
        return col - x
    }

    /// Writes a sequence of styled segments one after another; returns the x after the last one.
    @discardableResult
    public mutating func write(segments: [(String, ColorRole)], x: Int, y: Int, maxWidth: Int? = nil) -> Int {
        var col = x
        let end = x + (maxWidth ?? (width - x))
        for (text, role) in segments where col < end {
            col += write(text, x: col, y: y, role: role, maxWidth: end - col)
        }
        return col
    }

    /// Draws a box border with single lines.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, role: ColorRole = .border, title: String? = nil) {
        guard w >= 2, h >= 2 else { return }
        write("┌" + String(repeating: "─", count: w - 2) + "┐", x: x, y: y, role: role)
        for row in (y + 1)..<(y + h - 1) {
            write("│", x: x, y: row, role: role)
            write("│", x: x + w - 1, y: row, role: role)
        }
        write("└" + String(repeating: "─", count: w - 2) + "┘", x: x, y: y + h - 1, role: role)
        if let title, w > 6 { write(" \(title) ", x: x + 2, y: y, role: role, maxWidth: w - 4) }
    }

    /// The text of one row, continuation cells skipped, trailing spaces trimmed.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = String.UnicodeScalarView()
        for x in 0..<width {
            let c = cells[y * width + x]
            if !c.isContinuation { s.append(c.scalar) }
        }
        var out = String(s)
        while out.last == " " { out.removeLast() }
        return out
    }

    /// Every row as text (see `line(_:)`): what tests compare against.
    public var lines: [String] { (0..<height).map(line) }

    /// Positions whose cells differ from `previous` (all of them when the sizes differ).
    public func changedPositions(since previous: ScreenBuffer?) -> [(x: Int, y: Int)] {
        var out: [(x: Int, y: Int)] = []
        guard let previous, previous.width == width, previous.height == height else {
            for y in 0..<height { for x in 0..<width { out.append((x, y)) } }
            return out
        }
        for i in 0..<cells.count where cells[i] != previous.cells[i] {
            out.append((i % width, i / width))
        }
        return out
    }
}

/// ASCII stand-ins for the glyphs widash draws, used when the locale is not UTF-8.
public enum ASCIIFallback {
    static let table: [Unicode.Scalar: String] = [
        "…": "~", "─": "-", "│": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+",
        "✓": "v", "✗": "x", "●": "*", "○": "o", "◐": "o", "⚠": "!", "▲": "^", "▼": "v", "↑": "^", "↓": "v",
        "→": ">", "←": "<", "•": "*", "·": ".", "⠋": "|", "⠙": "/", "⠹": "-", "⠸": "\\", "⠼": "|",
        "⠴": "/", "⠦": "-", "⠧": "\\", "⠇": "|", "⠏": "/", "⏸": "=", "⟳": "@", "▶": ">", "█": "_",
        // Trace diagram, token timeline and step sparklines (seven heights, low to high).
        "◀": "<", "┼": "+", "┬": "+", "═": "=", "–": "-", "⋯": ".",
        "▁": "_", "▂": ".", "▃": "-", "▄": "=", "▅": "+", "▆": "*", "▇": "#",
    ]

    /// `text` with every non-ASCII scalar replaced by its stand-in, or `?`.
    public static func map(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII { out.unicodeScalars.append(scalar) } else { out += table[scalar] ?? "?" }
        }
        return out
    }
}
