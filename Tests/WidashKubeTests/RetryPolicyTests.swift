import Foundation
import WidashHTTP
@testable import WidashKube
import XCTest

/// The Kubernetes client's retry policy: idempotent reads retry the transient statuses with backoff
/// honouring Retry-After, a bounded number of times; TokenRequests are sent once.
final class RetryPolicyTests: XCTestCase {
    func testReadsRetryGatewayErrorsWithDoublingBackoff() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport { _, index in
            switch index {
            case 0: return HTTPResponse(status: 502, headers: ["content-type": "text/html"], body: Data("<html>bad gateway</html>".utf8))
            case 1: return HTTPResponse(status: 504, headers: [:], body: Data())
            default: return json(listJSON([podJSON("a")]))
            }
        }
        let list = try await makeClient(transport, sleeps: sleeps) { $0.maxAttempts = 3 }.pods(namespace: "shop")
        XCTAssertEqual(list.items.map(\.metadata.name), ["a"])
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(sleeps.recorded, [.milliseconds(500), .seconds(1)], "base delay, then doubled")
    }

    func testRetryAfterAsAnHTTPDateAndItsCap() async throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let sleeps = SleepRecorder()
        let transport = FakeTransport { _, index in
            switch index {
            // 12 s after `now`, as an IMF-fixdate.
            case 0: return json(statusJSON(code: 503, reason: "ServiceUnavailable", message: "busy"), status: 503,
                                headers: ["retry-after": "Tue, 14 Nov 2023 22:13:32 GMT"])
            case 1: return json(statusJSON(code: 429, reason: "TooManyRequests", message: "slow"), status: 429, headers: ["retry-after": "3600"])
            default: return json(listJSON([]))
            }
        }
        _ = try await makeClient(transport, sleeps: sleeps) {
            $0.now = { now }
            $0.maxRetryAfter = .seconds(20)
        }.serviceAccounts(namespace: "shop")
        XCTAssertEqual(sleeps.recorded, [.seconds(12), .seconds(20)], "the date is honoured; an hour is capped at maxRetryAfter")
    }

    func testReadsAreBoundedByMaxAttempts() async throws {
        let transport = FakeTransport { _, _ in json(statusJSON(code: 503, reason: "ServiceUnavailable", message: "down"), status: 503) }
        do {
            _ = try await makeClient(transport) { $0.maxAttempts = 4 }.namespaces()
            XCTFail("expected an error")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 503)
        }
        XCTAssertEqual(transport.requests.count, 4)
    }

    func testClientErrorsAreNotRetried() async throws {
        for status in [400, 403, 404, 409, 410, 422] {
            let transport = FakeTransport { _, _ in json(statusJSON(code: status, reason: "X", message: "no"), status: status) }
            do {
                _ = try await makeClient(transport).namespaces()
                XCTFail("expected an error for \(status)")
            } catch let error as KubeAPIError {
                XCTAssertEqual(error.statusCode, status)
            }
            XCTAssertEqual(transport.requests.count, 1, "status \(status) was retried")
        }
    }

    func testTokenRequestAnswered429IsSentOnceAndSaysWhenToRetry() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport { _, _ in
            json(statusJSON(code: 429, reason: "TooManyRequests", message: "slow down"), status: 429, headers: ["retry-after": "7"])
        }
        do {
            _ = try await makeClient(transport, sleeps: sleeps).requestToken(namespace: "shop", serviceAccount: "front", audiences: ["x"])
            XCTFail("expected an error")
        } catch let error as KubeRetryLaterError {
            XCTAssertEqual(error.retryAfterSeconds, 7)
            XCTAssertEqual(error.apiError.statusCode, 429)
            XCTAssertEqual(error.description, "the API server answered POST /api/v1/namespaces/shop/serviceaccounts/front/token with 429 (too many requests) and asked to retry after 7 s; widash does not resend a token request by itself (a token may already have been issued): run the command again after that (server: slow down)")
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(sleeps.recorded.isEmpty)
    }

    func testTokenRequestAnswered500IsAPlainErrorAndSentOnce() async throws {
        let transport = FakeTransport { _, _ in json(statusJSON(code: 500, reason: "InternalError", message: "boom"), status: 500) }
        do {
            _ = try await makeClient(transport).requestToken(namespace: "shop", serviceAccount: "front", audiences: ["x"])
            XCTFail("expected an error")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 500)
        }
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testRetryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(RetryAfter.seconds("5", now: now), 5)
        XCTAssertEqual(RetryAfter.seconds(" 0 ", now: now), 0)
        XCTAssertNil(RetryAfter.seconds("-1", now: now))
        XCTAssertNil(RetryAfter.seconds("soon", now: now))
        XCTAssertNil(RetryAfter.seconds(nil, now: now))
        XCTAssertEqual(RetryAfter.seconds("Tue, 14 Nov 2023 22:13:32 GMT", now: now), 12)
        XCTAssertEqual(RetryAfter.seconds("Tue, 14 Nov 2023 22:00:00 GMT", now: now), 0, "a date in the past means now")
    }
}
