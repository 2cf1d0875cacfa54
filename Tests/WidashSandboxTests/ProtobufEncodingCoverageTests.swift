import Foundation
@testable import WidashSandbox
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf
import XCTest

/// The sandbox's protobuf encoder knows every field its own pods and service accounts carry: no
/// object of the demo (after it has moved) or of the scale scenario loses a member, and each one,
/// in its envelope, decodes to what the client's JSON decoder makes of its JSON.
final class ProtobufEncodingCoverageTests: XCTestCase {
    private func assertEveryObjectEncodes(_ sandbox: SandboxFixture, file: StaticString = #filePath, line: UInt = #line) async throws {
        for (plural, kind) in [("pods", "Pod"), ("serviceaccounts", "ServiceAccount")] {
            let objects = await sandbox.server.storedObjects(plural)
            XCTAssertFalse(objects.isEmpty, plural, file: file, line: line)
            var skipped = Set<String>()
            for json in objects {
                let (message, missing) = try KubeProtobufEncoding.objectMessage(json: json, kind: kind)
                skipped.formUnion(missing)
                let envelope = KubeProtobufEncoding.envelope(apiVersion: "v1", kind: kind, rawCount: message.count) { $0.append(contentsOf: message) }
                if kind == "Pod" {
                    XCTAssertEqual(try KubeProtobufDecoder.decodeObject(envelope, as: WidashCore.Pod.self),
                                   try KubeListDecoder.decodeObject(json, as: WidashCore.Pod.self), file: file, line: line)
                } else {
                    XCTAssertEqual(try KubeProtobufDecoder.decodeObject(envelope, as: WidashCore.ServiceAccount.self),
                                   try KubeListDecoder.decodeObject(json, as: WidashCore.ServiceAccount.self), file: file, line: line)
                }
            }
            XCTAssertEqual(skipped.sorted(), [], "\(plural): members the protobuf tables do not know", file: file, line: line)
        }
    }

    func testEveryDemoObjectEncodesWithoutSkippingAField() async throws {
        let sandbox = try await SandboxFixture.start(scenario: .demo)
        addTeardownBlock { await sandbox.stop() }
        // The demo's movement replaces and adds pods (rollouts, a canary): cover those too.
        for _ in 0..<4 { _ = try await sandbox.server.triggerMovement() }
        try await assertEveryObjectEncodes(sandbox)
    }

    func testEveryScaleObjectEncodesWithoutSkippingAField() async throws {
        let sandbox = try await SandboxFixture.start(scenario: .scale(namespaces: 10, serviceAccounts: 60, pods: 400))
        addTeardownBlock { await sandbox.stop() }
        try await assertEveryObjectEncodes(sandbox)
    }

    func testUnknownMembersAreSkippedAndReported() throws {
        let json = Data(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"n","uid":"u","creationTimestamp":"2026-01-02T03:04:05Z","somethingNew":{"a":1}},"spec":{"containers":[{"name":"c","image":"i","futureField":true}],"serviceAccountName":"sa"},"status":{"phase":"Running"}}"#.utf8)
        let (message, skipped) = try KubeProtobufEncoding.objectMessage(json: json, kind: "Pod")
        XCTAssertEqual(skipped.sorted(), ["Pod.metadata.somethingNew", "Pod.spec.containers.futureField"])
        let envelope = KubeProtobufEncoding.envelope(apiVersion: "v1", kind: "Pod", rawCount: message.count) { $0.append(contentsOf: message) }
        let pod = try KubeProtobufDecoder.decodeObject(envelope, as: WidashCore.Pod.self)
        XCTAssertEqual(pod.metadata.name, "p")
        XCTAssertEqual(pod.spec.serviceAccountName, "sa")
        XCTAssertEqual(pod.metadata.creationTimestamp, "2026-01-02T03:04:05Z")
    }

    func testRFC3339SecondsAgreeWithFoundation() {
        let formatter = ISO8601DateFormatter()
        for text in ["1970-01-01T00:00:00Z", "2026-07-23T07:07:48Z", "2000-02-29T23:59:59Z", "1969-12-31T23:59:59Z",
                     "2100-03-01T00:00:00Z", "2026-12-03T03:06:10+02:00", "2026-12-03T03:06:10-05:30"] {
            XCTAssertEqual(RFC3339Seconds.parse(text), formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }, text)
        }
        XCTAssertEqual(RFC3339Seconds.parse("2026-07-23T07:07:48.123456Z"), 1_784_790_468)
        XCTAssertNil(RFC3339Seconds.parse("2026-07-23 07:07:48"))
        XCTAssertNil(RFC3339Seconds.parse("yesterday"))
    }

    func testStatusEncodesCodeReasonMessageAndDetails() throws {
        let status = KubeStatus.forbidden(user: "u", verb: "list", resource: "pods", group: "", name: nil, namespace: "ns")
        let response = status.protobufResponse
        XCTAssertEqual(response.status, 403)
        let reading = try ProtobufStatusReading(response.body)
        XCTAssertEqual(reading, try {
            var expected = try ProtobufStatusReading(response.body)
            expected.kind = "Status"; expected.status = "Failure"; expected.code = 403; expected.reason = "Forbidden"
            expected.message = status.message; expected.detailsKind = "pods"
            return expected
        }())
        let throttled = KubeStatus.injected(code: 429, retryAfter: 3).protobufResponse
        XCTAssertTrue(throttled.headers.contains { $0.name == "Retry-After" && $0.value == "3" })
        XCTAssertEqual(try ProtobufStatusReading(throttled.body).reason, "TooManyRequests")
    }
}
