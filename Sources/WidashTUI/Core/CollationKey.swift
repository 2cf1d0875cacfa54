import Foundation

/// `localizedStandardCompare` (what the identities table sorts text columns with) made cheap.
///
/// Foundation compares with a locale collator per call (about 6 µs here), so sorting 10 000 names
/// takes most of a second. For printable-ASCII strings under an English or root locale the same
/// order follows from a byte key, built once per value and compared with `memcmp`:
/// - primary level: the root collation's order for ASCII (space, then punctuation in CLDR order,
///   then `$`, digits, letters), letters case-folded, and a run of digits compared by its number
///   (`.numeric`): a digit marker, the count of significant digits, the digits;
/// - tertiary level (case): lowercase before uppercase, first difference from the left.
/// Strings whose keys tie (they differ only in leading zeros) and anything else (non-ASCII text,
/// other locales) are compared with `localizedStandardCompare` itself, so the order is the same
/// by construction; a test compares the two on random strings.
enum CollationKey {
    /// ASCII punctuation and symbols in root collation order (space first, `$` last).
    private static let punctuationOrder = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".utf8)

    /// Primary weight per ASCII byte (0: not handled by the fast path).
    private static let weights: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        var next: UInt8 = 1
        for byte in punctuationOrder {
            table[Int(byte)] = next
            next += 1
        }
        // Digits share one marker (a run is encoded by value); letters follow.
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = next }
        next += 1
        for (offset, byte) in (UInt8(ascii: "a")...UInt8(ascii: "z")).enumerated() {
            table[Int(byte)] = next + UInt8(offset)
            table[Int(byte) - 32] = next + UInt8(offset)
        }
        return table
    }()

    private static let digitMarker: UInt8 = UInt8(punctuationOrder.count + 1)

    /// Whether the fast path agrees with the collator of the current locale (English or root).
    static let isEnabled: Bool = {
        guard let language = Locale.current.language.languageCode?.identifier else { return true }
        return language == "en" || language == "root" || language.isEmpty
    }()

    /// The byte key of `text`, or nil when the fast path cannot order it.
    static func key(_ text: String) -> [UInt8]? {
        guard isEnabled else { return nil }
        var primary: [UInt8] = []
        var tertiary: [UInt8] = []
        primary.reserveCapacity(text.utf8.count + 4)
        var utf8 = text.utf8.makeIterator()
        var pending = utf8.next()
        while let byte = pending {
            guard byte >= 0x20, byte < 0x7F else { return nil }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                // A digit run: its value, as (count of significant digits, digits).
                var digits: [UInt8] = []
                var current: UInt8? = byte
                while let d = current, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") {
                    if !(digits.isEmpty && d == UInt8(ascii: "0")) { digits.append(d - UInt8(ascii: "0") + 1) }
                    current = utf8.next()
                }
                if digits.isEmpty { digits = [1] }
                guard digits.count < 250 else { return nil }
                primary.append(digitMarker)
                primary.append(UInt8(digits.count))
                primary += digits
                pending = current
                continue
            }
            primary.append(weights[Int(byte)])
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { tertiary.append(1) }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { tertiary.append(2) }
            pending = utf8.next()
        }
        primary.append(0)
        return primary + tertiary
    }

    /// Orders two strings as `a.localizedStandardCompare(b)` does, using their keys when both have one.
    static func compare(_ a: String, _ keyA: [UInt8]?, _ b: String, _ keyB: [UInt8]?) -> ComparisonResult {
        if let keyA, let keyB {
            let order = compareBytes(keyA, keyB)
            if order != 0 { return order < 0 ? .orderedAscending : .orderedDescending }
            if a == b { return .orderedSame }
        }
        return a.localizedStandardCompare(b)
    }

    private static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let common = min(a.count, b.count)
        let order = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard common > 0, let x = pa.baseAddress, let y = pb.baseAddress else { return 0 }
                return Int(memcmp(x, y, common))
            }
        }
        if order != 0 { return order }
        return a.count - b.count
    }
}
