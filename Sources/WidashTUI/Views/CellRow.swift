/// A fixed-width row of one-cell glyphs that pictures (the trace diagram, the token timeline) draw
/// into by column, then turn into a `StyledLine`. Wider glyphs would shift every later column, so
/// a scalar that is not one cell wide is drawn as `?`.
struct CellRow {
    private(set) var glyphs: [Unicode.Scalar]
    private(set) var roles: [ColorRole]

    init(width: Int, role: ColorRole = .text) {
        glyphs = Array(repeating: " ", count: max(0, width))
        roles = Array(repeating: role, count: max(0, width))
    }

    var width: Int { glyphs.count }

    func glyph(at x: Int) -> Unicode.Scalar? { x >= 0 && x < width ? glyphs[x] : nil }

    mutating func put(_ glyph: Unicode.Scalar, at x: Int, _ role: ColorRole) {
        guard x >= 0, x < width else { return }
        glyphs[x] = CharWidth.of(glyph) == 1 ? glyph : "?"
        roles[x] = role
    }

    /// Writes `text` from column `x`, cut at `limit` columns (and at the row's end).
    mutating func write(_ text: String, at x: Int, _ role: ColorRole, limit: Int? = nil) {
        let end = min(width, x + (limit ?? width))
        var col = x
        for scalar in text.unicodeScalars where CharWidth.of(scalar) > 0 {
            if col >= end { break }
            put(scalar, at: col, role)
            col += 1
        }
    }

    /// Writes `text` centred on the span `from...to`, truncated with `…` to fit it.
    mutating func center(_ text: String, from: Int, to: Int, _ role: ColorRole) {
        let room = to - from + 1
        guard room > 0 else { return }
        let shown = CharWidth.truncate(text, to: room)
        let w = CharWidth.of(shown)
        write(shown, at: from + (room - w) / 2, role)
    }

    /// The row as segments, one per run of the same role, trailing blanks dropped.
    var line: StyledLine {
        var end = width
        while end > 0 && glyphs[end - 1] == " " { end -= 1 }
        var segments: [Segment] = []
        var run = String.UnicodeScalarView()
        var runRole: ColorRole?
        for x in 0..<end {
            if let r = runRole, r != roles[x] {
                segments.append(Segment(String(run), r))
                run = String.UnicodeScalarView()
            }
            runRole = roles[x]
            run.append(glyphs[x])
        }
        if let r = runRole, !run.isEmpty { segments.append(Segment(String(run), r)) }
        return StyledLine(segments)
    }
}
