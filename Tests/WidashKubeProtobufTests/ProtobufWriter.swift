// A tiny protobuf encoder for the tests: fields written by number, as the Go code generated for
// k8s.io/api writes them, so the decoder is fed bytes built independently of its own code.

struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ number: Int, wireType: UInt8) { varint(UInt64(number) << 3 | UInt64(wireType)) }

    mutating func string(_ number: Int, _ text: String) { lengthDelimited(number, Array(text.utf8)) }

    mutating func lengthDelimited(_ number: Int, _ payload: [UInt8]) {
        tag(number, wireType: 2)
        varint(UInt64(payload.count))
        bytes += payload
    }

    /// An int64 / int32 field (negative values sign-extended to ten bytes, as Go writes them).
    mutating func int(_ number: Int, _ value: Int) {
        tag(number, wireType: 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    mutating func bool(_ number: Int, _ value: Bool) { int(number, value ? 1 : 0) }

    mutating func fixed64(_ number: Int, _ value: UInt64) {
        tag(number, wireType: 1)
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func fixed32(_ number: Int, _ value: UInt32) {
        tag(number, wireType: 5)
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func message(_ number: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        lengthDelimited(number, inner.bytes)
    }

    /// A `map<string, string>`: one `{key = 1, value = 2}` entry per pair, keys sorted as Go writes them.
    mutating func stringMap(_ number: Int, _ map: [String: String]) {
        for key in map.keys.sorted() {
            message(number) { entry in
                entry.string(1, key)
                entry.string(2, map[key] ?? "")
            }
        }
    }

    /// `meta.v1.Time` as Go writes it: seconds only.
    mutating func time(_ number: Int, seconds: Int) { message(number) { $0.int(1, seconds) } }

    /// `k8s\0` + `runtime.Unknown {typeMeta {apiVersion, kind}, raw}`.
    static func envelope(kind: String, apiVersion: String = "v1", raw: [UInt8]) -> [UInt8] {
        var unknown = ProtobufWriter()
        unknown.message(1) { typeMeta in
            typeMeta.string(1, apiVersion)
            typeMeta.string(2, kind)
        }
        unknown.lengthDelimited(2, raw)
        unknown.string(3, "")
        unknown.string(4, "")
        return [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
    }
}
