import Foundation

/// Reads one JSON document byte by byte and writes it as the protobuf message its schema names
/// (KubeProtobufSchema), without building Foundation objects in between: encoding 50 000 stored
/// pods through JSONSerialization spent most of its time bridging and casting.
///
/// A member the tables do not know, or whose JSON type does not fit its field, is skipped and its
/// path recorded in `skipped`: the sandbox's documented limit is that such a member is missing
/// from protobuf answers, never that the request fails. Only JSON that does not parse throws.
/// Fields come out in field-number order, as Go's generated marshallers write them.
struct JSONToProtobufTranscoder {
    private(set) var skipped: [String] = []
    /// Valid only inside `transcode` (the buffer of the JSON being read).
    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The message `schema` names from the JSON document `json`, and the members that were skipped.
    static func transcode(json: Data, schema: String) throws -> (bytes: [UInt8], skipped: [String]) {
        try json.withUnsafeBytes { raw in
            var transcoder = JSONToProtobufTranscoder(bytes: raw.bindMemory(to: UInt8.self))
            let message = try transcoder.document(schema: schema)
            return (message, transcoder.skipped)
        }
    }

    /// The top-level object as `schema`; its `kind` and `apiVersion` belong to the envelope.
    private mutating func document(schema: String) throws -> [UInt8] {
        skipWhitespace()
        let message = try self.message(schema: schema, path: schema, ignoring: ["kind", "apiVersion"])
        skipWhitespace()
        guard pos == bytes.count else { throw malformed("trailing bytes") }
        return message
    }

    // MARK: Messages

    /// Fields written so far, each a range of `writer`, to be put in number order at the end.
    private struct FieldChunks {
        var writer = ProtobufWriter()
        var ranges: [(number: Int, range: Range<Int>)] = []

        mutating func record(_ number: Int, from start: Int) {
            if writer.bytes.count > start { ranges.append((number, start..<writer.bytes.count)) }
        }

        func ordered() -> [UInt8] {
            if zip(ranges, ranges.dropFirst()).allSatisfy({ $0.number <= $1.number }) { return writer.bytes }
            var out: [UInt8] = []
            out.reserveCapacity(writer.bytes.count)
            // Stable: a repeated field keeps its elements' order.
            for chunk in ranges.enumerated().sorted(by: { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }) {
                out.append(contentsOf: writer.bytes[chunk.element.range])
            }
            return out
        }
    }

    private mutating func message(schema name: String, path: String, ignoring: Set<String> = []) throws -> [UInt8] {
        guard let schema = KubeProtobufSchema.messages[name] else {
            skipped.append(path)
            try skipValue()
            return []
        }
        try expect(UInt8(ascii: "{"))
        var chunks = FieldChunks()
        var inlined = FieldChunks()
        let inlinedSchema = schema.inlined.flatMap { KubeProtobufSchema.messages[$0.schema] }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            pos += 1
            return []
        }
        while true {
            skipWhitespace()
            let key = String(decoding: try stringBytes(), as: UTF8.self)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let memberPath = "\(path).\(key)"
            if ignoring.contains(key) {
                try skipValue()
            } else if let field = schema.fields[key] {
                let start = chunks.writer.bytes.count
                try value(field, path: memberPath, into: &chunks.writer)
                chunks.record(field.number, from: start)
            } else if let field = inlinedSchema?.fields[key] {
                let start = inlined.writer.bytes.count
                try value(field, path: memberPath, into: &inlined.writer)
                inlined.record(field.number, from: start)
            } else {
                skipped.append(memberPath)
                try skipValue()
            }
            skipWhitespace()
            let separator = try next()
            if separator == UInt8(ascii: "}") { break }
            guard separator == UInt8(ascii: ",") else { throw malformed("expected , or }") }
        }
        if let number = schema.inlined?.number, !inlined.ranges.isEmpty {
            let start = chunks.writer.bytes.count
            chunks.writer.bytesField(number, inlined.ordered())
            chunks.record(number, from: start)
        }
        return chunks.ordered()
    }

    // MARK: Values

    /// Writes one member's value (each element of an array: a repeated field); null writes nothing.
    private mutating func value(_ field: KubeProtobufField, path: String, into out: inout ProtobufWriter) throws {
        switch peek() {
        case UInt8(ascii: "n"):
            try literal("null")
        case UInt8(ascii: "["):
            pos += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                pos += 1
                return
            }
            while true {
                skipWhitespace()
                if peek() == UInt8(ascii: "n") { try literal("null") } else { try single(field, path: path, into: &out) }
                skipWhitespace()
                let separator = try next()
                if separator == UInt8(ascii: "]") { return }
                guard separator == UInt8(ascii: ",") else { throw malformed("expected , or ]") }
            }
        default:
            try single(field, path: path, into: &out)
        }
    }

    private mutating func single(_ field: KubeProtobufField, path: String, into out: inout ProtobufWriter) throws {
        let number = field.number
        let first = peek()
        let isString = first == UInt8(ascii: "\"")
        let isNumber = first.map { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
        switch field.kind {
        case .string where isString:
            out.bytesField(number, try stringBytes())
        case .int where isNumber:
            guard let integer = try integer() else { return skipped.append(path) }
            out.varintField(number, integer)
        case .bool where first == UInt8(ascii: "t"):
            try literal("true")
            out.varintField(number, 1)
        case .bool where first == UInt8(ascii: "f"):
            try literal("false")
            out.varintField(number, 0)
        case .time where isString:
            let text = String(decoding: try stringBytes(), as: UTF8.self)
            guard let seconds = RFC3339Seconds.parse(text) else { return skipped.append(path) }
            var time = ProtobufWriter()
            time.varintField(1, seconds)
            out.bytesField(number, time.bytes)
        case .message(let schema) where first == UInt8(ascii: "{"):
            out.bytesField(number, try message(schema: schema, path: path))
        case .stringMap where first == UInt8(ascii: "{"), .quantityMap where first == UInt8(ascii: "{"):
            try map(field, path: path, into: &out)
        case .quantity where isString:
            out.bytesField(number, Self.quantity(try stringBytes()))
        case .intOrString where isString:
            var intOrString = ProtobufWriter()
            intOrString.varintField(1, 1)
            intOrString.bytesField(3, try stringBytes())
            out.bytesField(number, intOrString.bytes)
        case .intOrString where isNumber:
            guard let integer = try integer() else { return skipped.append(path) }
            var intOrString = ProtobufWriter()
            intOrString.varintField(1, 0)
            intOrString.varintField(2, integer)
            out.bytesField(number, intOrString.bytes)
        case .localObjectReference where isString:
            var reference = ProtobufWriter()
            reference.bytesField(1, try stringBytes())
            out.bytesField(number, reference.bytes)
        default:
            skipped.append(path)
            try skipValue()
        }
    }

    /// A JSON object of strings as protobuf map entries `{key=1, value=2}`, in key order (as Go
    /// writes maps); a quantity map's values are `Quantity {string=1}`.
    private mutating func map(_ field: KubeProtobufField, path: String, into out: inout ProtobufWriter) throws {
        try expect(UInt8(ascii: "{"))
        var entries: [(key: [UInt8], value: [UInt8])] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            pos += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try stringBytes()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if peek() == UInt8(ascii: "\"") {
                entries.append((key, try stringBytes()))
            } else {
                skipped.append("\(path).\(String(decoding: key, as: UTF8.self))")
                try skipValue()
            }
            skipWhitespace()
            let separator = try next()
            if separator == UInt8(ascii: "}") { break }
            guard separator == UInt8(ascii: ",") else { throw malformed("expected , or }") }
        }
        let quantities = if case .quantityMap = field.kind { true } else { false }
        for entry in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var writer = ProtobufWriter()
            writer.bytesField(1, entry.key)
            writer.bytesField(2, quantities ? Self.quantity(entry.value) : entry.value)
            out.bytesField(field.number, writer.bytes)
        }
    }

    /// `resource.Quantity {string=1}`: the sandbox stores quantities in their canonical string form.
    private static func quantity(_ text: [UInt8]) -> [UInt8] {
        var quantity = ProtobufWriter()
        quantity.bytesField(1, text)
        return quantity.bytes
    }

    // MARK: JSON tokens

    private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func next() throws -> UInt8 {
        guard pos < bytes.count else { throw malformed("unexpected end") }
        pos += 1
        return bytes[pos - 1]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try next() == byte else { throw malformed("expected \(Character(Unicode.Scalar(byte)))") }
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard pos + count <= bytes.count,
              word.withUTF8Buffer({ bytes[pos..<pos + count].elementsEqual($0) }) else { throw malformed("bad literal") }
        pos += count
    }

    /// A JSON number that is an integer (`3`, `-1`, `2.0`); nil for one with a fraction.
    private mutating func integer() throws -> Int64? {
        let start = pos
        numberBytes: while pos < bytes.count {
            switch bytes[pos] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): pos += 1
            default: break numberBytes
            }
        }
        guard pos > start else { throw malformed("expected a value") }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if let integer = Int64(text) { return integer }
        guard let double = Double(text), double.rounded() == double, abs(double) < 9.2e18 else { return nil }
        return Int64(double)
    }

    /// A JSON string's UTF-8 bytes, escapes resolved.
    private mutating func stringBytes() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        let start = pos
        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\""), bytes[pos] != UInt8(ascii: "\\") { pos += 1 }
        var out = Array(bytes[start..<min(pos, bytes.count)])
        while true {
            let byte = try next()
            if byte == UInt8(ascii: "\"") { return out }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            switch try next() {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), bytes[pos...].starts(with: Array("\\u".utf8)) {
                    pos += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: throw malformed("bad escape")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16) else {
            throw malformed("bad \\u escape")
        }
        pos += 4
        return value
    }

    /// Skips any JSON value.
    private mutating func skipValue() throws {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "\""): _ = try stringBytes()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                switch try next() {
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: "\""):
                    pos -= 1
                    _ = try stringBytes()
                default: break
                }
            } while depth > 0
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try integer()
        }
    }

    private func malformed(_ detail: String) -> KubeProtobufEncodingError {
        KubeProtobufEncodingError(description: "not valid JSON at byte \(pos): \(detail)")
    }
}
