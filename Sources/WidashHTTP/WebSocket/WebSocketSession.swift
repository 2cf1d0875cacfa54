import Foundation

/// The RFC 6455 protocol state of one endpoint, without any I/O: bytes in, messages out, and the
/// bytes the protocol itself must send (pongs, Close replies) collected for the caller to write.
///
/// - Messages: fragments are joined (§5.4), control frames may arrive between them; a text
///   message must be UTF-8 (§5.6, §8.1: else 1007); a message above `maxMessageSize` ends with 1009.
/// - Ping: answered with a pong carrying the same data (§5.5.2); pongs are ignored (§5.5.3).
/// - Close (§5.5.1, §7.1): a Close from the peer is answered with a Close echoing its code, unless one
///   was already sent; after a Close nothing more is read, and no data is sent after our own.
/// - Errors: a protocol violation queues a Close with the matching code (§7.1.7) and is thrown; the
///   session then stays failed. Messages completed before the violation in the same bytes are still
///   returned (then `failure` is set and the next call throws), so the outcome never depends on how
///   the bytes were split into reads.
public struct WebSocketSession: Sendable {
    public enum Event: Sendable, Equatable {
        case message(WebSocketMessage)
        /// The peer's Close frame: its code (nil when the frame had none, reported as 1005) and reason.
        case closed(code: UInt16?, reason: String)
    }

    public let role: WebSocketRole
    public let maxMessageSize: Int
    private var reader: WebSocketFrameReader
    private var outgoing = Data()
    /// The message being assembled from fragments: its opcode and bytes so far.
    private var fragmented: (opcode: WebSocketOpcode, bytes: [UInt8])?
    /// The protocol violation that ended the session, if any (receive throws it, or returns the
    /// messages that came before it and throws it on the next call).
    public private(set) var failure: WebSocketError?

    /// Whether we sent a Close frame (no data may follow it, §5.5.1).
    public private(set) var sentClose = false
    /// Whether the peer's Close frame arrived (nothing after it is read).
    public private(set) var receivedClose = false

    public init(role: WebSocketRole, maxFrameSize: Int = WebSocketFrameReader.defaultMaxFrameSize,
                maxMessageSize: Int = WebSocketFrameReader.defaultMaxFrameSize) {
        self.role = role
        self.maxMessageSize = maxMessageSize
        self.reader = WebSocketFrameReader(role: role, maxFrameSize: min(maxFrameSize, maxMessageSize))
    }

    /// Whether the connection is over for the protocol: both Closes exchanged, or failed.
    public var isFinished: Bool { failure != nil || (sentClose && receivedClose) }

    /// Takes the bytes waiting to be written (pongs, Close frames and encoded messages).
    public mutating func takeOutgoing() -> Data {
        defer { outgoing = Data() }
        return outgoing
    }

    public var hasOutgoing: Bool { !outgoing.isEmpty }

    /// Feeds received bytes; returns the messages (and the peer's Close) they completed. Check
    /// `failure` afterwards: a violation after some messages is reported there, not thrown.
    public mutating func receive(_ bytes: some Sequence<UInt8>) throws(WebSocketError) -> [Event] {
        if let failure { throw failure }
        guard !receivedClose else { return [] }
        reader.append(bytes)
        return try drain()
    }

    public mutating func receive(_ bytes: UnsafeRawBufferPointer) throws(WebSocketError) -> [Event] {
        if let failure { throw failure }
        guard !receivedClose else { return [] }
        reader.append(bytes)
        return try drain()
    }

    /// Queues a message as one frame. Throws `.notOpen` after a Close was sent or received.
    public mutating func send(_ message: WebSocketMessage) throws(WebSocketError) {
        if let failure { throw failure }
        guard !sentClose, !receivedClose else { throw .notOpen }
        switch message {
        case .binary(let data): write(WebSocketFrame(opcode: .binary, payload: data))
        case .text(let text): write(WebSocketFrame(opcode: .text, payload: Data(text.utf8)))
        }
    }

    /// Queues a ping (e.g. a keep-alive); the peer's pong is ignored.
    public mutating func ping(_ data: Data = Data()) throws(WebSocketError) {
        if let failure { throw failure }
        guard !sentClose, !receivedClose else { throw .notOpen }
        write(WebSocketFrame(opcode: .ping, payload: Data(data.prefix(WebSocketFrame.maxControlPayload))))
    }

    /// Queues our Close (§5.5.1). The reason is cut to fit a control frame (125 bytes with the code)
    /// at a character boundary. A code not allowed on the wire is sent as 1000. Once only.
    public mutating func close(code: UInt16, reason: String) {
        guard !sentClose, failure == nil else { return }
        sentClose = true
        write(Self.closeFrame(code: WebSocketCloseCode.isValidOnWire(code) ? code : WebSocketCloseCode.normal, reason: reason))
    }

    static func closeFrame(code: UInt16?, reason: String) -> WebSocketFrame {
        guard let code else { return WebSocketFrame(opcode: .close) }
        var payload = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var reasonBytes = 0
        var cut = reason.startIndex
        for character in reason {
            let size = character.utf8.count
            guard reasonBytes + size <= WebSocketFrame.maxControlPayload - 2 else { break }
            reasonBytes += size
            cut = reason.index(after: cut)
        }
        payload.append(contentsOf: reason[..<cut].utf8)
        return WebSocketFrame(opcode: .close, payload: Data(payload))
    }

    // MARK: receiving

    private mutating func drain() throws(WebSocketError) -> [Event] {
        var events: [Event] = []
        do {
            while !receivedClose, let frame = try reader.next() {
                if let event = try handle(frame) { events.append(event) }
            }
        } catch {
            fail(error)
            if events.isEmpty { throw error }
        }
        return events
    }

    private mutating func handle(_ frame: WebSocketFrame) throws(WebSocketError) -> Event? {
        switch frame.opcode {
        case .ping:
            if !sentClose { write(WebSocketFrame(opcode: .pong, payload: frame.payload)) }
            return nil
        case .pong:
            return nil
        case .close:
            return try handleClose(frame.payload)
        case .text, .binary:
            guard fragmented == nil else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a new message started before the fragmented one ended")
            }
            if frame.fin { return .message(try message(frame.opcode, [UInt8](frame.payload))) }
            try checkSize(frame.payload.count)
            fragmented = (frame.opcode, [UInt8](frame.payload))
            return nil
        case .continuation:
            guard var pending = fragmented else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a continuation frame arrived with no message to continue")
            }
            try checkSize(pending.bytes.count + frame.payload.count)
            fragmented = nil  // no copy-on-write of the bytes while appending
            pending.bytes.append(contentsOf: frame.payload)
            if frame.fin { return .message(try message(pending.opcode, pending.bytes)) }
            fragmented = pending
            return nil
        }
    }

    private func checkSize(_ size: Int) throws(WebSocketError) {
        guard size <= maxMessageSize else {
            throw .protocolViolation(closeCode: WebSocketCloseCode.messageTooBig, detail: "a message exceeds the limit of \(maxMessageSize) bytes")
        }
    }

    private func message(_ opcode: WebSocketOpcode, _ bytes: [UInt8]) throws(WebSocketError) -> WebSocketMessage {
        guard opcode == .text else { return .binary(Data(bytes)) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .protocolViolation(closeCode: WebSocketCloseCode.invalidPayload, detail: "a text message is not valid UTF-8")
        }
        return .text(text)
    }

    /// §5.5.1: the body is empty, or a 2-byte code then a UTF-8 reason.
    private mutating func handleClose(_ payload: Data) throws(WebSocketError) -> Event {
        let bytes = [UInt8](payload)
        var code: UInt16?
        var reason = ""
        if !bytes.isEmpty {
            guard bytes.count >= 2 else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a Close frame has a 1-byte body")
            }
            let value = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            guard WebSocketCloseCode.isValidOnWire(value) else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a Close frame has the invalid code \(value)")
            }
            guard let text = String(validating: bytes[2...], as: UTF8.self) else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.invalidPayload, detail: "a Close reason is not valid UTF-8")
            }
            code = value
            reason = text
        }
        receivedClose = true
        fragmented = nil
        if !sentClose {
            // §5.5.1: "the endpoint typically echos the status code it received".
            sentClose = true
            write(Self.closeFrame(code: code, reason: ""))
        }
        return .closed(code: code, reason: reason)
    }

    private mutating func fail(_ error: WebSocketError) {
        failure = error
        if case .protocolViolation(let code, _) = error, !sentClose {
            sentClose = true
            write(Self.closeFrame(code: code, reason: ""))
        }
    }

    private mutating func write(_ frame: WebSocketFrame) {
        outgoing.append(frame.encoded(by: role))
    }
}
