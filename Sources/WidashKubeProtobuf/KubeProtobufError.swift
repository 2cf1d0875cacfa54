/// Why a Kubernetes protobuf response (`application/vnd.kubernetes.protobuf`) could not be decoded:
/// what was wrong, where (byte offset in the response), and what to do about it.
public struct KubeProtobufError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The response does not start with the 4-byte magic `k8s\0` of Kubernetes' protobuf envelope.
        case missingMagic
        /// The bytes ended inside a varint (a tag, a length or an integer).
        case truncatedVarint
        /// A varint longer than 10 bytes: not protobuf.
        case overlongVarint
        /// A length-delimited field (or a fixed-width one) claims more bytes than its message holds.
        case lengthPastEnd(length: UInt64, available: Int)
        /// Field number 0 or above 2^29 - 1.
        case invalidFieldNumber(UInt64)
        /// Wire types 3 and 4 (groups, unused by Kubernetes) or 6 and 7 (undefined).
        case unsupportedWireType(UInt8)
        /// A field widash reads came with a wire type its schema does not allow (e.g. a varint for a string).
        case wrongWireType(field: String, found: UInt8)
        /// A field widash needs (such as `metadata.name`) is absent or empty.
        case missingField(String)
        /// The envelope holds another kind than asked for (e.g. a `Status` where a `PodList` was expected).
        case unexpectedKind(expected: String, found: String)
        /// The envelope's `contentEncoding` is set (Kubernetes never sets it; widash cannot undo it).
        case unsupportedContentEncoding(String)
        /// A timestamp outside the years 0…9999, which RFC 3339 (and the API server's JSON) cannot write.
        case timestampOutOfRange(Int64)
    }

    public var kind: Kind
    /// Byte offset in the whole response where the problem was found.
    public var offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let location = "at byte \(offset)"
        let advice = "; the response is not the Kubernetes protobuf widash expects — retry, or fall back to JSON (Accept: application/json)"
        switch kind {
        case .missingMagic:
            return "Kubernetes protobuf response does not start with the magic bytes k8s\\0\(advice)"
        case .truncatedVarint:
            return "Kubernetes protobuf ended inside a varint \(location): the response was cut off; retry the request"
        case .overlongVarint:
            return "Kubernetes protobuf has a varint longer than 10 bytes \(location)\(advice)"
        case .lengthPastEnd(let length, let available):
            return "Kubernetes protobuf field \(location) claims \(length) bytes but only \(available) remain in its message: "
                + "the response was cut off or is corrupt; retry the request"
        case .invalidFieldNumber(let number):
            return "Kubernetes protobuf has an invalid field number \(number) \(location)\(advice)"
        case .unsupportedWireType(let type):
            return "Kubernetes protobuf uses wire type \(type) \(location), which Kubernetes never writes\(advice)"
        case .wrongWireType(let field, let found):
            return "Kubernetes protobuf field \(field) has wire type \(found) \(location), not the one its schema defines\(advice)"
        case .missingField(let name):
            return "Kubernetes protobuf object \(location) has no \(name), which widash needs\(advice)"
        case .unexpectedKind(let expected, let found):
            return "Kubernetes protobuf response holds a \(found), not a \(expected)\(advice)"
        case .unsupportedContentEncoding(let encoding):
            return "Kubernetes protobuf envelope has content encoding \"\(encoding)\", which widash cannot decode\(advice)"
        case .timestampOutOfRange(let seconds):
            return "Kubernetes protobuf timestamp \(seconds) s \(location) is outside the years 0–9999\(advice)"
        }
    }
}
