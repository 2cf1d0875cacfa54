import Foundation
import WidashCore
import WidashKubeJSON
import XCTest

final class WatchEventTests: XCTestCase {
    private let podJSON = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"shop","resourceVersion":"42"},"spec":{"containers":[{"name":"web"}]}}"#
    private var pod: Pod {
        Pod(metadata: ObjectMeta(name: "web-1", namespace: "shop", resourceVersion: "42"), spec: PodSpec(containers: [Container(name: "web")]))
    }

    private func event(_ line: String) throws -> WatchEventRecord<Pod> {
        try KubeListDecoder.decodeWatchEvent(line: Array(line.utf8), as: Pod.self)
    }

    func testObjectEvents() throws {
        XCTAssertEqual(try event(#"{"type":"ADDED","object":\#(podJSON)}"#), .added(pod))
        XCTAssertEqual(try event(#"{"type":"MODIFIED","object":\#(podJSON)}"#), .modified(pod))
        XCTAssertEqual(try event(#"{"type":"DELETED","object":\#(podJSON)}"#), .deleted(pod))
    }

    func testObjectBeforeType() throws {
        XCTAssertEqual(try event(#"{"object":\#(podJSON),"type":"MODIFIED"}"#), .modified(pod))
        XCTAssertEqual(try event(#"{"object":{"metadata":{"resourceVersion":"9"}},"extra":[1],"type":"BOOKMARK"}"#),
                       .bookmark(resourceVersion: "9"))
    }

    func testBookmark() throws {
        let line = #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746","annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null}}}"#
        XCTAssertEqual(try event(line), .bookmark(resourceVersion: "12746"))
        XCTAssertEqual(try event(#"{"type":"BOOKMARK","object":{}}"#), .bookmark(resourceVersion: ""))
    }

    func testErrorCarriesStatus() throws {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (12345)","reason":"Expired","code":410}}"#
        XCTAssertEqual(try event(line), .error(KubeStatusRecord(status: "Failure", message: "too old resource version: 1 (12345)",
                                                                 reason: "Expired", code: 410)))
    }

    func testUnknownTypeIsReportedNotFatal() throws {
        XCTAssertEqual(try event(#"{"type":"SOMETHING","object":{"whatever":[1,2]}}"#), .unknown(type: "SOMETHING"))
    }

    func testMalformedEvents() {
        XCTAssertThrowsError(try event(#"{"object":\#(podJSON)}"#)) { error in
            XCTAssertEqual((error as? KubeJSONError)?.kind, .missingField("type"))
        }
        XCTAssertThrowsError(try event(#"{"type":"ADDED"}"#)) { error in
            XCTAssertEqual((error as? KubeJSONError)?.kind, .missingField("object"))
        }
        XCTAssertThrowsError(try event(#"{"type":"ADDED","object":{"metadata":{"name":"p"}}}"#)) { error in
            XCTAssertEqual((error as? KubeJSONError)?.kind, .missingField("spec"))
        }
        XCTAssertThrowsError(try event(#"{"type":"ADDED","object":\#(podJSON)"#))
        XCTAssertThrowsError(try event(#"{"type":"ADDED","object":\#(podJSON)}{}"#))
    }

    /// Watch events over random pods equal JSONDecoder's reading of the object.
    func testRandomEventsEqualJSONDecoder() throws {
        for seed in 1...60 as ClosedRange<UInt64> {
            var generator = KubeObjectGenerator(seed: seed)
            let object = generator.pod()
            let type = generator.rng.pick(["ADDED", "MODIFIED", "DELETED"])
            let envelope = TestJSON.object([("type", .string(type)), ("object", object)])
            let line = envelope.serialized(&generator.rng, style: .init())
            let reference = try JSONDecoder().decode(ReferenceEvent.self, from: Data(line.utf8))
            let decoded = try KubeListDecoder.decodeWatchEvent(line: Data(line.utf8), as: Pod.self)
            switch (type, decoded) {
            case ("ADDED", .added(let pod)), ("MODIFIED", .modified(let pod)), ("DELETED", .deleted(let pod)):
                XCTAssertEqual(pod, reference.object, "seed \(seed)")
            default:
                XCTFail("seed \(seed): \(type) decoded as \(decoded)")
            }
        }
    }

    private struct ReferenceEvent: Decodable {
        var type: String
        var object: Pod
    }

    func testServiceAccountEvents() throws {
        let line = #"{"type":"ADDED","object":{"metadata":{"name":"sa","namespace":"ns","annotations":{"azure.workload.identity/client-id":"abc"}}}}"#
        let decoded = try KubeListDecoder.decodeWatchEvent(line: Array(line.utf8), as: ServiceAccount.self)
        XCTAssertEqual(decoded, .added(ServiceAccount(metadata: ObjectMeta(name: "sa", namespace: "ns",
                                                                            annotations: ["azure.workload.identity/client-id": "abc"]))))
    }
}
