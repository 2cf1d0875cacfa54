import Foundation

// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto (kubernetes/apimachinery at eed236ce, 2026-07-23):
//   Status         metadata=1 (ListMeta) status=2 message=3 reason=4 details=5 code=6
//   StatusDetails  name=1 group=2 kind=3 causes=4 retryAfterSeconds=5 uid=6
//   StatusCause    reason=1 message=2 field=3
// An API server that negotiated protobuf for a request answers its errors (403, 410 …) as a
// `Status` in the same encoding, so a client asking for protobuf must read them too.

/// An error `Status` from a protobuf response, in the JSON Status' terms.
public struct KubeProtobufStatus: Sendable, Equatable {
    public struct Cause: Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause] = []
    public var retryAfterSeconds: Int?
}

extension KubeProtobufDecoder {
    /// The `Status` in a protobuf error body; nil when the body is not a protobuf `Status`.
    public static func decodeStatus(_ bytes: some Collection<UInt8>) -> KubeProtobufStatus? {
        try? withEnvelope(bytes, kind: "Status", interner: nil) { r in try r.readStatus() }
    }
}

extension ProtobufReader {
    mutating func readStatus() throws -> KubeProtobufStatus {
        var status = KubeProtobufStatus()
        while let field = try nextField() {
            switch field.number {
            case 2: status.status = nonEmpty(try readString(field, "Status.status", intern: false))
            case 3: status.message = nonEmpty(try readString(field, "Status.message", intern: false))
            case 4: status.reason = nonEmpty(try readString(field, "Status.reason", intern: false))
            case 5: try message(field, "Status.details") { r in try r.readStatusDetails(into: &status) }
            case 6: status.code = try readInt32(field, "Status.code")
            default: try skip(field)
            }
        }
        return status
    }

    private mutating func readStatusDetails(into status: inout KubeProtobufStatus) throws {
        while let field = try nextField() {
            switch field.number {
            case 1: status.name = nonEmpty(try readString(field, "StatusDetails.name", intern: false))
            case 2: status.group = nonEmpty(try readString(field, "StatusDetails.group", intern: false))
            case 3: status.kind = nonEmpty(try readString(field, "StatusDetails.kind", intern: false))
            case 4: status.causes.append(try message(field, "StatusDetails.causes") { r in try r.readStatusCause() })
            case 5: status.retryAfterSeconds = try readInt32(field, "StatusDetails.retryAfterSeconds")
            default: try skip(field)
            }
        }
    }

    private mutating func readStatusCause() throws -> KubeProtobufStatus.Cause {
        var cause = KubeProtobufStatus.Cause()
        while let field = try nextField() {
            switch field.number {
            case 1: cause.reason = nonEmpty(try readString(field, "StatusCause.reason", intern: false))
            case 2: cause.message = nonEmpty(try readString(field, "StatusCause.message", intern: false))
            case 3: cause.field = nonEmpty(try readString(field, "StatusCause.field", intern: false))
            default: try skip(field)
            }
        }
        return cause
    }
}
