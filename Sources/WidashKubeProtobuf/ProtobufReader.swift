// The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), read from an
// unsafe buffer with every length and varint checked against the end of the enclosing message.
// Only what Kubernetes writes is accepted: varints (0), fixed64 (1), length-delimited (2) and
// fixed32 (5); groups (3, 4) are deprecated and never used by k8s.io/api.

/// A protobuf wire type.
public enum ProtobufWireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// One field's key: its number and wire type, and where its tag starts (for byte-keyed caches).
public struct ProtobufField {
    public let number: Int
    public let wireType: ProtobufWireType
    let tagOffset: Int
}

/// Reads one Kubernetes protobuf message after another from a buffer the caller keeps alive.
///
/// `end` is the end of the message being read: entering an embedded message narrows it, leaving
/// restores it, so a length can never reach past its parent.
public struct ProtobufReader {
    let base: UnsafePointer<UInt8>
    var pos: Int
    var end: Int
    /// Moved in from `ProtobufInternStore` for the decode (a value type: no class access per string).
    var strings: ProtobufStringTable
    let store: ProtobufInternStore

    init(_ base: UnsafePointer<UInt8>, count: Int, store: ProtobufInternStore, strings: ProtobufStringTable) {
        self.base = base
        pos = 0
        end = count
        self.store = store
        self.strings = strings
    }

    func error(_ kind: KubeProtobufError.Kind, at offset: Int? = nil) -> KubeProtobufError {
        KubeProtobufError(kind, offset: offset ?? pos)
    }

    // MARK: - Varints and keys

    @inline(__always)
    mutating func readVarint() throws -> UInt64 {
        guard pos < end else { throw error(.truncatedVarint) }
        let first = base[pos]
        if first < 0x80 {
            pos += 1
            return UInt64(first)
        }
        return try readLongVarint()
    }

    private mutating func readLongVarint() throws -> UInt64 {
        let start = pos
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < end else { throw error(.truncatedVarint, at: start) }
            guard shift < 70 else { throw error(.overlongVarint, at: start) }
            let byte = base[pos]
            pos += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The next field of the current message, or nil at its end.
    @inline(__always)
    mutating func nextField() throws -> ProtobufField? {
        guard pos < end else { return nil }
        let tagOffset = pos
        let key = try readVarint()
        let number = key >> 3
        guard number > 0, number < 1 << 29 else { throw error(.invalidFieldNumber(number), at: tagOffset) }
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw error(.unsupportedWireType(UInt8(key & 7)), at: tagOffset)
        }
        return ProtobufField(number: Int(number), wireType: wireType, tagOffset: tagOffset)
    }

    // MARK: - Values

    @inline(__always)
    private func expect(_ field: ProtobufField, _ wireType: ProtobufWireType, _ what: StaticString) throws {
        guard field.wireType == wireType else {
            throw error(.wrongWireType(field: what.description, found: field.wireType.rawValue), at: field.tagOffset)
        }
    }

    /// Reads a length prefix and returns where the bytes start; `pos` moves past them.
    @inline(__always)
    mutating func readLength(_ field: ProtobufField, _ what: StaticString) throws -> (start: Int, count: Int) {
        try expect(field, .lengthDelimited, what)
        let lengthOffset = pos
        let length = try readVarint()
        guard length <= UInt64(end - pos) else {
            throw error(.lengthPastEnd(length: length, available: end - pos), at: lengthOffset)
        }
        let start = pos
        pos += Int(length)
        return (start, Int(length))
    }

    mutating func readUInt64(_ field: ProtobufField, _ what: StaticString) throws -> UInt64 {
        try expect(field, .varint, what)
        return try readVarint()
    }

    /// An `int64` or `int32` field (negative `int32`s are sign-extended to ten bytes on the wire).
    mutating func readInt(_ field: ProtobufField, _ what: StaticString) throws -> Int {
        Int(truncatingIfNeeded: Int64(bitPattern: try readUInt64(field, what)))
    }

    mutating func readInt32(_ field: ProtobufField, _ what: StaticString) throws -> Int {
        Int(Int32(truncatingIfNeeded: try readUInt64(field, what)))
    }

    mutating func readBool(_ field: ProtobufField, _ what: StaticString) throws -> Bool {
        try readUInt64(field, what) != 0
    }

    /// A string field. Invalid UTF-8 becomes U+FFFD, as Go's encoding/json writes it for the JSON
    /// clients, so both encodings give the same String. Strings longer than 15 bytes (shorter ones
    /// live inline in the String value) are interned when asked.
    @inline(__always)
    mutating func readString(_ field: ProtobufField, _ what: StaticString, intern: Bool) throws -> String {
        let (start, count) = try readLength(field, what)
        return makeString(UnsafeBufferPointer(start: base + start, count: count), intern: intern)
    }

    mutating func makeString(_ bytes: UnsafeBufferPointer<UInt8>, intern: Bool) -> String {
        guard intern, bytes.count > 15 else { return String(decoding: bytes, as: UTF8.self) }
        let hash = ProtobufStringTable.hash(bytes)
        if let shared = strings.lookup(bytes, hash: hash) { return shared }
        let made = String(decoding: bytes, as: UTF8.self)
        if made.utf8.count == bytes.count { strings.insert(made, hash: hash) }
        return made
    }

    /// Skips a field's value by its wire type: the cheap path for everything widash does not keep.
    @inline(__always)
    mutating func skip(_ field: ProtobufField) throws {
        switch field.wireType {
        case .varint: _ = try readVarint()
        case .lengthDelimited: _ = try readLength(field, "a skipped field")
        case .fixed64: try skipFixed(8)
        case .fixed32: try skipFixed(4)
        }
    }

    private mutating func skipFixed(_ width: Int) throws {
        guard end - pos >= width else { throw error(.lengthPastEnd(length: UInt64(width), available: end - pos)) }
        pos += width
    }

    // MARK: - Embedded messages

    /// Reads an embedded message with `read`, which sees only the message's bytes.
    @inline(__always)
    mutating func message<Value>(_ field: ProtobufField, _ what: StaticString,
                                 _ read: (inout ProtobufReader) throws -> Value) throws -> Value {
        let (start, count) = try readLength(field, what)
        let outerEnd = end
        let after = pos
        pos = start
        end = start + count
        let value = try read(&self)
        pos = after
        end = outerEnd
        return value
    }

    /// Decodes a run of consecutive occurrences of a repeated message field (the way every
    /// protobuf encoder writes a repeated field or a map), looked up first by the run's bytes in
    /// `cache`: the replicas of one workload repeat their env lists, labels and owner references
    /// byte for byte, and a hit costs a skip, a hash and a compare instead of a decode. `add` reads
    /// one element (the reader sees only its bytes) into the value.
    mutating func cachedRun<Value>(_ first: ProtobufField, _ what: StaticString, cache: ProtobufBytesCache<Value>,
                                   startingWith empty: Value,
                                   _ add: (inout ProtobufReader, inout Value) throws -> Void) throws -> Value {
        let runStart = first.tagOffset
        _ = try readLength(first, what)
        while pos < end {
            let before = pos
            guard let next = try nextField(), next.number == first.number else {
                pos = before
                break
            }
            _ = try readLength(next, what)
        }
        let runEnd = pos
        let bytes = UnsafeBufferPointer(start: base + runStart, count: runEnd - runStart)
        let hash = ProtobufStringTable.hash(bytes)
        if let hit = cache.lookup(bytes, hash: hash) { return hit }
        pos = runStart
        var value = empty
        while pos < runEnd, let field = try nextField() {
            try message(field, what) { r in try add(&r, &value) }
        }
        cache.insert(value, bytes: bytes, hash: hash, limit: store.maxEntries)
        return value
    }

    /// Like `message`, looked up first by the message's bytes in `cache`.
    mutating func cachedMessage<Value>(_ field: ProtobufField, _ what: StaticString, cache: ProtobufBytesCache<Value>,
                                       _ read: (inout ProtobufReader) throws -> Value) throws -> Value {
        let (start, count) = try readLength(field, what)
        let bytes = UnsafeBufferPointer(start: base + start, count: count)
        let hash = ProtobufStringTable.hash(bytes)
        if let hit = cache.lookup(bytes, hash: hash) { return hit }
        let after = pos
        pos = start
        let outerEnd = end
        end = start + count
        let value = try read(&self)
        pos = after
        end = outerEnd
        cache.insert(value, bytes: bytes, hash: hash, limit: store.maxEntries)
        return value
    }
}
