import Foundation
import WidashHTTP
import XCTest
@testable import WidashKube

final class TokenRequestTests: XCTestCase {
    func testRequestBodyAndResponse() async throws {
        let transport = FakeTransport { request, _ in
            json(#"{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"name":"front"},"spec":{"audiences":["api://AzureADTokenExchange"],"expirationSeconds":3600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-1","uid":"u-1"}},"status":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig","expirationTimestamp":"2030-01-02T03:04:05Z"}}"#, status: 201)
        }
        let token = try await makeClient(transport).requestToken(
            namespace: "shop", serviceAccount: "front", audiences: ["api://AzureADTokenExchange"],
            expirationSeconds: 3600, boundPod: (name: "web-1", uid: "u-1"))
        XCTAssertEqual(token.token, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig")
        XCTAssertEqual(token.expirationTimestamp, Date(timeIntervalSince1970: 1_893_553_445))
        XCTAssertEqual(token.audiences, ["api://AzureADTokenExchange"])
        XCTAssertFalse(token.description.contains("eyJzdWIiOiJ4In0"), "descriptions redact the token")

        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(pathOf(request), "/api/v1/namespaces/shop/serviceaccounts/front/token")
        XCTAssertEqual(header(request, "Content-Type"), "application/json")
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(request.body)) as? [String: Any])
        XCTAssertEqual(body["apiVersion"] as? String, "authentication.k8s.io/v1")
        XCTAssertEqual(body["kind"] as? String, "TokenRequest")
        let spec = try XCTUnwrap(body["spec"] as? [String: Any])
        XCTAssertEqual(spec["audiences"] as? [String], ["api://AzureADTokenExchange"])
        XCTAssertEqual(spec["expirationSeconds"] as? Int, 3600)
        let bound = try XCTUnwrap(spec["boundObjectRef"] as? [String: String])
        XCTAssertEqual(bound, ["kind": "Pod", "apiVersion": "v1", "name": "web-1", "uid": "u-1"])
    }

    func testUnboundRequestOmitsOptionalFields() async throws {
        let transport = FakeTransport { _, _ in
            json(#"{"status":{"token":"t.t.t","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#, status: 201)
        }
        _ = try await makeClient(transport).requestToken(namespace: "a", serviceAccount: "b", audiences: ["sts.amazonaws.com"])
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(transport.requests.first?.body)) as? [String: Any])
        let spec = try XCTUnwrap(body["spec"] as? [String: Any])
        XCTAssertNil(spec["boundObjectRef"])
        XCTAssertNil(spec["expirationSeconds"])
    }

    func testReadOnlyRefusesBeforeSending() async throws {
        let transport = FakeTransport()
        do {
            _ = try await makeClient(transport, readOnly: true).requestToken(namespace: "shop", serviceAccount: "front", audiences: ["x"])
            XCTFail("expected a read-only refusal")
        } catch let error as KubeClientError {
            XCTAssertEqual(error, .readOnly(action: "request a token for service account shop/front"))
            XCTAssertEqual(error.description, "refused to request a token for service account shop/front: widash is in read-only mode (drop --readonly, or set readOnly: false in the config file, to allow it)")
        }
        XCTAssertTrue(transport.requests.isEmpty, "nothing was sent")
    }

    func testTokenRequestIsNeverRetriedBlindly() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport { _, _ in json(statusJSON(code: 503, reason: "ServiceUnavailable", message: "try later"), status: 503) }
        do {
            _ = try await makeClient(transport, sleeps: sleeps).requestToken(namespace: "a", serviceAccount: "b", audiences: ["x"])
            XCTFail("expected an error")
        } catch let error as KubeRetryLaterError {
            XCTAssertEqual(error.apiError.statusCode, 503)
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(sleeps.recorded.isEmpty)
    }
}
