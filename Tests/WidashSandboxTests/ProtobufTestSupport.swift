import Foundation
@testable import WidashSandbox
import XCTest

/// A response as curl received it over HTTPS, with its body's exact bytes.
struct RawResponse {
    var status: Int
    var contentType: String
    var body: Data
    /// curl's `time_total`: from the request until the last body byte, in seconds.
    var seconds: Double
}

extension SandboxFixture {
    /// GET `path` with `accept` (and the admin's token unless another is given), keeping the body's
    /// bytes (curl writes them to a file: the process helper reads stdout as text).
    func get(_ path: String, accept: String, token: String? = nil) throws -> RawResponse {
        let bodyFile = (directory as NSString).appendingPathComponent("body-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: bodyFile) }
        let result = try curl(["-H", "Authorization: Bearer \(token ?? adminToken)", "-H", "Accept: \(accept)",
                               "-o", bodyFile, "-w", "%{http_code}\n%{content_type}\n%{time_total}", server.info.apiServer + path], timeout: 120)
        guard result.status == 0 else { throw SandboxTestError("curl GET \(path): \(result.stderr)") }
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let body = (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()
        return RawResponse(status: Int(lines.first ?? "") ?? 0, contentType: lines.count > 1 ? String(lines[1]) : "", body: body,
                           seconds: lines.count > 2 ? Double(lines[2]) ?? 0 : 0)
    }

    /// The token of a kubeconfig user whose token starts with `prefix` (e.g. `widash-shop-dev-`).
    func token(prefixed prefix: String) -> String? {
        server.kubeconfigYAML().split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: prefix) else { return nil }
            return String(line[range.lowerBound...].prefix { $0 != "\"" && $0 != " " })
        }.first
    }
}

struct SandboxTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Just enough of the protobuf wire format to read a `meta.v1.Status` out of its envelope, written
/// here rather than borrowed from the sandbox's `KubeProtobuf` or widash's `KubeStatus(protobuf:)`,
/// so that the encoding under test is read by a reader of its own: field numbers from
/// k8s.io/apimachinery pkg/apis/meta/v1/generated.proto, envelope from pkg/runtime/generated.proto.
struct ProtobufStatusReading: Equatable {
    var kind = ""
    var status = ""
    var message = ""
    var reason = ""
    var code = 0
    var detailsKind = ""

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x6B, 0x38, 0x73, 0x00]) else { throw SandboxTestError("no k8s\\0 magic") }
        let envelope = try Self.fields(bytes[4...])
        guard let typeMeta = envelope.first(where: { $0.number == 1 })?.bytes,
              let raw = envelope.first(where: { $0.number == 2 })?.bytes else { throw SandboxTestError("no runtime.Unknown") }
        kind = try Self.string(Self.fields(typeMeta), 2)
        let status = try Self.fields(raw)
        self.status = try Self.string(status, 2)
        message = try Self.string(status, 3)
        reason = try Self.string(status, 4)
        code = Int(status.first(where: { $0.number == 6 })?.varint ?? 0)
        if let details = status.first(where: { $0.number == 5 })?.bytes { detailsKind = try Self.string(Self.fields(details), 3) }
    }

    private static func string(_ fields: [(number: Int, varint: UInt64?, bytes: ArraySlice<UInt8>?)], _ number: Int) throws -> String {
        fields.first(where: { $0.number == number })?.bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(number: Int, varint: UInt64?, bytes: ArraySlice<UInt8>?)] {
        var out: [(number: Int, varint: UInt64?, bytes: ArraySlice<UInt8>?)] = []
        var index = bytes.startIndex
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.endIndex, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            throw SandboxTestError("truncated varint")
        }
        while index < bytes.endIndex {
            let tag = try varint()
            switch tag & 7 {
            case 0: out.append((Int(tag >> 3), try varint(), nil))
            case 2:
                let length = Int(try varint())
                guard length <= bytes.endIndex - index else { throw SandboxTestError("truncated field") }
                out.append((Int(tag >> 3), nil, bytes[index..<index + length]))
                index += length
            default: throw SandboxTestError("unexpected wire type \(tag & 7)")
            }
        }
        return out
    }
}
