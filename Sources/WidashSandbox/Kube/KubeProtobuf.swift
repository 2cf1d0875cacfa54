import Foundation

/// The Kubernetes protobuf wire format as far as request bodies the sandbox accepts need it:
/// kubectl sends `create token` as `application/vnd.kubernetes.protobuf` (the `k8s\0` magic, a
/// `runtime.Unknown` envelope, then the `authentication.k8s.io/v1` TokenRequest message). What the
/// sandbox answers in protobuf is written by `KubeProtobufEncoding`.
enum KubeProtobuf {
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]
    static let contentType = "application/vnd.kubernetes.protobuf"

    /// A TokenRequest body converted to its JSON form, or nil when the bytes are not one.
    static func tokenRequestJSON(_ data: Data) -> Data? {
        let bytes = [UInt8](data)
        guard bytes.count > 4, Array(bytes[0..<4]) == magic,
              let envelope = fields(bytes[4...]),
              let raw = envelope.first(where: { $0.number == 2 })?.bytes,
              let request = fields(raw[...]) else { return nil }
        var spec: [String: Any] = [:]
        if let specBytes = request.first(where: { $0.number == 2 })?.bytes, let specFields = fields(specBytes[...]) {
            let audiences = specFields.filter { $0.number == 1 }.compactMap { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
            if !audiences.isEmpty { spec["audiences"] = audiences }
            if let seconds = specFields.first(where: { $0.number == 4 })?.varint { spec["expirationSeconds"] = Int(truncatingIfNeeded: seconds) }
            if let refBytes = specFields.first(where: { $0.number == 3 })?.bytes, let refFields = fields(refBytes[...]) {
                var ref: [String: Any] = [:]
                for (number, key) in [(1, "kind"), (2, "apiVersion"), (3, "name"), (4, "uid")] {
                    if let value = refFields.first(where: { $0.number == number })?.bytes {
                        ref[key] = String(decoding: value, as: UTF8.self)
                    }
                }
                spec["boundObjectRef"] = ref
            }
        }
        return try? JSONSerialization.data(withJSONObject: ["spec": spec])
    }

    struct Field {
        var number: Int
        var varint: UInt64?
        var bytes: [UInt8]?
    }

    /// Splits a message into its fields (varint and length-delimited; fixed-width ones are skipped).
    static func fields(_ input: ArraySlice<UInt8>) -> [Field]? {
        var result: [Field] = []
        var index = input.startIndex
        func readVarint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < input.endIndex, shift < 64 {
                let byte = input[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < input.endIndex {
            guard let key = readVarint() else { return nil }
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let value = readVarint() else { return nil }
                result.append(Field(number: number, varint: value))
            case 2:
                guard let length = readVarint(), length <= UInt64(input.endIndex - index) else { return nil }
                let end = index + Int(length)
                result.append(Field(number: number, bytes: Array(input[index..<end])))
                index = end
            case 1:
                guard input.endIndex - index >= 8 else { return nil }
                index += 8
            case 5:
                guard input.endIndex - index >= 4 else { return nil }
                index += 4
            default:
                return nil
            }
        }
        return result
    }
}
