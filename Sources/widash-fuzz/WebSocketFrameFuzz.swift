import Foundation
import WidashHTTP

/// Bytes from a WebSocket server (RFC 6455): WidashHTTP's `WebSocketFrameReader` and the client
/// `WebSocketSession` above it (fragments, control frames, ping → pong, Close, limits).
/// Invariants: the outcome does not depend on how the bytes are split across reads (a TLS read may
/// end anywhere); everything the session writes back is a valid masked client frame a server reads;
/// a protocol error writes a Close carrying its code; the limits hold.
enum WebSocketFrameFuzz {
    /// Small limits, so the fuzzer reaches them with short inputs.
    static let maxFrame = 1024
    static let maxMessage = 4096

    static func run(_ data: Data) {
        let bytes = [UInt8](data)
        let whole = feed(bytes, pieceSize: bytes.count)
        let split = feed(bytes, pieceSize: 1 + Int(bytes.first ?? 0) % 7)
        fuzzExpect(whole.events == split.events && whole.error == split.error,
                   "the outcome depends on how the bytes were split: \(whole.events) / \(String(describing: whole.error)) vs \(split.events) / \(String(describing: split.error))")

        var server = WebSocketFrameReader(role: .server)
        server.append(whole.written)
        var replies: [WebSocketFrame] = []
        do {
            while let frame = try server.next() { replies.append(frame) }
        } catch {
            fuzzExpect(false, "the session wrote a frame a server cannot read: \(error)")
        }
        fuzzExpect(server.bufferedByteCount == 0, "the session wrote a partial frame")
        for reply in replies {
            fuzzExpect(reply.opcode == .pong || reply.opcode == .close, "the session wrote a \(reply.opcode) frame unasked")
        }
        fuzzExpect(replies.filter { $0.opcode == .close }.count <= 1, "more than one Close written")
        if case .protocolViolation(let code, _)? = whole.error {
            let close = replies.last { $0.opcode == .close }
            fuzzExpect(close?.payload == Data([UInt8(code >> 8), UInt8(code & 0xFF)]),
                       "a protocol error (\(code)) did not write a Close with its code")
        }
        for event in whole.events {
            if case .message(.binary(let payload)) = event { fuzzExpect(payload.count <= maxMessage, "a message beyond the limit") }
            if case .message(.text(let text)) = event { fuzzExpect(text.utf8.count <= maxMessage, "a text beyond the limit") }
        }
        if whole.events.contains(where: { if case .closed = $0 { true } else { false } }) {
            fuzzExpect(whole.events.last.map { if case .closed = $0 { true } else { false } } ?? false, "an event after the Close")
        }
    }

    private struct Outcome {
        var events: [WebSocketSession.Event] = []
        var error: WebSocketError?
        var written = Data()
    }

    private static func feed(_ bytes: [UInt8], pieceSize: Int) -> Outcome {
        var session = WebSocketSession(role: .client, maxFrameSize: maxFrame, maxMessageSize: maxMessage)
        var outcome = Outcome()
        var index = 0
        while index < bytes.count || (index == 0 && bytes.isEmpty) {
            let end = min(bytes.count, index + max(1, pieceSize))
            do {
                outcome.events += try session.receive(bytes[index..<end])
            } catch {
                outcome.error = error
                break
            }
            index = end
            if bytes.isEmpty { break }
        }
        if outcome.error == nil { outcome.error = session.failure }  // a violation after returned messages
        outcome.written = session.takeOutgoing()
        return outcome
    }
}
