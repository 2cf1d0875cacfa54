import Foundation
import WidashHTTP
import XCTest

/// Requests, streaming, cancellation, limits and connection errors over plain HTTP.
final class CurlTransportTests: XCTestCase {
    private var server: TestServer?

    override func setUp() async throws {
        server = try await TestServer.start()
    }

    override func tearDown() async throws {
        await server?.shutdown()
    }

    private func url(_ path: String) throws -> String {
        let port = try XCTUnwrap(server?.port)
        return "http://127.0.0.1:\(port)\(path)"
    }

    private var events: ServerEvents {
        get throws { try XCTUnwrap(server?.events) }
    }

    func testGetSendsHeadersAndReturnsLowerCasedResponseHeaders() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts, userAgent: "widash-test/1"))
        let response = try await transport.send(HTTPRequest(url: try url("/echo"),
                                                            headers: [("X-Trace-Id", "abc"), ("Accept", "application/json")]))
        let echo = try decodeEcho(response)
        XCTAssertEqual(echo.method, "GET")
        XCTAssertEqual(echo.headers["x-trace-id"], "abc")
        XCTAssertEqual(echo.headers["accept"], "application/json")
        XCTAssertEqual(echo.headers["user-agent"], "widash-test/1")
        XCTAssertEqual(response.headers["x-served-by"], "Test", "header names are lower-cased")
        XCTAssertNil(response.headers["X-Served-By"])
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        XCTAssertEqual(response.httpVersion, "HTTP/1.1")
    }

    func testPostAndPutSendTheirBodies() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let form = "grant_type=client_credentials&scope=https%3A%2F%2Fvault.azure.net%2F.default"
        let post = try decodeEcho(try await transport.send(HTTPRequest(
            method: "POST", url: try url("/echo"),
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8))))
        XCTAssertEqual(post.method, "POST")
        XCTAssertEqual(post.body, form)
        XCTAssertEqual(post.headers["content-type"], "application/x-www-form-urlencoded")
        XCTAssertNil(post.headers["expect"], "no Expect: 100-continue")

        let big = String(repeating: "z", count: 200_000)
        let put = try decodeEcho(try await transport.send(HTTPRequest(method: "PUT", url: try url("/echo"),
                                                                      body: Data(big.utf8))))
        XCTAssertEqual(put.method, "PUT")
        XCTAssertEqual(put.body.count, big.count)

        let delete = try decodeEcho(try await transport.send(HTTPRequest(method: "DELETE", url: try url("/echo"))))
        XCTAssertEqual(delete.method, "DELETE")
    }

    func testHTTPErrorStatusesAreReturnedNotThrown() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        for code in [401, 403, 404, 410, 429, 500, 503] {
            let response = try await transport.send(HTTPRequest(url: try url("/status/\(code)")))
            XCTAssertEqual(response.status, code)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "status \(code)")
        }
    }

    func testRedirectIsFollowedAndOnlyTheFinalHeadersRemain() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let response = try await transport.send(HTTPRequest(url: try url("/redirect-to-echo")))
        let echo = try decodeEcho(response)
        XCTAssertEqual(echo.uri, "/echo")
        XCTAssertNil(response.headers["location"], "the redirect's headers were dropped")
    }

    func testRedirectLoopEndsWithTooManyRedirects() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let error = await assertHTTPError("tooManyRedirects") {
            try await transport.send(HTTPRequest(url: try url("/redirect-loop")))
        }
        XCTAssertEqual(error, .tooManyRedirects(url: try url("/redirect-loop")))
    }

    func testStreamDeliversChunksAsTheyArrive() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let events = try events
        var iterator = transport.stream(HTTPRequest(url: try url("/stream"))).makeAsyncIterator()

        guard case .head(let status, let headers) = try await iterator.next() else {
            return XCTFail("the first event is the head")
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(headers["content-type"], "text/plain")

        var received = ""
        while !received.contains("line 1\n") {
            guard case .body(let chunk) = try await iterator.next() else { return XCTFail("stream ended early") }
            received += String(decoding: chunk, as: UTF8.self)
        }
        // The server holds the rest back until this point: the first line arrived on its own.
        XCTAssertFalse(events.streamGateTimedOut.isFired, "first line only arrived after the server gave up waiting")
        XCTAssertFalse(received.contains("line 2"))
        events.streamGate.fire()

        while let event = try await iterator.next() {
            guard case .body(let chunk) = event else { return XCTFail("a second head") }
            received += String(decoding: chunk, as: UTF8.self)
        }
        XCTAssertEqual(received, "line 1\nline 2\nline 3\n")
        XCTAssertFalse(events.streamGateTimedOut.isFired)
    }

    func testStreamOfAnErrorStatusYieldsItsHeadAndBody() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        var events: [HTTPStreamEvent] = []
        for try await event in transport.stream(HTTPRequest(url: try url("/status/410"))) { events.append(event) }
        guard case .head(let status, _) = events.first else { return XCTFail("no head") }
        XCTAssertEqual(status, 410)
        let body = events.dropFirst().compactMap { event -> Data? in
            if case .body(let data) = event { return data }
            return nil
        }.reduce(Data(), +)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "status 410")
    }

    func testCancellingTheStreamConsumerAbortsTheTransfer() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: HTTPTimeouts(total: nil, lowSpeedBytes: 0)))
        let events = try events
        let stream = transport.stream(HTTPRequest(url: try url("/hang-after-head")))
        let firstChunk = TestSignal()
        let consumer = Task {
            for try await event in stream {
                if case .body = event { firstChunk.fire() }
            }
        }
        try await firstChunk.wait("the first chunk")
        consumer.cancel()
        try await events.hangClosed.wait("the server to see the connection closed")
    }

    func testBreakingOutOfAStreamAbortsTheTransfer() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: HTTPTimeouts(total: nil, lowSpeedBytes: 0)))
        let events = try events
        for try await event in transport.stream(HTTPRequest(url: try url("/hang-after-head"))) {
            if case .body = event { break }
        }
        try await events.hangClosed.wait("the server to see the connection closed")
    }

    func testCancellingSendThrowsCancelledAndClosesTheConnection() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: HTTPTimeouts(total: nil, lowSpeedBytes: 0)))
        let events = try events
        let hangURL = try url("/hang")
        let task = Task { try await transport.send(HTTPRequest(url: hangURL)) }
        try await events.hangArrived.wait("the request to arrive")
        task.cancel()
        let error = await assertHTTPError("cancelled") { try await task.value }
        XCTAssertEqual(error, .cancelled(url: hangURL))
        try await events.hangClosed.wait("the server to see the connection closed")
    }

    func testSendInAnAlreadyCancelledTaskThrowsCancelled() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let echoURL = try url("/echo")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await transport.send(HTTPRequest(url: echoURL))
        }
        await assertHTTPError("cancelled") { try await task.value }
    }

    func testTricklingServerEndsWithTimeout() async throws {
        let transport = makeTransport()
        let request = HTTPRequest(url: try url("/trickle"),
                                  timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(30),
                                                         lowSpeedBytes: 1000, lowSpeedTime: .seconds(1)))
        let error = await assertHTTPError("timeout") { try await transport.send(request) }
        XCTAssertTrue(error?.description.contains("too slow") == true, error?.description ?? "")
    }

    func testTotalTimeoutEndsAHangingRequest() async throws {
        let transport = makeTransport()
        let request = HTTPRequest(url: try url("/hang"),
                                  timeouts: HTTPTimeouts(connect: .seconds(5), total: .milliseconds(300), lowSpeedBytes: 0))
        await assertHTTPError("timeout") { try await transport.send(request) }
    }

    func testEndlessBodyIsCutOffAtTheLimit() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let request = HTTPRequest(url: try url("/endless"), maxBodyBytes: 300_000)
        let error = await assertHTTPError("bodyTooLarge") { try await transport.send(request) }
        XCTAssertEqual(error, .bodyTooLarge(url: try url("/endless"), limit: 300_000))
    }

    func testEndlessStreamIsCutOffAtTheLimit() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let request = HTTPRequest(url: try url("/endless"), maxBodyBytes: 300_000)
        var received = 0
        await assertHTTPError("bodyTooLarge") {
            for try await event in transport.stream(request) {
                if case .body(let chunk) = event { received += chunk.count }
            }
        }
        XCTAssertLessThanOrEqual(received, 300_000)
    }

    func testConnectionRefused() async throws {
        let port = try await closedPort()
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let error = await assertHTTPError("connectionRefused") {
            try await transport.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x"))
        }
        XCTAssertTrue(error?.description.contains("127.0.0.1:\(port)") == true, error?.description ?? "")
    }

    func testUnresolvableHostIsADNSFailure() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let error = await assertHTTPError("dnsFailure") {
            try await transport.send(HTTPRequest(url: "https://nonexistent.invalid/"))
        }
        if case .dnsFailure(let host, _) = error { XCTAssertEqual(host, "nonexistent.invalid") }
    }

    func testInvalidURLsAreRejectedBeforeConnecting() async throws {
        let transport = makeTransport()
        for bad in ["not a url", "ftp://example.com/file", "https:///nohost", "file:///etc/passwd"] {
            await assertHTTPError("invalidURL") { try await transport.send(HTTPRequest(url: bad)) }
        }
        await assertHTTPError("invalidURL") {
            for try await _ in transport.stream(HTTPRequest(url: "gopher://x")) {}
        }
    }

    func testHeaderWithALineBreakIsRefused() async throws {
        let transport = makeTransport()
        await assertHTTPError("other") {
            try await transport.send(HTTPRequest(url: try url("/echo"), headers: [("X-A", "1\r\nX-Injected: 2")]))
        }
    }

    func testErrorMessagesDoNotShowTheQueryString() async throws {
        let port = try await closedPort()
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let error = await assertHTTPError("connectionRefused") {
            try await transport.send(HTTPRequest(url: "http://user:pw@127.0.0.1:\(port)/blob?sig=SECRETSIG"))
        }
        let message = error?.description ?? ""
        XCTAssertFalse(message.contains("SECRETSIG"), message)
        XCTAssertFalse(message.contains("pw@"), message)
    }

    func testConcurrentRequestsEachGetTheirOwnAnswer() async throws {
        let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts))
        let base = try url("/echo")
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let response = try await transport.send(HTTPRequest(method: "POST", url: base, body: Data("n\(index)".utf8)))
                    return try JSONDecoder().decode(EchoReply.self, from: response.body).body
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(bodies, Set((0..<16).map { "n\($0)" }))
    }
}
