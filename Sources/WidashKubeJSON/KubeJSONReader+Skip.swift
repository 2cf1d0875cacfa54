extension KubeJSONReader {
    /// Skips one value of any type without materialising it. Iterative, so nesting costs no stack;
    /// objects and arrays are checked for well-formed structure and against `limits.maxDepth`.
    /// Skipped strings are not checked for UTF-8 or escape validity (as Foundation's decoder).
    mutating func skipValue() throws {
        skipWhitespace()
        guard pos < end else { throw error(.unexpectedEnd) }
        switch base[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        default: try skipScalar()
        }
    }

    private mutating func skipScalar() throws {
        switch base[pos] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error(.unexpectedByte(found: base[pos], expected: "a JSON value"))
        }
    }

    /// At the opening quote: moves past the closing quote.
    mutating func skipString() throws {
        pos += 1
        // Eight bytes at a time: find the first '"' or '\' with SWAR bit tricks.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = ones &* 0x22
        let backslashes = ones &* 0x5C
        while true {
            while end - pos >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                let q = word ^ quotes
                let b = word ^ backslashes
                let hits = ((q &- ones) & ~q | (b &- ones) & ~b) & highs
                if hits == 0 {
                    pos += 8
                    continue
                }
                pos += hits.trailingZeroBitCount >> 3
                break
            }
            while pos < end, base[pos] != UInt8(ascii: "\""), base[pos] != UInt8(ascii: "\\") { pos += 1 }
            guard pos < end else { throw error(.unexpectedEnd) }
            if base[pos] == UInt8(ascii: "\"") {
                pos += 1
                return
            }
            // A backslash: the next byte is escaped, whatever it is.
            pos += 2
            guard pos <= end else { throw error(.unexpectedEnd, at: end) }
        }
    }

    /// Checks the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func skipNumber() throws {
        let start = pos
        if base[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < end else { throw error(.unexpectedEnd) }
        guard base[pos] &- UInt8(ascii: "0") < 10 else { throw error(.invalidNumber("expected a digit"), at: pos) }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < end, base[pos] &- UInt8(ascii: "0") < 10 { throw error(.invalidNumber("leading zero"), at: start) }
        } else {
            skipDigits()
        }
        if pos < end, base[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < end else { throw error(.unexpectedEnd) }
            guard base[pos] &- UInt8(ascii: "0") < 10 else { throw error(.invalidNumber("expected a digit after '.'"), at: pos) }
            skipDigits()
        }
        if pos < end, base[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < end, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < end else { throw error(.unexpectedEnd) }
            guard base[pos] &- UInt8(ascii: "0") < 10 else { throw error(.invalidNumber("expected a digit in the exponent"), at: pos) }
            skipDigits()
        }
    }

    @inline(__always)
    private mutating func skipDigits() {
        while pos < end, base[pos] &- UInt8(ascii: "0") < 10 { pos += 1 }
    }

    /// At `{` or `[`: moves past the matching close, checking structure with an explicit stack.
    private mutating func skipContainer() throws {
        enum Next { case open, key, value, afterValue }
        let stack = skipStack
        let available = limits.maxDepth - depth
        var top = 0
        var next = Next.open
        while true {
            switch next {
            case .open:
                let opener = base[pos]
                guard top < available, top < scratch.stackCapacity else { throw error(.tooDeep(limit: limits.maxDepth)) }
                stack[top] = opener
                top += 1
                pos += 1
                skipWhitespace()
                guard pos < end else { throw error(.unexpectedEnd) }
                if opener == UInt8(ascii: "{") {
                    if base[pos] == UInt8(ascii: "}") {
                        pos += 1
                        top -= 1
                        next = .afterValue
                    } else {
                        next = .key
                    }
                } else if base[pos] == UInt8(ascii: "]") {
                    pos += 1
                    top -= 1
                    next = .afterValue
                } else {
                    next = .value
                }
            case .key:
                guard pos < end else { throw error(.unexpectedEnd) }
                guard base[pos] == UInt8(ascii: "\"") else { throw error(.unexpectedByte(found: base[pos], expected: "a member name")) }
                try skipString()
                try consume(UInt8(ascii: ":"), expected: "':' after a member name")
                skipWhitespace()
                next = .value
            case .value:
                guard pos < end else { throw error(.unexpectedEnd) }
                let byte = base[pos]
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    next = .open
                } else {
                    try skipScalar()
                    next = .afterValue
                }
            case .afterValue:
                if top == 0 { return }
                skipWhitespace()
                guard pos < end else { throw error(.unexpectedEnd) }
                let byte = base[pos]
                let inObject = stack[top - 1] == UInt8(ascii: "{")
                if byte == UInt8(ascii: ",") {
                    pos += 1
                    skipWhitespace()
                    next = inObject ? .key : .value
                } else if byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    top -= 1
                } else {
                    throw error(.unexpectedByte(found: byte, expected: inObject ? "',' or '}'" : "',' or ']'"))
                }
            }
        }
    }
}
