import Foundation

/// A JSON document encoded once by `JSONEncoder` from a prototype whose per-object values are
/// marker strings; rendering an object is then concatenating the literal pieces with the escaped
/// values. The scale scenario renders 50 000 pods this way instead of running the encoder 50 000
/// times (the encoder was half of its start-up time).
///
/// Markers are `U+E000 <slot> U+E001` (private-use characters the encoder writes verbatim). A string
/// marker may sit anywhere inside a JSON string (`"containerd://<marker>"`); a map marker is the sole
/// key of a one-entry dictionary (`mapMarker(_:)`), and the whole `{"<marker>":""}` is replaced by
/// the object's map, written with sorted keys. The prototype is encoded with sorted keys, so the
/// output is byte-for-byte the same on every run (Foundation's encoder on Linux otherwise orders
/// keys differently from one call to the next).
struct ScaleJSONTemplate: Sendable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case string(Int)
        case map(Int)
    }

    /// Why a template could not be built (a prototype that does not carry the markers it should).
    struct BuildError: Error, CustomStringConvertible {
        var detail: String
        var description: String { "scale scenario template: \(detail)" }
    }

    let pieces: [Piece]
    /// Slots that occur in the template (a renderer may skip computing values for the others).
    let stringSlots: Set<Int>
    let mapSlots: Set<Int>
    /// The literal bytes only, to size the output buffer.
    let literalCount: Int
    /// `stringSlots` as an array (iterating a `Set` per object is slow in debug builds).
    let orderedStringSlots: [Int]

    static func marker(_ slot: Int) -> String { "\u{E000}\(slot)\u{E001}" }
    static func mapMarker(_ slot: Int) -> [String: String] { ["\u{E000}m\(slot)\u{E001}": ""] }

    private static let open: [UInt8] = Array("\u{E000}".utf8)
    private static let close: [UInt8] = Array("\u{E001}".utf8)

    /// Encodes `prototype` and splits it at the markers. Every slot in `requiredStrings` and
    /// `requiredMaps` must occur (so a changed prototype cannot silently leave a field constant).
    init(prototype: some Encodable, requiredStrings: Set<Int>, requiredMaps: Set<Int> = []) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = [UInt8](try encoder.encode(prototype))
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var strings = Set<Int>(), maps = Set<Int>()
        var index = 0
        while index < bytes.count {
            guard Self.matches(bytes, at: index, Self.open) else {
                literal.append(bytes[index])
                index += 1
                continue
            }
            var cursor = index + Self.open.count
            let isMap = cursor < bytes.count && bytes[cursor] == UInt8(ascii: "m")
            if isMap { cursor += 1 }
            var slot = 0
            var digits = 0
            while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                slot = slot * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
                cursor += 1
                digits += 1
            }
            guard digits > 0, Self.matches(bytes, at: cursor, Self.close) else {
                throw BuildError(detail: "malformed marker at byte \(index)")
            }
            cursor += Self.close.count
            if isMap {
                // The encoder wrote `{"<marker>":""}`: drop the `{"` already collected and the `":""}` after.
                let after = Array("\":\"\"}".utf8)
                guard literal.count >= 2, literal.suffix(2) == Array("{\"".utf8), Self.matches(bytes, at: cursor, after) else {
                    throw BuildError(detail: "map marker \(slot) is not the only key of its object")
                }
                literal.removeLast(2)
                cursor += after.count
                maps.insert(slot)
            } else {
                strings.insert(slot)
            }
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = []
            pieces.append(isMap ? .map(slot) : .string(slot))
            index = cursor
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        let missingStrings = requiredStrings.subtracting(strings), missingMaps = requiredMaps.subtracting(maps)
        guard missingStrings.isEmpty, missingMaps.isEmpty else {
            throw BuildError(detail: "the prototype lacks string slots \(missingStrings.sorted()) and map slots \(missingMaps.sorted())")
        }
        self.pieces = pieces
        self.stringSlots = strings
        self.orderedStringSlots = strings.sorted()
        self.mapSlots = maps
        self.literalCount = pieces.reduce(0) { total, piece in
            if case .literal(let bytes) = piece { return total + bytes.count }
            return total
        }
    }

    /// The same template with some map slots fixed to constant maps (rendered once, into the literals).
    func binding(maps constants: [Int: [(String, String)]]) -> ScaleJSONTemplate {
        var merged: [Piece] = []
        for piece in pieces {
            var current = piece
            if case .map(let slot) = piece, let pairs = constants[slot] {
                current = .literal(Self.renderMap(pairs))
            }
            if case .literal(let bytes) = current, case .literal(let previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + bytes)
            } else {
                merged.append(current)
            }
        }
        return ScaleJSONTemplate(pieces: merged)
    }

    private init(pieces: [Piece]) {
        self.pieces = pieces
        var strings = Set<Int>(), maps = Set<Int>()
        var literals = 0
        for piece in pieces {
            switch piece {
            case .literal(let bytes): literals += bytes.count
            case .string(let slot): strings.insert(slot)
            case .map(let slot): maps.insert(slot)
            }
        }
        stringSlots = strings
        orderedStringSlots = strings.sorted()
        mapSlots = maps
        literalCount = literals
    }

    /// Renders one object: `strings[slot]` holds the value of each string slot, `maps[slot]` each
    /// map slot's JSON object (`renderMap`; maps are mostly shared by many objects, so they are
    /// rendered once). Also returns where the value of slot `recording` landed (the store re-stamps
    /// resourceVersion there), if it occurs.
    ///
    /// The values are measured first (and escaped only when they need it), then every piece is
    /// copied into a `Data` of exactly the right size: no growing buffer and no second copy, as
    /// this runs 50 000 times per start, in debug builds too.
    func render(strings: [String], maps: [[UInt8]] = [], recording recorded: Int? = nil) -> (json: Data, recorded: Range<Int>?) {
        // Escaped bytes of the string slots that need escaping; the rest are copied as they are.
        var escaped = [[UInt8]?](repeating: nil, count: strings.count)
        var lengths = [Int](repeating: 0, count: strings.count)
        for slot in orderedStringSlots {
            var value = strings[slot]
            if value.withUTF8({ Self.needsEscaping($0) }) {
                var bytes: [UInt8] = []
                Self.appendEscaped(value, to: &bytes)
                escaped[slot] = bytes
                lengths[slot] = bytes.count
            } else {
                lengths[slot] = value.utf8.count
            }
        }
        var size = literalCount
        for piece in pieces {
            switch piece {
            case .literal: break
            case .string(let slot): size += lengths[slot]
            case .map(let slot): size += maps[slot].count
            }
        }
        var json = Data(count: size)
        var range: Range<Int>?
        json.withUnsafeMutableBytes { raw in
            var offset = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                UnsafeMutableRawBufferPointer(rebasing: raw[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
                offset += bytes.count
            }
            for piece in pieces {
                switch piece {
                case .literal(let bytes):
                    bytes.withUnsafeBytes(put)
                case .string(let slot):
                    let start = offset
                    if let bytes = escaped[slot] {
                        bytes.withUnsafeBytes(put)
                    } else {
                        var value = strings[slot]
                        value.withUTF8 { put(UnsafeRawBufferPointer($0)) }
                    }
                    if slot == recorded { range = start..<offset }
                case .map(let slot):
                    maps[slot].withUnsafeBytes(put)
                }
            }
        }
        return (json, range)
    }

    // MARK: JSON text, as Foundation's JSONEncoder writes it (with `.withoutEscapingSlashes`)

    /// Appends the contents of a JSON string (no quotes): `"` and `\` escaped, control characters
    /// as `\b \t \n \f \r` or `\u00xx`, everything else (including `/`, DEL and non-ASCII) verbatim.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            // Fast path: most values (names, uids, IPs) need no escaping at all.
            if !needsEscaping(utf8) {
                out.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x22: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case 0x5C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0..<0x20:
                    out.append(contentsOf: Array("\\u00".utf8))
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                default: out.append(byte)
                }
            }
        }
    }

    /// Whether a value has a byte JSON must escape (`"`, `\\`, control characters). A plain loop,
    /// as a closure per byte is slow in debug builds.
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return true }
            index += 1
        }
        return false
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A map as a JSON object with sorted keys, for `render(strings:maps:…)`.
    static func renderMap(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        appendMap(pairs, to: &out)
        return out
    }

    /// Appends `{"k":"v",…}` with the keys sorted (as the encoder's `.sortedKeys` and the API server do).
    static func appendMap(_ pairs: [(String, String)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        func precedes(_ a: (String, String), _ b: (String, String)) -> Bool { a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
        // Callers on the hot path pass maps already sorted; sort only when they did not.
        let isSorted = pairs.indices.dropFirst().allSatisfy { !precedes(pairs[$0], pairs[$0 - 1]) }
        let sorted = isSorted ? pairs : pairs.sorted(by: precedes)
        for (offset, pair) in sorted.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            appendEscaped(pair.0, to: &out)
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")])
            appendEscaped(pair.1, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ pattern: [UInt8]) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[index + offset] != pattern[offset] { return false }
        return true
    }
}
