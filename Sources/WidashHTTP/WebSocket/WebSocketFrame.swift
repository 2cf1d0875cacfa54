import Foundation

/// Which end of a WebSocket this code plays; it decides the masking direction (RFC 6455 §5.1: "a
/// client MUST mask all frames that it sends to the server", "a server MUST NOT mask any frames").
public enum WebSocketRole: Sendable, Equatable {
    case client
    case server
}

/// Frame opcodes (RFC 6455 §5.2). 0x3–0x7 and 0xB–0xF are reserved and refused.
public enum WebSocketOpcode: UInt8, Sendable, Equatable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    /// Control frames (close, ping, pong) have the high opcode bit set (§5.5).
    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One frame, payload unmasked. Reserved bits are always 0: widash negotiates no extension (§5.2).
public struct WebSocketFrame: Sendable, Equatable {
    public var fin: Bool
    public var opcode: WebSocketOpcode
    public var payload: Data

    public init(fin: Bool = true, opcode: WebSocketOpcode, payload: Data = Data()) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The largest payload a control frame may carry (§5.5).
    public static let maxControlPayload = 125

    /// The frame on the wire. With a `maskingKey` (a client's frame) the payload is XORed with it
    /// (§5.3) and the key follows the length; `nil` sends it unmasked (a server's frame). The length
    /// uses the minimal of the 7-, 16- or 64-bit forms, as §5.2 requires.
    public func encoded(maskingKey: UInt32?) -> Data {
        var out = Data(capacity: payload.count + 14)
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        let count = payload.count
        if count <= 125 {
            out.append(maskBit | UInt8(count))
        } else if count <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(count >> 8))
            out.append(UInt8(count & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        guard let maskingKey else {
            out.append(payload)
            return out
        }
        let key = Self.keyBytes(maskingKey)
        out.append(contentsOf: key)
        var masked = [UInt8](payload)
        WebSocketMasking.apply(key, to: &masked)
        out.append(contentsOf: masked)
        return out
    }

    /// The frame as `role` sends it: a client masks with a fresh random key per frame (§5.3: "the
    /// masking key MUST be ... unpredictable"; SystemRandomNumberGenerator reads the kernel's CSPRNG).
    public func encoded(by role: WebSocketRole) -> Data {
        switch role {
        case .client:
            var generator = SystemRandomNumberGenerator()
            return encoded(maskingKey: generator.next())
        case .server:
            return encoded(maskingKey: nil)
        }
    }

    static func keyBytes(_ key: UInt32) -> [UInt8] {
        [UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF), UInt8(key & 0xFF)]
    }
}

/// §5.3: `transformed[i] = original[i] XOR key[i mod 4]`; the same operation masks and unmasks.
enum WebSocketMasking {
    static func apply(_ key: [UInt8], to bytes: inout [UInt8], startingAt phase: Int = 0) {
        guard key.count == 4 else { return }
        bytes.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] ^= key[(index + phase) & 3] }
        }
    }
}

/// Reads frames from a byte stream fed in arbitrary pieces (a TLS read may end anywhere in a frame).
///
/// Every check happens on the header, before any payload is buffered, so hostile input costs at most
/// `maxFrameSize` bytes of memory; any byte sequence ends in a frame or a `WebSocketError`, never a
/// crash. After an error the reader stays failed: the connection must be closed (§7.1.7).
public struct WebSocketFrameReader: Sendable {
    /// 16 MiB: far above what Kubernetes exec sends (client-go writes 32 KiB chunks), small enough
    /// that a hostile length cannot exhaust memory.
    public static let defaultMaxFrameSize = 16 * 1024 * 1024

    /// The end that reads: a client expects unmasked frames, a server masked ones (§5.1).
    public let role: WebSocketRole
    public let maxFrameSize: Int

    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: WebSocketError?

    public init(role: WebSocketRole = .client, maxFrameSize: Int = WebSocketFrameReader.defaultMaxFrameSize) {
        self.role = role
        self.maxFrameSize = max(WebSocketFrame.maxControlPayload, maxFrameSize)
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil when more bytes are needed.
    public mutating func next() throws(WebSocketError) -> WebSocketFrame? {
        if let failure { throw failure }
        do {
            return try parse()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func parse() throws(WebSocketError) -> WebSocketFrame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let first = buffer[start], second = buffer[start + 1]
        // §5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values".
        guard first & 0x70 == 0 else {
            throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a frame has reserved bits set (RSV1-3) but no extension was negotiated")
        }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a frame has the reserved opcode 0x\(String(first & 0x0F, radix: 16))")
        }
        let fin = first & 0x80 != 0
        let masked = second & 0x80 != 0
        // §5.1: a client MUST close on a masked frame; a server on an unmasked one.
        if masked != (role == .server) {
            throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError,
                                     detail: role == .client ? "the server sent a masked frame" : "the client sent an unmasked frame")
        }
        var headerLength = 2
        var length = UInt64(second & 0x7F)
        if length == 126 {
            guard available >= 4 else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for offset in 2..<10 { length = length << 8 | UInt64(buffer[start + offset]) }
            // §5.2: "the most significant bit MUST be 0".
            guard length >> 63 == 0 else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a frame length has its most significant bit set")
            }
            headerLength = 10
        }
        if opcode.isControl {
            // §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            guard length <= UInt64(WebSocketFrame.maxControlPayload) else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a control frame carries \(length) bytes (at most 125 allowed)")
            }
            guard fin else {
                throw .protocolViolation(closeCode: WebSocketCloseCode.protocolError, detail: "a control frame is fragmented")
            }
        }
        guard length <= UInt64(maxFrameSize) else {
            throw .protocolViolation(closeCode: WebSocketCloseCode.messageTooBig, detail: "a frame of \(length) bytes exceeds the limit of \(maxFrameSize) bytes")
        }
        if masked { headerLength += 4 }
        let payloadLength = Int(length)
        guard available >= headerLength + payloadLength else { return nil }
        let payloadStart = start + headerLength
        var payload = Array(buffer[payloadStart..<(payloadStart + payloadLength)])
        if masked {
            let key = Array(buffer[(payloadStart - 4)..<payloadStart])
            WebSocketMasking.apply(key, to: &payload)
        }
        start = payloadStart + payloadLength
        return WebSocketFrame(fin: fin, opcode: opcode, payload: Data(payload))
    }

    /// Drops consumed bytes once they are most of the buffer, so appends stay amortised O(n).
    private mutating func compact() {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
