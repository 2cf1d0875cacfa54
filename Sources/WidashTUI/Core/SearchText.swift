/// The lowercased search texts of many rows in one contiguous byte buffer, so that a filter
/// keystroke scans bytes instead of building and lowercasing a string per row.
///
/// The byte search gives the same answer as `String.contains` when the needle is ASCII and the row's
/// text holds no scalar that could join an ASCII character into a larger grapheme (combining
/// marks, `\r\n`, …). Rows that are not `plain` in that sense are left to the caller's string path.
struct SearchText: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Start and end offset of each row's text in `bytes` (rows are appended in order; a replaced
    /// row's new text goes to the end of the buffer).
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []
    /// Bytes of replaced rows' old texts, no longer referenced.
    private(set) var wasted = 0
    /// Per row: true when the byte search is exact for ASCII needles.
    private(set) var plain: [Bool] = []

    /// Scalars besides ASCII that the views themselves put into row texts (status icons); they
    /// never combine with a neighbour.
    private static let plainSymbols: Set<Unicode.Scalar> = ["✓", "·", "⚠", "✗", "⋯"]

    var count: Int { ends.count }

    /// Replaces row `row`'s text (its new bytes go to the end of the buffer: patching a few rows
    /// must not cost the whole inventory).
    mutating func replace(row: Int, parts: [String]) {
        guard row < ends.count else { return }
        wasted += ends[row] - starts[row]
        let start = bytes.count
        let isPlain = write(parts)
        starts[row] = start
        ends[row] = bytes.count
        plain[row] = isPlain
    }

    /// Appends a row made of `parts` (lowercased like `String.lowercased()` for plain text).
    mutating func append(_ parts: String...) { append(parts: parts) }

    mutating func append(parts: [String]) {
        let start = bytes.count
        let isPlain = write(parts)
        starts.append(start)
        ends.append(bytes.count)
        plain.append(isPlain)
    }

    /// Appends the lowercased bytes of `parts`; whether the byte search is exact for them.
    private mutating func write(_ parts: [String]) -> Bool {
        var isPlain = true
        for part in parts {
            // The common case, ASCII without `\r`: lowercase the bytes directly.
            let fast: Bool? = part.utf8.withContiguousStorageIfAvailable { raw in
                guard raw.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return false }
                for byte in raw { bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) }
                return true
            }
            if fast == true { continue }
            for scalar in part.unicodeScalars {
                if scalar.isASCII {
                    if scalar == "\r" { isPlain = false }
                    var byte = UInt8(scalar.value)
                    if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                    bytes.append(byte)
                } else {
                    if !Self.plainSymbols.contains(scalar) { isPlain = false }
                    bytes += Array(String(scalar).utf8)
                }
            }
        }
        return isPlain
    }

    /// Whether row `row` contains `needle` (lowercased ASCII bytes, not empty).
    func contains(row: Int, needle: [UInt8]) -> Bool {
        let start = starts[row]
        let end = ends[row]
        let n = needle.count
        guard n > 0, end - start >= n else { return n == 0 }
        return bytes.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let first = pin[0]
                var i = start
                let last = end - n
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < n && hay[i + j] == pin[j] { j += 1 }
                        if j == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// Whether row `row` holds the bytes of `needle` in order, gaps allowed (the `/-f` fuzzy
    /// filter; lowercased ASCII bytes). One forward pass: each needle byte is looked for after
    /// the previous one's match, so a miss costs at most the row's length.
    func containsInOrder(row: Int, needle: [UInt8]) -> Bool {
        let start = starts[row]
        let end = ends[row]
        let n = needle.count
        guard n > 0 else { return true }
        guard end - start >= n else { return false }
        return bytes.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var j = 0
                var i = start
                while i < end {
                    if hay[i] == pin[j] {
                        j += 1
                        if j == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// The needle as bytes when the byte search applies to it (ASCII without `\r`), else nil.
    static func asciiNeedle(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        return bytes.allSatisfy { $0 < 0x80 && $0 != 0x0D } ? bytes : nil
    }
}
