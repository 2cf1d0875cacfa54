/// Terminal cell widths of Unicode scalars, independent of the process locale so that rendering
/// and tests agree. A simplified East Asian Width table: wide CJK, Hangul, full-width forms and
/// emoji take two cells; combining marks and zero-width characters take none.
public enum CharWidth {
    /// Number of terminal cells `scalar` occupies: 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        // Most of what the views draw (box lines, arrows, status icons) sits in 0x2100..<0x2E80,
        // where nothing is wide or zero-width: skip the range tables on the per-cell path.
        if v >= 0x2100 && v < 0x2E80 { return 1 }
        if isZeroWidth(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Total cell width of a string.
    public static func of(_ text: String) -> Int {
        var total = 0
        for scalar in text.unicodeScalars { total += of(scalar) }
        return total
    }

    private static func isZeroWidth(_ v: UInt32) -> Bool {
        (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v)
            || (0x20D0...0x20FF).contains(v) || v == 0x2060 || v == 0xFEFF
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        for range in wideRanges where range.contains(v) { return true }
        return false
    }

    /// `text` cut to at most `width` cells; when cut, the last cell is `…` (or `~` without UTF-8).
    public static func truncate(_ text: String, to width: Int, unicode: Bool = true) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let w = of(scalar)
            if used + w > width - 1 { break }
            out.append(scalar)
            used += w
        }
        return String(out) + (unicode ? "…" : "~")
    }

    /// `text` truncated and padded with spaces to exactly `width` cells.
    public static func pad(_ text: String, to width: Int, unicode: Bool = true, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width, unicode: unicode)
        let fill = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }
}
