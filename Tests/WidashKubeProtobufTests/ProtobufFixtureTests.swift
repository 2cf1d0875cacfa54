import Foundation
import XCTest
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf

/// kubernetes/api's round-trip fixtures (Fixtures/PROVENANCE.md): the same object written by the
/// upstream Go code as protobuf (with the envelope) and as JSON. Every field is set, so every
/// field widash reads is exercised, next to every field it must skip.
final class ProtobufFixtureTests: XCTestCase {
    private func fixture(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try Data(contentsOf: url)
    }

    func testUpstreamPodFixtureDecodesAsItsJSONTwin() throws {
        let fromProtobuf = try KubeProtobufDecoder.decodeObject(try fixture("core.v1.Pod.pb"), as: Pod.self)
        let fromJSON = try KubeListDecoder.decodeObject(try fixture("core.v1.Pod.json"), as: Pod.self)
        XCTAssertEqual(fromProtobuf, fromJSON)
        XCTAssertEqual(fromProtobuf.metadata.creationTimestamp, "2008-01-01T01:01:01Z")
        XCTAssertNotNil(fromProtobuf.spec.volumes?.first?.projected?.sources?.first?.serviceAccountToken)
        XCTAssertNotNil(fromProtobuf.spec.containers.first?.env?.first?.valueFrom?.secretKeyRef)
    }

    func testUpstreamServiceAccountFixtureDecodesAsItsJSONTwin() throws {
        let fromProtobuf = try KubeProtobufDecoder.decodeObject(try fixture("core.v1.ServiceAccount.pb"), as: ServiceAccount.self)
        let fromJSON = try KubeListDecoder.decodeObject(try fixture("core.v1.ServiceAccount.json"), as: ServiceAccount.self)
        XCTAssertEqual(fromProtobuf, fromJSON)
    }

    func testAPodFixtureIsNotAServiceAccount() throws {
        XCTAssertThrowsError(try KubeProtobufDecoder.decodeObject(try fixture("core.v1.Pod.pb"), as: ServiceAccount.self)) { error in
            XCTAssertEqual((error as? KubeProtobufError)?.kind, .unexpectedKind(expected: "ServiceAccount", found: "Pod"))
        }
    }
}
