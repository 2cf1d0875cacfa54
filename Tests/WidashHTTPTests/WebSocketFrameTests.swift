import Foundation
@testable import WidashHTTP
import XCTest

/// RFC 6455 framing, message assembly and the opening handshake, as pure code. The RFC's own
/// examples (§5.7, §1.3) are the ground truth where it gives one.
final class WebSocketFrameTests: XCTestCase {
    private let hello = Data("Hello".utf8)

    // MARK: RFC 6455 §5.7 examples

    func testRFCExampleSingleFrameUnmaskedText() throws {
        let wire: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
        XCTAssertEqual([UInt8](WebSocketFrame(opcode: .text, payload: hello).encoded(maskingKey: nil)), wire)
        var reader = WebSocketFrameReader(role: .client)
        reader.append(wire)
        XCTAssertEqual(try reader.next(), WebSocketFrame(fin: true, opcode: .text, payload: hello))
        XCTAssertNil(try reader.next())
    }

    func testRFCExampleSingleFrameMaskedText() throws {
        let wire: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        XCTAssertEqual([UInt8](WebSocketFrame(opcode: .text, payload: hello).encoded(maskingKey: 0x37fa_213d)), wire)
        var reader = WebSocketFrameReader(role: .server)
        reader.append(wire)
        XCTAssertEqual(try reader.next(), WebSocketFrame(opcode: .text, payload: hello))
    }

    func testRFCExampleFragmentedUnmaskedText() throws {
        var session = WebSocketSession(role: .client)
        XCTAssertEqual(try session.receive([0x01, 0x03, 0x48, 0x65, 0x6c] as [UInt8]), [], "first fragment alone is no message")
        XCTAssertEqual(try session.receive([0x80, 0x02, 0x6c, 0x6f] as [UInt8]), [.message(.text("Hello"))])
    }

    func testRFCExamplePingAndMaskedPong() throws {
        XCTAssertEqual([UInt8](WebSocketFrame(opcode: .ping, payload: hello).encoded(maskingKey: nil)),
                       [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        XCTAssertEqual([UInt8](WebSocketFrame(opcode: .pong, payload: hello).encoded(maskingKey: 0x37fa_213d)),
                       [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
    }

    func testRFCExampleLengthHeadersOf256BytesAnd64KiB() throws {
        let small = WebSocketFrame(opcode: .binary, payload: Data(repeating: 7, count: 256)).encoded(maskingKey: nil)
        XCTAssertEqual([UInt8](small.prefix(4)), [0x82, 0x7E, 0x01, 0x00])
        XCTAssertEqual(small.count, 4 + 256)
        let large = WebSocketFrame(opcode: .binary, payload: Data(repeating: 7, count: 65536)).encoded(maskingKey: nil)
        XCTAssertEqual([UInt8](large.prefix(10)), [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00])
        XCTAssertEqual(large.count, 10 + 65536)
    }

    // MARK: lengths and masking

    func testLengthFormsAtTheirBoundariesRoundTrip() throws {
        for (count, headerLength) in [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (70000, 10)] {
            let payload = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let frame = WebSocketFrame(opcode: .binary, payload: payload)
            let unmasked = frame.encoded(maskingKey: nil)
            XCTAssertEqual(unmasked.count, headerLength + count, "\(count) bytes")
            var client = WebSocketFrameReader(role: .client)
            client.append(unmasked)
            XCTAssertEqual(try client.next(), frame, "\(count) bytes, unmasked")
            let masked = frame.encoded(maskingKey: 0xdead_beef)
            XCTAssertEqual(masked.count, headerLength + 4 + count)
            var server = WebSocketFrameReader(role: .server)
            server.append(masked)
            XCTAssertEqual(try server.next(), frame, "\(count) bytes, masked")
        }
    }

    func testClientFramesAreMaskedWithAFreshKeyAndServerFramesAreNot() throws {
        let frame = WebSocketFrame(opcode: .binary, payload: Data(repeating: 0x41, count: 40))
        let first = [UInt8](frame.encoded(by: .client)), second = [UInt8](frame.encoded(by: .client))
        XCTAssertEqual(first[1] & 0x80, 0x80, "MASK bit set on a client frame (§5.1)")
        XCTAssertNotEqual(Array(first[2..<6]), Array(second[2..<6]), "a new masking key per frame (§5.3)")
        XCTAssertNotEqual(Array(first[6...]), [UInt8](repeating: 0x41, count: 40), "the payload is masked on the wire")
        XCTAssertEqual([UInt8](frame.encoded(by: .server))[1] & 0x80, 0, "a server never masks")
        for wire in [first, second] {
            var server = WebSocketFrameReader(role: .server)
            server.append(wire)
            XCTAssertEqual(try server.next(), frame)
        }
    }

    func testSessionSendsMaskedFramesAServerCanRead() throws {
        var session = WebSocketSession(role: .client)
        try session.send(.text("grüß dich"))
        try session.send(.binary(Data([0, 1, 2, 255])))
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .text, payload: Data("grüß dich".utf8)))
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .binary, payload: Data([0, 1, 2, 255])))
        XCTAssertNil(try server.next())
    }

    func testReaderTakesBytesInAnyPieces() throws {
        let frames = [WebSocketFrame(opcode: .binary, payload: Data(repeating: 9, count: 300)),
                      WebSocketFrame(fin: false, opcode: .text, payload: Data("ab".utf8)),
                      WebSocketFrame(opcode: .ping)]
        let wire = frames.reduce(into: Data()) { $0.append($1.encoded(maskingKey: nil)) }
        for piece in [1, 2, 7, 1000] {
            var reader = WebSocketFrameReader(role: .client)
            var decoded: [WebSocketFrame] = []
            var index = 0
            while index < wire.count {
                reader.append(wire[index..<min(index + piece, wire.count)])
                index += piece
                while let frame = try reader.next() { decoded.append(frame) }
            }
            XCTAssertEqual(decoded, frames, "pieces of \(piece)")
            XCTAssertEqual(reader.bufferedByteCount, 0)
        }
    }

    // MARK: messages, ping, close

    func testFragmentsWithInterleavedControlFramesMakeOneMessageAndThePingIsAnswered() throws {
        var session = WebSocketSession(role: .client)
        var wire = Data()
        wire.append(WebSocketFrame(fin: false, opcode: .binary, payload: Data([1, 2])).encoded(maskingKey: nil))
        wire.append(WebSocketFrame(opcode: .ping, payload: Data("are you there".utf8)).encoded(maskingKey: nil))
        wire.append(WebSocketFrame(fin: false, opcode: .continuation, payload: Data([3])).encoded(maskingKey: nil))
        wire.append(WebSocketFrame(opcode: .pong, payload: Data("unsolicited".utf8)).encoded(maskingKey: nil))
        wire.append(WebSocketFrame(fin: true, opcode: .continuation, payload: Data([4, 5])).encoded(maskingKey: nil))
        XCTAssertEqual(try session.receive(wire), [.message(.binary(Data([1, 2, 3, 4, 5])))])
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .pong, payload: Data("are you there".utf8)),
                       "a ping is answered with a pong carrying the same data (§5.5.2); the pong is not answered")
        XCTAssertNil(try server.next())
    }

    func testAMultiByteCharacterSplitAcrossFragmentsIsValidText() throws {
        var session = WebSocketSession(role: .client)
        let bytes = [UInt8]("é✓".utf8)  // C3 A9 E2 9C 93
        var wire = WebSocketFrame(fin: false, opcode: .text, payload: Data(bytes[0..<1])).encoded(maskingKey: nil)
        wire.append(WebSocketFrame(fin: false, opcode: .continuation, payload: Data(bytes[1..<3])).encoded(maskingKey: nil))
        wire.append(WebSocketFrame(fin: true, opcode: .continuation, payload: Data(bytes[3...])).encoded(maskingKey: nil))
        XCTAssertEqual(try session.receive(wire), [.message(.text("é✓"))])
    }

    func testPeerCloseIsEchoedWithItsCodeAndItsReasonDecoded() throws {
        var session = WebSocketSession(role: .client)
        let payload = Data([0x03, 0xE9]) + Data("going away ✓".utf8)  // 1001
        let events = try session.receive(WebSocketFrame(opcode: .close, payload: payload).encoded(maskingKey: nil))
        XCTAssertEqual(events, [.closed(code: 1001, reason: "going away ✓")])
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .close, payload: Data([0x03, 0xE9])), "§5.5.1: echo the code")
        XCTAssertTrue(session.isFinished)
        XCTAssertThrowsError(try session.send(.text("late"))) { XCTAssertEqual($0 as? WebSocketError, .notOpen) }
        XCTAssertEqual(try session.receive(WebSocketFrame(opcode: .text, payload: hello).encoded(maskingKey: nil)), [],
                       "nothing is read after a Close")
    }

    func testEmptyCloseIsEchoedEmpty() throws {
        var session = WebSocketSession(role: .client)
        XCTAssertEqual(try session.receive([0x88, 0x00] as [UInt8]), [.closed(code: nil, reason: "")])
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .close))
    }

    func testOurCloseCarriesCodeAndReasonAndTheReplyIsNotEchoed() throws {
        var session = WebSocketSession(role: .client)
        session.close(code: 1000, reason: "done")
        session.close(code: 1001, reason: "twice")  // once only
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .close, payload: Data([0x03, 0xE8]) + Data("done".utf8)))
        XCTAssertNil(try server.next())
        XCTAssertThrowsError(try session.send(.binary(Data()))) { XCTAssertEqual($0 as? WebSocketError, .notOpen) }
        // A ping that crosses our Close is not answered: nothing but the Close may follow it (§5.5.1).
        XCTAssertEqual(try session.receive([0x89, 0x00, 0x88, 0x02, 0x03, 0xE8] as [UInt8]), [.closed(code: 1000, reason: "")])
        XCTAssertFalse(session.hasOutgoing)
        XCTAssertTrue(session.isFinished)
    }

    func testCloseReasonIsCutToFitAControlFrameAtACharacterBoundary() throws {
        var session = WebSocketSession(role: .client)
        session.close(code: 4000, reason: String(repeating: "é", count: 200))
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        let frame = try XCTUnwrap(try server.next())
        XCTAssertLessThanOrEqual(frame.payload.count, 125)
        XCTAssertEqual(frame.payload.count, 2 + 122, "61 two-byte characters fit after the code")
        XCTAssertNotNil(String(validating: [UInt8](frame.payload.dropFirst(2)), as: UTF8.self))
        XCTAssertEqual([UInt8](frame.payload.prefix(2)), [0x0F, 0xA0])
    }

    func testCloseCodesAllowedOnTheWire() {
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999] {
            XCTAssertTrue(WebSocketCloseCode.isValidOnWire(code), "\(code)")
        }
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            XCTAssertFalse(WebSocketCloseCode.isValidOnWire(code), "\(code)")
        }
    }

    // MARK: protocol errors

    func testProtocolViolationsCloseWithTheRightCodeAndStayFailed() throws {
        let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        let cases: [(String, [UInt8], UInt16)] = [
            ("reserved bit RSV1", [0xC1, 0x00], 1002),
            ("reserved bit RSV3", [0x92, 0x00], 1002),
            ("reserved opcode 0x3", [0x83, 0x00], 1002),
            ("reserved control opcode 0xB", [0x8B, 0x00], 1002),
            ("masked frame from the server", maskedHello, 1002),
            ("64-bit length with the top bit set", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], 1002),
            ("frame larger than the limit", [0x82, 0x7F, 0, 0, 0x01, 0, 0, 0, 0, 0], 1009),
            ("fragmented ping", [0x09, 0x00], 1002),
            ("ping longer than 125 bytes", [0x89, 0x7E, 0x00, 0x7E] + [UInt8](repeating: 0, count: 126), 1002),
            ("text that is not UTF-8", [0x81, 0x02, 0xC3, 0x28], 1007),
            ("text with an encoded surrogate", [0x81, 0x03, 0xED, 0xA0, 0x80], 1007),
            ("continuation with nothing to continue", [0x80, 0x01, 0x41], 1002),
            ("a new message inside a fragmented one", [0x01, 0x01, 0x41, 0x81, 0x01, 0x42], 1002),
            ("Close with a 1-byte body", [0x88, 0x01, 0x03], 1002),
            ("Close with code 1005", [0x88, 0x02, 0x03, 0xED], 1002),
            ("Close with code 999", [0x88, 0x02, 0x03, 0xE7], 1002),
            ("Close with code 5000", [0x88, 0x02, 0x13, 0x88], 1002),
            ("Close reason not UTF-8", [0x88, 0x04, 0x03, 0xE8, 0xFF, 0xFE], 1007),
        ]
        for (name, wire, code) in cases {
            var session = WebSocketSession(role: .client)
            var thrown: WebSocketError?
            do { _ = try session.receive(wire) } catch { thrown = error }
            guard case .protocolViolation(let closeCode, let detail)? = thrown else {
                XCTFail("\(name): expected a protocol violation, got \(String(describing: thrown))")
                continue
            }
            XCTAssertEqual(closeCode, code, "\(name): \(detail)")
            var server = WebSocketFrameReader(role: .server)
            server.append(session.takeOutgoing())
            XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .close, payload: Data([UInt8(code >> 8), UInt8(code & 0xFF)])),
                           "\(name): closed with \(code) (§7.1.7)")
            XCTAssertThrowsError(try session.receive(WebSocketFrame(opcode: .text, payload: hello).encoded(maskingKey: nil)),
                                 "\(name): the session stays failed")
            XCTAssertTrue(session.isFinished, name)
        }
    }

    /// Found by fuzzing: messages completed before a violation in the same read are not lost, so the
    /// outcome is the same however the bytes are split.
    func testMessagesBeforeAViolationInTheSameBytesAreStillReturned() throws {
        var wire = WebSocketFrame(opcode: .binary, payload: Data([1])).encoded(maskingKey: nil)
        wire.append(contentsOf: [0x88, 0x03, 0x03, 0xE8, 0xFF])  // Close 1000 with a reason that is not UTF-8
        var session = WebSocketSession(role: .client)
        XCTAssertEqual(try session.receive(wire), [.message(.binary(Data([1])))])
        guard case .protocolViolation(1007, _)? = session.failure else { return XCTFail("\(String(describing: session.failure))") }
        XCTAssertThrowsError(try session.receive([UInt8]()))
        var server = WebSocketFrameReader(role: .server)
        server.append(session.takeOutgoing())
        XCTAssertEqual(try server.next(), WebSocketFrame(opcode: .close, payload: Data([0x03, 0xEF])))
    }

    func testUnmaskedClientFrameIsRefusedByAServer() {
        var server = WebSocketFrameReader(role: .server)
        server.append([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        XCTAssertThrowsError(try server.next()) {
            guard case .protocolViolation(1002, _)? = $0 as? WebSocketError else { return XCTFail("\($0)") }
        }
    }

    func testOversizedFrameIsRefusedFromItsHeaderAlone() {
        var reader = WebSocketFrameReader(role: .client, maxFrameSize: 1024)
        reader.append([0x82, 0x7E, 0x04, 0x01])  // 1025 bytes announced, none sent
        XCTAssertThrowsError(try reader.next()) {
            guard case .protocolViolation(1009, _)? = $0 as? WebSocketError else { return XCTFail("\($0)") }
        }
    }

    func testMessageLargerThanTheLimitAcrossFragmentsIsRefused() {
        var session = WebSocketSession(role: .client, maxMessageSize: 10)
        var wire = WebSocketFrame(fin: false, opcode: .binary, payload: Data(count: 6)).encoded(maskingKey: nil)
        wire.append(WebSocketFrame(fin: true, opcode: .continuation, payload: Data(count: 6)).encoded(maskingKey: nil))
        XCTAssertThrowsError(try session.receive(wire)) {
            guard case .protocolViolation(1009, _)? = $0 as? WebSocketError else { return XCTFail("\($0)") }
        }
    }

    func testArbitraryBytesNeverCrashTheSession() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func nextByte() -> UInt8 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        var outcomes = (events: 0, errors: 0)
        for _ in 0..<3000 {
            var session = WebSocketSession(role: .client, maxMessageSize: 4096)
            let bytes = (0..<Int(nextByte() % 64)).map { _ in nextByte() }
            do { outcomes.events += try session.receive(bytes).count } catch { outcomes.errors += 1 }
            _ = session.takeOutgoing()
        }
        XCTAssertGreaterThan(outcomes.errors, 0, "random bytes mostly break the protocol")
    }

    // MARK: opening handshake

    func testAcceptKeyIsTheRFCExample() {
        // RFC 6455 §1.3.
        XCTAssertEqual(WebSocketHandshake.accept(for: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testRequestHeadCarriesTheUpgradeAndTheCallersHeaders() throws {
        let handshake = WebSocketHandshake(protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"])
        XCTAssertEqual(Data(base64Encoded: handshake.key)?.count, 16)
        XCTAssertNotEqual(handshake.key, WebSocketHandshake(protocols: []).key)
        let head = String(decoding: handshake.requestHead(
            target: "/api/v1/namespaces/a/pods/b/exec?command=cat&stdout=true", host: "10.0.0.1:6443", userAgent: "widash/test",
            headers: [("Authorization", "Bearer x"), ("Upgrade", "h2c"), ("Sec-WebSocket-Protocol", "evil")]), as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        XCTAssertEqual(lines.first, "GET /api/v1/namespaces/a/pods/b/exec?command=cat&stdout=true HTTP/1.1")
        XCTAssertTrue(head.hasSuffix("\r\n\r\n"))
        for expected in ["Host: 10.0.0.1:6443", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                         "Sec-WebSocket-Key: \(handshake.key)", "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io",
                         "Authorization: Bearer x", "User-Agent: widash/test"] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected) in \(lines)")
        }
        XCTAssertFalse(lines.contains("Upgrade: h2c"))
        let own = String(decoding: handshake.requestHead(target: "/", host: "h", userAgent: "widash/test",
                                                         headers: [("User-Agent", "kubectl/v1.32.0")]), as: UTF8.self)
        XCTAssertTrue(own.contains("User-Agent: kubectl/v1.32.0\r\n"), "the caller's user agent wins")
        XCTAssertFalse(own.contains("widash/test"))
        XCTAssertFalse(lines.contains("Sec-WebSocket-Protocol: evil"))
    }

    func testServerAnswerIsValidatedAsRFC6455Requires() throws {
        let handshake = WebSocketHandshake(protocols: ["v5.channel.k8s.io"], key: "dGhlIHNhbXBsZSBub25jZQ==")
        let accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        func validate(_ lines: [String]) throws -> WebSocketHandshake.Validation {
            guard case .head(let head, _) = HTTPHead.parse([UInt8]((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)) else {
                throw XCTSkip("unparsable: \(lines)")
            }
            return handshake.validate(head)
        }
        XCTAssertEqual(try validate(["HTTP/1.1 101 Switching Protocols", "Upgrade: WebSocket", "Connection: keep-alive, Upgrade",
                                     accept, "Sec-WebSocket-Protocol: v5.channel.k8s.io"]),
                       .accepted(subprotocol: "v5.channel.k8s.io"))
        XCTAssertEqual(try validate(["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: upgrade", accept]),
                       .accepted(subprotocol: nil), "no subprotocol is the caller's call")
        let broken: [(String, [String])] = [
            ("no Upgrade", ["HTTP/1.1 101 OK", "Connection: Upgrade", accept]),
            ("no Connection", ["HTTP/1.1 101 OK", "Upgrade: websocket", accept]),
            ("no accept", ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade"]),
            ("wrong accept", ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: AAAA"]),
            ("unoffered subprotocol", ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Protocol: v4.channel.k8s.io"]),
            ("unoffered extension", ["HTTP/1.1 101 OK", "Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Extensions: permessage-deflate"]),
        ]
        for (name, lines) in broken {
            guard case .rejected(let why) = try validate(lines) else { XCTFail("\(name) was accepted"); continue }
            XCTAssertFalse(why.isEmpty, name)
        }
    }

    func testResponseHeadParsing() {
        let text = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nX-Folded: a\r\n b\r\n\r\n{\"kind\""
        guard case .head(let head, let consumed) = HTTPHead.parse([UInt8](text.utf8)) else { return XCTFail("not parsed") }
        XCTAssertEqual(head.status, 403)
        XCTAssertEqual(head.version, "HTTP/1.1")
        XCTAssertEqual(head.value("content-type"), "application/json")
        XCTAssertEqual(head.value("x-folded"), "a b")
        XCTAssertEqual(consumed, text.utf8.count - "{\"kind\"".utf8.count)
        XCTAssertEqual(HTTPHead.parse([UInt8]("HTTP/1.1 101 Switching".utf8)), .needMore)
        guard case .invalid = HTTPHead.parse([UInt8]("SSH-2.0-OpenSSH\r\n\r\n".utf8)) else { return XCTFail("SSH banner accepted") }
        guard case .invalid = HTTPHead.parse([UInt8](repeating: 65, count: 70_000)) else { return XCTFail("endless head accepted") }
    }

    func testRefusalBodyByLengthChunksOrEndOfStream() {
        func head(_ fields: [(String, String)]) -> HTTPHead { HTTPHead(version: "HTTP/1.1", status: 403, fields: fields) }
        let json = [UInt8]("{\"kind\":\"Status\"}".utf8)
        XCTAssertEqual(RefusalBody.read(json + [1, 2], head: head([("content-length", "\(json.count)")]), limit: 100, atEOF: false),
                       .complete(Data(json)))
        XCTAssertEqual(RefusalBody.read(Array(json.prefix(5)), head: head([("content-length", "\(json.count)")]), limit: 100, atEOF: false),
                       .needMore)
        let chunked = [UInt8]("5\r\n{\"kin\r\nC;ext=1\r\nd\":\"Status\"}\r\n0\r\n\r\n".utf8)
        XCTAssertEqual(RefusalBody.read(chunked, head: head([("transfer-encoding", "chunked")]), limit: 100, atEOF: false),
                       .complete(Data(json)))
        XCTAssertEqual(RefusalBody.read(Array(chunked.prefix(12)), head: head([("transfer-encoding", "chunked")]), limit: 100, atEOF: false),
                       .needMore)
        XCTAssertEqual(RefusalBody.read(json, head: head([]), limit: 100, atEOF: false), .needMore, "no length: until the server closes")
        XCTAssertEqual(RefusalBody.read(json, head: head([]), limit: 100, atEOF: true), .complete(Data(json)))
        XCTAssertEqual(RefusalBody.read(json, head: head([("content-length", "99999")]), limit: 4, atEOF: false),
                       .complete(Data(json.prefix(4))), "cut at the limit")
        XCTAssertEqual(RefusalBody.read([UInt8]("zz\r\nabc".utf8), head: head([("transfer-encoding", "chunked")]), limit: 100, atEOF: false),
                       .complete(Data()), "malformed chunk size: what was decoded")
    }
}
