import Foundation
import WidashHTTP
import XCTest

/// `CurlTransport.webSocket` end to end against a TLS WebSocket server built on SwiftNIO's RFC 6455
/// implementation (`WebSocketTestServer`).
final class WebSocketCurlTests: XCTestCase {
    private var servers: [WebSocketTestServer] = []
    private let v5 = "v5.channel.k8s.io"

    override func tearDown() async throws {
        for server in servers { await server.shutdown() }
    }

    private func start(dnsNames: [String] = ["localhost"], ipv4: [[UInt8]] = [[127, 0, 0, 1]]) async throws -> (WebSocketTestServer, TestCA) {
        let ca = try TestCA(name: "widash websocket test CA")
        let identity = try ca.issueServer(dnsNames: dnsNames, ipv4: ipv4)
        let server = try await WebSocketTestServer.start(tls: try TestServer.tlsConfiguration(identity))
        servers.append(server)
        return (server, ca)
    }

    private func transport(_ ca: TestCA, serverName: String? = nil, timeouts: HTTPTimeouts = quickTimeouts) -> CurlTransport {
        makeTransport(HTTPClientOptions(tls: TLSOptions(caPEM: ca.certificateData, serverName: serverName), timeouts: timeouts))
    }

    private func open(_ server: WebSocketTestServer, _ ca: TestCA, path: String = "/ws") async throws -> any WebSocketConnection {
        try await transport(ca).webSocket(HTTPRequest(url: "https://localhost:\(server.port)\(path)"), protocols: [v5])
    }

    func testHandshakeChoosesTheSubprotocolAndBinaryAndTextAreEchoed() async throws {
        let (server, ca) = try await start()
        let request = HTTPRequest(url: "wss://localhost:\(server.port)/ws?command=cat&stdout=true",
                                  headers: [("Authorization", "Bearer not-a-real-token")])
        let connection = try await transport(ca).webSocket(request, protocols: [v5, "v4.channel.k8s.io"])
        XCTAssertEqual(connection.subprotocol, v5)
        let seen = try XCTUnwrap(server.events.upgradeHeaders.all.first)
        XCTAssertEqual(seen["authorization"], "Bearer not-a-real-token", "the request's own headers go with the upgrade")
        XCTAssertEqual(seen["sec-websocket-protocol"], "v5.channel.k8s.io, v4.channel.k8s.io")
        XCTAssertEqual(seen["host"], "localhost:\(server.port)")
        XCTAssertEqual(seen["sec-websocket-version"], "13")
        XCTAssertEqual(server.events.alpn.all, ["http/1.1"], "the upgrade is HTTP/1.1 even where the server offers h2")

        let large = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })  // a 64-bit length
        for message in [WebSocketMessage.binary(Data([1, 0, 255])), .text("héllo ✓"), .binary(large), .binary(Data())] {
            try await connection.send(message)
            let echoed = try await connection.receive()
            XCTAssertEqual(echoed, message)
        }
        XCTAssertEqual(server.events.frameMasked.all.count, 4)
        XCTAssertTrue(server.events.frameMasked.all.allSatisfy { $0 }, "every client frame is masked (§5.1)")

        await connection.close(code: 1000, reason: "done")
        XCTAssertEqual(server.events.closesReceived.all, [CloseRecord(code: 1000, reason: "done")])
        let afterClose = try await connection.receive()
        XCTAssertNil(afterClose, "nil after the closing handshake")
        do {
            try await connection.send(.text("late"))
            XCTFail("send after close succeeded")
        } catch {
            XCTAssertEqual(error as? WebSocketError, .notOpen)
        }
        await connection.close(code: 1000, reason: "again")  // a no-op, returns at once
    }

    func testFragmentedMessageWithAPingInsideAndAPingAnsweredWithItsData() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        try await connection.send(.text("fragment-please"))
        let joined = try await connection.receive()
        XCTAssertEqual(joined, .binary(Data([1, 2, 3])))
        let pongForMid = try await connection.receive()
        XCTAssertEqual(pongForMid, .text("pong:mid"), "the ping between the fragments was answered")
        try await connection.send(.text("ping-please"))
        let pong = try await connection.receive()
        XCTAssertEqual(pong, .text("pong:are you there"))
        await connection.close(code: 1000, reason: "")
    }

    func testServerCloseWith1000EndsCleanlyAndIsEchoed() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        try await connection.send(.text("close-please"))
        let end = try await connection.receive()
        XCTAssertNil(end)
        try await server.events.webSocketClosed.wait("the server's side to close")
        XCTAssertEqual(server.events.closesReceived.all, [CloseRecord(code: 1000, reason: "")], "§5.5.1: the code is echoed")
    }

    func testServerCloseWithAnotherCodeIsReportedWithItsReason() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        try await connection.send(.text("close-4001"))
        await assertWebSocketError(.closedByPeer(code: 4001, reason: "custom")) { try await connection.receive() }
        try await server.events.webSocketClosed.wait("the server's side to close")
        XCTAssertEqual(server.events.closesReceived.all.first?.code, 4001)
    }

    func testDroppedConnectionWithoutCloseIs1006() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        try await connection.send(.text("drop-please"))
        await assertWebSocketError(.closedByPeer(code: 1006, reason: "")) { try await connection.receive() }
    }

    func testMaskedFrameFromTheServerIsAProtocolErrorClosedWith1002() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        try await connection.send(.text("masked-please"))
        do {
            let message = try await connection.receive()
            XCTFail("a masked server frame was accepted: \(String(describing: message))")
        } catch let WebSocketError.protocolViolation(code, detail) {
            XCTAssertEqual(code, 1002, detail)
        }
        try await server.events.webSocketClosed.wait("the server's side to close")
        XCTAssertEqual(server.events.closesReceived.all.first?.code, 1002)
    }

    func testRefusedUpgradeReturnsStatusHeadersAndBody() async throws {
        let (server, ca) = try await start()
        for path in ["/forbidden", "/forbidden-chunked"] {
            do {
                _ = try await open(server, ca, path: path)
                XCTFail("\(path): upgrade accepted")
            } catch let refused as WebSocketUpgradeRefused {
                XCTAssertEqual(refused.response.status, 403, path)
                XCTAssertEqual(refused.response.header("Content-Type"), "application/json", path)
                XCTAssertEqual(String(decoding: refused.response.body, as: UTF8.self), WebSocketTestServer.statusJSON, path)
                XCTAssertTrue(refused.description.contains("HTTP 403"), refused.description)
            }
        }
    }

    /// Bytes that arrive with the 101 belong to the first frame (the API server sends its first
    /// message at once).
    func testAFrameRightAfterThe101IsNotLost() async throws {
        let (server, ca) = try await start()
        for _ in 0..<5 {
            let connection = try await open(server, ca, path: "/ws-greeting")
            let greeting = try await connection.receive()
            XCTAssertEqual(greeting, .binary(Data([1])))
            await connection.close(code: 1000, reason: "")
        }
    }

    func testNoSubprotocolChosenIsLeftToTheCaller() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca, path: "/ws-no-protocol")
        XCTAssertNil(connection.subprotocol)
        try await connection.send(.text("still works"))
        let echoed = try await connection.receive()
        XCTAssertEqual(echoed, .text("still works"))
        await connection.close(code: 1000, reason: "")
    }

    /// TLS is libcurl's as for `send`: `tls-server-name` verifies a name that is not in the URL.
    func testServerNameIsVerifiedInsteadOfTheURLHost() async throws {
        let (server, ca) = try await start(dnsNames: ["kubernetes"], ipv4: [])
        let connection = try await transport(ca, serverName: "kubernetes")
            .webSocket(HTTPRequest(url: "https://127.0.0.1:\(server.port)/ws"), protocols: [v5])
        XCTAssertEqual(server.events.upgradeHeaders.all.first?["host"], "127.0.0.1:\(server.port)")
        await connection.close(code: 1000, reason: "")
        await assertHTTPError("tlsHostnameMismatch") {
            try await self.transport(ca).webSocket(HTTPRequest(url: "https://127.0.0.1:\(server.port)/ws"), protocols: [self.v5])
        }
    }

    func testUnknownCAAndClosedPortFailLikeAnyRequest() async throws {
        let (server, _) = try await start()
        let stranger = try TestCA(name: "someone else")
        await assertHTTPError("tlsUnknownCA") {
            try await self.transport(stranger).webSocket(HTTPRequest(url: "https://localhost:\(server.port)/ws"), protocols: [])
        }
        let port = try await closedPort()
        await assertHTTPError("connectionRefused") {
            try await self.transport(stranger).webSocket(HTTPRequest(url: "https://127.0.0.1:\(port)/ws"), protocols: [])
        }
    }

    func testServerThatNeverAnswersTheUpgradeTimesOut() async throws {
        let (server, ca) = try await start()
        let started = Date()
        let timeouts = HTTPTimeouts(connect: .seconds(1), total: .seconds(30))
        await assertHTTPError("timeout") {
            try await self.transport(ca, timeouts: timeouts).webSocket(HTTPRequest(url: "https://localhost:\(server.port)/hang"), protocols: [])
        }
        XCTAssertTrue(server.events.hangArrived.isFired)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "bounded by the connect timeout, not the total")
    }

    func testCancellingWhileTheUpgradeIsUnansweredEndsPromptly() async throws {
        let (server, ca) = try await start()
        let slow = HTTPTimeouts(connect: .seconds(60), total: .seconds(120))
        let transport = self.transport(ca, timeouts: slow)
        let opening = Task { try await transport.webSocket(HTTPRequest(url: "https://localhost:\(server.port)/hang"), protocols: []) }
        try await server.events.hangArrived.wait("the upgrade request")
        let started = Date()
        opening.cancel()
        await assertHTTPError("cancelled") { try await opening.value }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "not held until the 60 s connect timeout")
    }

    func testReceiveEndsWithATimeoutWhenNothingArrives() async throws {
        let (server, ca) = try await start()
        let idle = HTTPTimeouts(connect: .seconds(5), total: .seconds(30), lowSpeedBytes: 1, lowSpeedTime: .seconds(1))
        let connection = try await transport(ca, timeouts: idle).webSocket(HTTPRequest(url: "https://localhost:\(server.port)/ws"), protocols: [])
        await assertHTTPError("timeout") { try await connection.receive() }
        try await server.events.webSocketClosed.wait("the connection to be dropped")

        let total = HTTPTimeouts(connect: .seconds(5), total: .seconds(1), lowSpeedBytes: 0, lowSpeedTime: .seconds(1))
        let second = try await transport(ca, timeouts: total).webSocket(HTTPRequest(url: "https://localhost:\(server.port)/ws"), protocols: [])
        await assertHTTPError("timeout") { try await second.receive() }
    }

    func testCancellingAWaitingReceiveAbortsTheConnection() async throws {
        let (server, ca) = try await start()
        let connection = try await open(server, ca)
        let waiting = Task { try await connection.receive() }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await assertHTTPError("cancelled") { try await waiting.value }
        try await server.events.webSocketClosed.wait("the connection to be dropped")
        await assertHTTPError("cancelled") { try await connection.send(.text("after")) }
    }

    func testTransportsWithoutWebSocketSupportSaySo() async throws {
        struct Fake: HTTPTransport {
            func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 200, headers: [:], body: Data()) }
            func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> { AsyncThrowingStream { $0.finish() } }
        }
        await assertWebSocketError(.unsupported(transport: "Fake")) {
            try await Fake().webSocket(HTTPRequest(url: "https://localhost/"), protocols: [])
        }
    }
}

/// Runs `operation`, expecting exactly `expected`.
private func assertWebSocketError<T>(_ expected: WebSocketError, file: StaticString = #filePath, line: UInt = #line,
                                     _ operation: () async throws -> T) async {
    do {
        let value = try await operation()
        XCTFail("expected \(expected), got \(value)", file: file, line: line)
    } catch {
        XCTAssertEqual(error as? WebSocketError, expected, "got \(error)", file: file, line: line)
    }
}
