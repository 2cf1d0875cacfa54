/// A run of text in one role.
public struct Segment: Sendable, Hashable {
    public var text: String
    public var role: ColorRole
    public init(_ text: String, _ role: ColorRole = .text) {
        self.text = text
        self.role = role
    }
}

/// One line of a scrolling document.
public struct StyledLine: Sendable, Hashable {
    public var segments: [Segment]
    /// What `y` copies on this line (a fix command, an identity id, a claim's value), whole even when
    /// the line shows only a wrapped part of it; nil: `y` copies the line's text without its label.
    public var copyValue: String?
    /// What the value is, for the flash: "fix command", "client id", "claim sub".
    public var copyLabel: String?
    public init(_ segments: [Segment] = []) { self.segments = segments }
    public init(_ text: String, _ role: ColorRole = .text) { segments = [Segment(text, role)] }
    public static let blank = StyledLine()

    public var text: String { segments.map(\.text).joined() }

    /// The line with a value to copy.
    public func copying(_ value: String?, as label: String) -> StyledLine {
        var line = self
        line.copyValue = value
        line.copyLabel = value == nil ? nil : label
        return line
    }
}

extension Array where Element == StyledLine {
    /// Every line copies `value` (the parts of one wrapped value).
    func copying(_ value: String?, as label: String) -> [StyledLine] { map { $0.copying(value, as: label) } }
}

enum TextWrap {
    /// Splits `text` into lines of at most `width` cells, breaking at spaces when possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            while CharWidth.of(word) > width {
                // A word longer than a line (a URL): hard-break it, filling the current line first.
                let prefix = current.isEmpty ? "" : current + " "
                // Too little room after what the line holds: flush it and break on an empty line.
                // (With an empty line there is always at least one column, so this always advances.)
                if !current.isEmpty && width - CharWidth.of(prefix) < 8 { lines.append(current); current = ""; continue }
                let room = max(1, width - CharWidth.of(prefix))
                var head = String.UnicodeScalarView()
                var used = 0
                var rest = String.UnicodeScalarView()
                for s in word.unicodeScalars {
                    let w = CharWidth.of(s)
                    // At least one scalar per line, even a wide one in a one-column room.
                    if (used + w <= room || head.isEmpty) && rest.isEmpty { head.append(s); used += w } else { rest.append(s) }
                }
                lines.append(prefix + String(head))
                current = ""
                word = String(rest)
            }
            if current.isEmpty {
                current = word
            } else if CharWidth.of(current) + 1 + CharWidth.of(word) <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// Fits table columns into the available width: each column gets its natural width (capped);
/// when that is too wide, the columns with the most room above their minimum shrink first.
enum ColumnFitter {
    static func fit(natural: [Int], minimum: [Int], maximum: [Int], available: Int) -> [Int] {
        var widths = zip(natural, maximum).map { min($0, $1) }
        var total = widths.reduce(0, +)
        while total > available {
            var best = -1
            var bestSlack = 0
            for i in widths.indices where widths[i] - minimum[i] > bestSlack {
                best = i
                bestSlack = widths[i] - minimum[i]
            }
            if best < 0 { break }
            widths[best] -= 1
            total -= 1
        }
        return widths
    }
}
