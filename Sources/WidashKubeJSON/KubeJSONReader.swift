import Foundation

/// A forward-only cursor over the bytes of one JSON document.
///
/// It reads exactly the values a decoder asks for and skips the rest without materialising them.
/// Everything is iterative (no recursion on nesting), bounds-checked against the buffer's end, and
/// reports failures as `KubeJSONError` with the byte offset. Values decoded through it are only
/// valid while the buffer it reads is alive, which the entry points in `KubeListDecoder` guarantee.
///
/// The type is public only so that `KubeJSONDecodable` can name it; its members are internal.
public struct KubeJSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int
    /// Depth of the objects and arrays currently entered by typed decoders.
    var depth = 0
    /// Set by `enterObject`/`enterArray`, cleared by the first `nextKey`/`nextElement`: tells
    /// whether a separator is due. One flag suffices because an inner container always finishes
    /// before its parent asks for the next member.
    var atFirstMember = false
    let limits: KubeJSONLimits
    let scratch: ReaderScratch
    /// The container stack of `skipValue` (scratch's, held directly to keep the hot path lean).
    let skipStack: UnsafeMutablePointer<UInt8>
    let interner: InternStore
    /// The interner's string table, owned by the reader while it decodes (no class access per string).
    var strings: StringTable

    init(_ buffer: UnsafeRawBufferPointer, limits: KubeJSONLimits, scratch: ReaderScratch, interner: InternStore,
         strings: StringTable) {
        // An empty buffer has no base address; point at a static empty byte so `end == 0` guards all reads.
        self.base = buffer.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? ReaderScratch.emptyByte
        self.end = buffer.count
        self.pos = 0
        self.limits = limits
        self.scratch = scratch
        self.skipStack = scratch.stack
        self.interner = interner
        self.strings = strings
        // A UTF-8 byte order mark is tolerated, as Foundation does.
        if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
    }

    // MARK: - Errors

    func error(_ kind: KubeJSONError.Kind, at offset: Int? = nil) -> KubeJSONError {
        KubeJSONError(kind, offset: offset ?? pos)
    }

    /// The error for "expected X here": end of input, or the wrong kind of value, or a stray byte.
    func mismatch(_ expected: String) -> KubeJSONError {
        guard pos < end else { return error(.unexpectedEnd) }
        let byte = base[pos]
        if let found = Self.valueKind(startingWith: byte) {
            return error(.typeMismatch(expected: expected, found: found))
        }
        return error(.unexpectedByte(found: byte, expected: expected))
    }

    static func valueKind(startingWith byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return nil
        }
    }

    // MARK: - Whitespace and single bytes

    @inline(__always)
    mutating func skipWhitespace() {
        // The API server writes compact JSON: the common case is one comparison.
        while pos < end {
            let byte = base[pos]
            guard byte <= 0x20, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            pos += 1
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < end ? base[pos] : nil
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8, expected: String) throws {
        skipWhitespace()
        guard pos < end else { throw error(.unexpectedEnd) }
        guard base[pos] == byte else { throw error(.unexpectedByte(found: base[pos], expected: expected)) }
        pos += 1
    }

    /// True (and consumed) when the next value is `null`.
    @inline(__always)
    mutating func consumeNull() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard end - pos >= count else {
            // Report the first byte that differs, or the end when the prefix matches.
            for i in 0..<(end - pos) where base[pos + i] != word.utf8Start[i] {
                throw error(.unexpectedByte(found: base[pos + i], expected: "\"\(word)\""), at: pos + i)
            }
            throw error(.unexpectedEnd, at: end)
        }
        for i in 0..<count where base[pos + i] != word.utf8Start[i] {
            throw error(.unexpectedByte(found: base[pos + i], expected: "\"\(word)\""), at: pos + i)
        }
        pos += count
    }

    // MARK: - Objects and arrays

    mutating func enterObject(_ expected: String = "an object") throws {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "{") else { throw mismatch(expected) }
        guard depth < limits.maxDepth else { throw error(.tooDeep(limit: limits.maxDepth)) }
        pos += 1
        depth += 1
        atFirstMember = true
    }

    /// The next member's key (its value is next, and must be read or skipped), or nil after `}`.
    mutating func nextKey() throws -> JSONKey? {
        skipWhitespace()
        guard pos < end else { throw error(.unexpectedEnd) }
        var byte = base[pos]
        if atFirstMember {
            atFirstMember = false
        } else if byte == UInt8(ascii: ",") {
            pos += 1
            skipWhitespace()
            guard pos < end else { throw error(.unexpectedEnd) }
            byte = base[pos]
            guard byte == UInt8(ascii: "\"") else { throw error(.unexpectedByte(found: byte, expected: "a member name")) }
        } else if byte != UInt8(ascii: "}") {
            throw error(.unexpectedByte(found: byte, expected: "',' or '}'"))
        }
        if byte == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return nil
        }
        guard byte == UInt8(ascii: "\"") else { throw error(.unexpectedByte(found: byte, expected: "a member name or '}'")) }
        let key = try readKey()
        try consume(UInt8(ascii: ":"), expected: "':' after a member name")
        return key
    }

    mutating func enterArray(_ expected: String = "an array") throws {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "[") else { throw mismatch(expected) }
        guard depth < limits.maxDepth else { throw error(.tooDeep(limit: limits.maxDepth)) }
        pos += 1
        depth += 1
        atFirstMember = true
    }

    /// True when another element follows (to be read or skipped), false after `]`.
    mutating func nextElement() throws -> Bool {
        skipWhitespace()
        guard pos < end else { throw error(.unexpectedEnd) }
        let byte = base[pos]
        if byte == UInt8(ascii: "]") {
            if !atFirstMember && base[pos - 1] == UInt8(ascii: ",") {
                throw error(.unexpectedByte(found: byte, expected: "a value after ','"))
            }
            atFirstMember = false
            pos += 1
            depth -= 1
            return false
        }
        if atFirstMember {
            atFirstMember = false
            return true
        }
        guard byte == UInt8(ascii: ",") else { throw error(.unexpectedByte(found: byte, expected: "',' or ']'")) }
        pos += 1
        return true
    }

    /// Reads an array whose elements `element` decodes.
    @inline(__always)
    mutating func readArray<Element>(_ expected: String, _ element: (inout KubeJSONReader) throws -> Element) throws -> [Element] {
        try enterArray(expected)
        guard try nextElement() else { return [] }
        // Collect into a roomy buffer, then keep an exactly sized copy: the inventory holds these
        // arrays for every pod, and growth by doubling would leave up to half of each unused.
        var items: [Element] = []
        items.reserveCapacity(8)
        repeat {
            items.append(try element(&self))
        } while try nextElement()
        if items.count == items.capacity { return items }
        return [Element](unsafeUninitializedCapacity: items.count) { exact, initialized in
            items.withUnsafeBufferPointer { source in initialized = exact.initialize(fromContentsOf: source) }
        }
    }

    /// As `readArray`, with `null` read as nil.
    @inline(__always)
    mutating func readOptionalArray<Element>(_ expected: String, _ element: (inout KubeJSONReader) throws -> Element) throws -> [Element]? {
        if try consumeNull() { return nil }
        return try readArray(expected, element)
    }

    /// Reads `{"key": "value", ...}` (labels, annotations); `null` is nil. Keys and values are interned.
    mutating func readOptionalStringMap() throws -> [String: String]? {
        if try consumeNull() { return nil }
        return try cached(interner.maps) { r in try r.readStringMap() }
    }

    private mutating func readStringMap() throws -> [String: String] {
        try enterObject("an object of strings")
        var map: [String: String] = [:]
        while let key = try nextKey() {
            let name = try makeString(key.start, key.count, asciiKnown: false, intern: true, at: key.offset)
            let value = try readString(intern: true)
            // The first of repeated keys wins, as with Foundation's JSONDecoder.
            if map[name] == nil { map[name] = value }
        }
        return map
    }

    // MARK: - Scalars

    mutating func readBool() throws -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw mismatch("a boolean")
        }
    }

    mutating func readOptionalBool() throws -> Bool? {
        if try consumeNull() { return nil }
        return try readBool()
    }

    /// An integer; like Foundation, `1.0` and `1e3` are accepted when exact, `1.5` is not.
    mutating func readInt() throws -> Int {
        skipWhitespace()
        let start = pos
        guard pos < end else { throw error(.unexpectedEnd) }
        var negative = false
        if base[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < end, base[pos] &- UInt8(ascii: "0") < 10 else {
            pos = start
            throw pos < end && base[pos] == UInt8(ascii: "-") ? error(.invalidNumber("'-' without digits"), at: start) : mismatch("an integer")
        }
        let firstDigit = pos
        // Accumulate negatively so that Int.min fits.
        var value = 0
        var overflow = false
        while pos < end, case let digit = base[pos] &- UInt8(ascii: "0"), digit < 10 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(Int(digit))
            overflow = overflow || o1 || o2
            value = next
            pos += 1
        }
        if base[firstDigit] == UInt8(ascii: "0") && pos - firstDigit > 1 {
            throw error(.invalidNumber("leading zero"), at: start)
        }
        if pos < end, base[pos] == UInt8(ascii: ".") || base[pos] | 0x20 == UInt8(ascii: "e") {
            return try readFractionalInt(from: start)
        }
        if overflow { throw error(.invalidNumber("does not fit a 64-bit integer"), at: start) }
        if negative { return value }
        guard value != Int.min else { throw error(.invalidNumber("does not fit a 64-bit integer"), at: start) }
        return -value
    }

    /// The slow path of `readInt` for numbers written with a fraction or an exponent.
    private mutating func readFractionalInt(from start: Int) throws -> Int {
        pos = start
        try skipNumber()
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
        guard let double = Double(text), double.isFinite, double.rounded(.towardZero) == double,
              double >= -9.223372036854775808e18, double < 9.223372036854775808e18 else {
            throw error(.invalidNumber("\(text) is not an integer that fits 64 bits"), at: start)
        }
        return Int(double)
    }

    mutating func readOptionalInt() throws -> Int? {
        if try consumeNull() { return nil }
        return try readInt()
    }
}

/// A member name as raw bytes (unescaped when it had escapes), valid until the next read.
struct JSONKey {
    let start: UnsafePointer<UInt8>
    let count: Int
    /// Where the name starts in the document, for errors.
    let offset: Int

    @inline(__always)
    func `is`(_ name: StaticString) -> Bool {
        count == name.utf8CodeUnitCount && memcmp(start, name.utf8Start, count) == 0
    }
}

/// Tracks which fields of an object were already read: the first of repeated keys wins, as with
/// Foundation's JSONDecoder.
struct SeenFields {
    private var bits: UInt32 = 0

    @inline(__always)
    mutating func first(_ field: UInt32) -> Bool {
        let bit: UInt32 = 1 << field
        if bits & bit != 0 { return false }
        bits |= bit
        return true
    }
}

/// Memory a reader reuses: the buffer for unescaped strings and the container stack of `skipValue`.
final class ReaderScratch {
    nonisolated(unsafe) static let emptyByte: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    let stack: UnsafeMutablePointer<UInt8>
    let stackCapacity: Int

    init(limits: KubeJSONLimits) {
        capacity = 256
        bytes = .allocate(capacity: capacity)
        stackCapacity = limits.maxDepth + 1
        stack = .allocate(capacity: stackCapacity)
    }

    deinit {
        bytes.deallocate()
        stack.deallocate()
    }

    /// Makes room for `needed` bytes, keeping the first `keeping`.
    func reserve(_ needed: Int, keeping: Int) {
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: bytes, count: keeping)
        bytes.deallocate()
        bytes = grown
        capacity = newCapacity
    }
}
