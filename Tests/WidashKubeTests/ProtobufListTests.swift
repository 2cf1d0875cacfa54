import Foundation
import Synchronization
import XCTest
@testable import WidashKube
import WidashCore
import WidashHTTP

/// Pod and service-account lists are asked for in Kubernetes' protobuf encoding with JSON as the
/// fallback (issue #17): read in whichever encoding the server chose, page by page; errors the
/// server sends as a protobuf `Status` read as the JSON ones are. The bytes are written here by
/// hand from upstream's field numbers (k8s.io/api core/v1 and apimachinery meta/v1
/// `generated.proto`; the envelope from `runtime/serializer/protobuf/protobuf.go`).
final class ProtobufListTests: XCTestCase {
    static let protobufAccept = "application/vnd.kubernetes.protobuf, application/json"

    func testPodPagesComeInProtobufOrJSONAsTheServerChooses() async throws {
        let transport = FakeTransport { request, _ in
            XCTAssertEqual(header(request, "Accept"), Self.protobufAccept)
            switch pathOf(request) {
            case "/api/v1/pods?limit=2":
                return Self.protobuf(Wire.podList(["a", "b"], resourceVersion: "100", continueToken: "t1", remaining: 1))
            case "/api/v1/pods?limit=2&continue=t1":
                return json(listJSON([podJSON("c")], rv: "100"))
            default:
                return json(statusJSON(code: 404, reason: "NotFound", message: "unexpected \(pathOf(request))"), status: 404)
            }
        }
        let list = try await makeClient(transport, pageSize: 2).pods(namespace: nil)
        XCTAssertEqual(list.items.map(\.metadata.name), ["a", "b", "c"])
        XCTAssertEqual(list.items.first?.metadata.namespace, "shop")
        XCTAssertEqual(list.items.first?.spec.serviceAccountName, "front")
        XCTAssertEqual(list.items.first?.spec.containers.map(\.image), ["nginx"])
        XCTAssertEqual(list.resourceVersion, "100")
    }

    func testServiceAccountsToo() async throws {
        let transport = FakeTransport { request, _ in
            XCTAssertEqual(header(request, "Accept"), Self.protobufAccept)
            return Self.protobuf(Wire.serviceAccountList(["front", "back"], resourceVersion: "7"))
        }
        let list = try await makeClient(transport).serviceAccounts(namespace: "shop")
        XCTAssertEqual(list.items.map(\.metadata.name), ["front", "back"])
        XCTAssertEqual(list.resourceVersion, "7")
    }

    func testOtherTypesAndTheOptionOffAskForJSON() async throws {
        let accepts = Mutex<[String]>([])
        let transport = FakeTransport { request, _ in
            accepts.withLock { $0.append(header(request, "Accept") ?? "") }
            return json(listJSON([], rv: "1"))
        }
        _ = try await makeClient(transport).namespaces()
        _ = try await makeClient(transport, configure: { $0.protobufLists = false }).pods(namespace: "shop")
        XCTAssertEqual(accepts.withLock { $0 }, ["application/json", "application/json"])
    }

    /// A server that negotiated protobuf sends its errors as a protobuf Status: the message and
    /// reason must reach the user as with JSON, and an expired continue token (410) still relists.
    func testErrorsInProtobufAreReadAsStatus() async throws {
        let forbidden = FakeTransport { _, _ in
            Self.protobuf(Wire.status(code: 403, reason: "Forbidden",
                                      message: #"pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope"#),
                          status: 403)
        }
        do {
            _ = try await makeClient(forbidden).pods(namespace: nil)
            XCTFail("a 403 must throw")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 403)
            XCTAssertEqual(error.status?.reason, "Forbidden")
            XCTAssertEqual(error.status?.code, 403)
            XCTAssertTrue(error.status?.message?.contains("cannot list resource \"pods\"") == true, "\(error)")
            XCTAssertNil(error.bodySnippet)
        }

        let firstPages = Mutex(0)
        let expiring = FakeTransport { request, _ in
            switch pathOf(request) {
            case "/api/v1/namespaces/shop/pods?limit=1":
                let n = firstPages.withLock { $0 += 1; return $0 }
                return Self.protobuf(Wire.podList([n == 1 ? "old" : "a"], resourceVersion: n == 1 ? "5" : "9",
                                                  continueToken: n == 1 ? "stale" : "fresh", remaining: 1))
            case "/api/v1/namespaces/shop/pods?limit=1&continue=stale":
                return Self.protobuf(Wire.status(code: 410, reason: "Expired", message: "The provided continue parameter is too old"), status: 410)
            default:
                return Self.protobuf(Wire.podList(["b"], resourceVersion: "9"))
            }
        }
        let list = try await makeClient(expiring, pageSize: 1).pods(namespace: "shop")
        XCTAssertEqual(list.items.map(\.metadata.name), ["a", "b"], "the expired list is dropped and listed again")
        XCTAssertEqual(firstPages.withLock { $0 }, 2)
    }

    func testABrokenProtobufPageIsAClearDecodingError() async throws {
        let transport = FakeTransport { _, _ in
            var bytes = Wire.podList(["a"], resourceVersion: "1")
            bytes.removeLast(3)
            return Self.protobuf(bytes)
        }
        do {
            _ = try await makeClient(transport).pods(namespace: "shop")
            XCTFail("a truncated page must throw")
        } catch let error as KubeClientError {
            XCTAssertTrue("\(error)".contains("/api/v1/namespaces/shop/pods"), "\(error)")
        }
    }

    static func protobuf(_ bytes: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/vnd.kubernetes.protobuf"], body: Data(bytes))
    }
}

/// Just enough of the protobuf wire format to write the test pages.
private enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            out.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return out
    }

    static func bytes(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }

    static func string(_ number: Int, _ text: String) -> [UInt8] { bytes(number, Array(text.utf8)) }
    static func int(_ number: Int, _ value: Int) -> [UInt8] { varint(UInt64(number << 3)) + varint(UInt64(value)) }

    /// magic `k8s\0` + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2}.
    static func envelope(kind: String, _ raw: [UInt8]) -> [UInt8] {
        [0x6B, 0x38, 0x73, 0x00] + bytes(1, string(1, "v1") + string(2, kind)) + bytes(2, raw)
    }

    /// ListMeta: resourceVersion=2 continue=3 remainingItemCount=4.
    static func listMeta(_ resourceVersion: String, _ continueToken: String?, _ remaining: Int?) -> [UInt8] {
        string(2, resourceVersion) + (continueToken.map { string(3, $0) } ?? []) + (remaining.map { int(4, $0) } ?? [])
    }

    /// Pod{metadata=1{name=1, namespace=3}, spec=2{containers=2{name=1, image=2}, serviceAccountName=8}}.
    static func pod(_ name: String) -> [UInt8] {
        bytes(1, string(1, name) + string(3, "shop")) + bytes(2, bytes(2, string(1, "app") + string(2, "nginx")) + string(8, "front"))
    }

    static func podList(_ names: [String], resourceVersion: String, continueToken: String? = nil, remaining: Int? = nil) -> [UInt8] {
        envelope(kind: "PodList", bytes(1, listMeta(resourceVersion, continueToken, remaining)) + names.flatMap { bytes(2, pod($0)) })
    }

    /// ServiceAccount{metadata=1{name=1, namespace=3}}.
    static func serviceAccountList(_ names: [String], resourceVersion: String) -> [UInt8] {
        envelope(kind: "ServiceAccountList", bytes(1, listMeta(resourceVersion, nil, nil))
            + names.flatMap { bytes(2, bytes(1, string(1, $0) + string(3, "shop"))) })
    }

    /// Status{status=2, message=3, reason=4, code=6}.
    static func status(code: Int, reason: String, message: String) -> [UInt8] {
        envelope(kind: "Status", string(2, "Failure") + string(3, message) + string(4, reason) + int(6, code))
    }
}
