import Foundation

extension KubeJSONReader {
    // MARK: - Kept strings

    /// Reads a string value. With `intern`, equal strings share one storage (see `InternStore`).
    mutating func readString(intern: Bool) throws -> String {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw mismatch("a string") }
        return try readStringBody(intern: intern)
    }

    /// As `readString`, with `null` read as nil.
    mutating func readOptionalString(intern: Bool) throws -> String? {
        skipWhitespace()
        guard pos < end else { throw error(.unexpectedEnd) }
        if base[pos] == UInt8(ascii: "\"") { return try readStringBody(intern: intern) }
        if base[pos] == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        throw mismatch("a string or null")
    }

    /// At the opening quote: reads to the closing quote, unescaping only when there are escapes.
    private mutating func readStringBody(intern: Bool) throws -> String {
        let opening = pos
        pos += 1
        let start = pos
        var highBits: UInt8 = 0
        while pos < end {
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                let count = pos - start
                pos += 1
                guard count <= limits.maxStringBytes else { throw error(.stringTooLong(limit: limits.maxStringBytes), at: opening) }
                return try makeString(base + start, count, asciiKnown: highBits < 0x80, intern: intern, at: opening)
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(opening: opening, intern: intern) }
            if byte < 0x20 { throw error(.invalidString("raw control character 0x\(String(byte, radix: 16)) (must be escaped)")) }
            highBits |= byte
            pos += 1
        }
        throw error(.unexpectedEnd)
    }

    /// The slow path: copies the string into scratch while resolving escapes.
    private mutating func readEscapedString(opening: Int, intern: Bool) throws -> String {
        let start = opening + 1
        var length = pos - start
        scratch.reserve(length + 64, keeping: 0)
        scratch.bytes.update(from: base + start, count: length)
        while true {
            guard pos < end else { throw error(.unexpectedEnd) }
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                break
            }
            guard length < limits.maxStringBytes else { throw error(.stringTooLong(limit: limits.maxStringBytes), at: opening) }
            scratch.reserve(length + 4, keeping: length)
            if byte == UInt8(ascii: "\\") {
                length += try readEscape(into: scratch.bytes + length)
            } else {
                if byte < 0x20 { throw error(.invalidString("raw control character 0x\(String(byte, radix: 16)) (must be escaped)")) }
                scratch.bytes[length] = byte
                length += 1
                pos += 1
            }
        }
        guard length <= limits.maxStringBytes else { throw error(.stringTooLong(limit: limits.maxStringBytes), at: opening) }
        return try makeString(UnsafePointer(scratch.bytes), length, asciiKnown: false, intern: intern, at: opening)
    }

    /// At a backslash: writes the UTF-8 of one escape sequence to `out` (room for 4 bytes) and
    /// returns how many bytes it wrote.
    private mutating func readEscape(into out: UnsafeMutablePointer<UInt8>) throws -> Int {
        let escapeStart = pos
        pos += 1
        guard pos < end else { throw error(.unexpectedEnd) }
        let letter = base[pos]
        pos += 1
        let simple: UInt8
        switch letter {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escapeStart)
            if scalar >= 0xD800 && scalar < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                guard end - pos >= 2, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                    throw error(.invalidEscape, at: escapeStart)
                }
                pos += 2
                let low = try readHex4(escapeStart)
                guard low >= 0xDC00 && low < 0xE000 else { throw error(.invalidEscape, at: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                throw error(.invalidEscape, at: escapeStart)
            }
            return Self.writeUTF8(scalar, to: out)
        default:
            throw error(.invalidEscape, at: escapeStart)
        }
        out[0] = simple
        return 1
    }

    private mutating func readHex4(_ escapeStart: Int) throws -> UInt32 {
        guard end - pos >= 4 else { throw error(.unexpectedEnd) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[pos]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }

    private static func writeUTF8(_ scalar: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case ..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case ..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case ..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// Makes a String from UTF-8 bytes, validating them unless they are known to be ASCII.
    mutating func makeString(_ start: UnsafePointer<UInt8>, _ count: Int, asciiKnown: Bool, intern: Bool, at offset: Int) throws -> String {
        let buffer = UnsafeBufferPointer(start: start, count: count)
        // Strings of up to 15 bytes live inline in the String value: nothing to share.
        let hash = intern && count > 15 ? StringTable.hash(buffer) : 0
        if hash != 0, let shared = strings.lookup(buffer, hash: hash) { return shared }
        let string: String
        if asciiKnown {
            string = String(decoding: buffer, as: UTF8.self)
        } else {
            guard let valid = String(validating: buffer, as: UTF8.self) else {
                throw error(.invalidString("not valid UTF-8"), at: offset)
            }
            string = valid
        }
        if hash != 0 { strings.insert(string, hash: hash) }
        return string
    }

    // MARK: - Member names

    /// At the opening quote of a member name: its bytes, unescaped into scratch when needed.
    mutating func readKey() throws -> JSONKey {
        let opening = pos
        pos += 1
        let start = pos
        while pos < end {
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                return JSONKey(start: base + start, count: pos - 1 - start, offset: opening)
            }
            if byte == UInt8(ascii: "\\") { break }
            pos += 1
        }
        guard pos < end else { throw error(.unexpectedEnd) }
        // Rare: an escaped member name. Unescape it into scratch.
        var length = pos - start
        scratch.reserve(length + 64, keeping: 0)
        scratch.bytes.update(from: base + start, count: length)
        while true {
            guard pos < end else { throw error(.unexpectedEnd) }
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                return JSONKey(start: UnsafePointer(scratch.bytes), count: length, offset: opening)
            }
            guard length < limits.maxStringBytes else { throw error(.stringTooLong(limit: limits.maxStringBytes), at: opening) }
            scratch.reserve(length + 4, keeping: length)
            if byte == UInt8(ascii: "\\") {
                length += try readEscape(into: scratch.bytes + length)
            } else {
                scratch.bytes[length] = byte
                length += 1
                pos += 1
            }
        }
    }
}
