import Foundation
import NIOCore
import NIOWebSocket
import Synchronization

/// What a router decides about a WebSocket upgrade request (`Upgrade: websocket` on HTTP/1.1).
enum WebSocketUpgradeDecision: Sendable {
    /// Upgrade (101) answering with `subprotocol`, then run the session on the connection.
    case accept(WebSocketAcceptance)
    /// No upgrade: answer the request with this response instead (a 4xx `Status`, as the API server
    /// answers an exec it refuses before upgrading).
    case refuse(RouteResponse)
    /// Not a WebSocket endpoint of this router: the request is routed as any other.
    case notHandled
}

/// An accepted upgrade: the subprotocol the server selects (`Sec-WebSocket-Protocol`, RFC 6455
/// §4.2.2: exactly one of those the client offered) and the session that runs once upgraded.
struct WebSocketAcceptance: Sendable {
    var subprotocol: String?
    var run: @Sendable (ServedWebSocket) async -> Void
}

/// The server side of one upgraded WebSocket connection (RFC 6455), for sessions that exchange
/// binary messages: data messages arrive reassembled in `messages`; pings are answered with pongs
/// carrying the same data (§5.5.2, and kubectl's client pings every 5 s and times out without
/// pongs: client-go tools/remotecommand/websocket.go `pingPeriod`); frames the server sends are
/// unmasked (§5.1) and unfragmented; a client frame without a mask is a protocol error, answered
/// with close code 1002 (§5.1, §7.4.1); a close from the client is echoed (§5.5.1).
final class ServedWebSocket: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    /// Data messages from the client (binary or text), reassembled from fragments (§5.4).
    let messages: AsyncStream<Data>
    private let closeSent = Mutex(false)

    init(outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, messages: AsyncStream<Data>) {
        self.outbound = outbound
        self.messages = messages
    }

    /// Sends one binary message as a single unmasked frame; does nothing once a close was sent
    /// (§5.5.1: no data after Close).
    func send(_ data: Data) async throws {
        guard !closeSent.withLock({ $0 }) else { return }
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: data)))
    }

    /// Sends the Close frame once, with its 2-byte status code (1000 normal, 1002 protocol error…).
    func close(code: UInt16) async {
        let first = closeSent.withLock { sent in
            defer { sent = true }
            return !sent
        }
        guard first else { return }
        var payload = ByteBuffer()
        payload.writeInteger(code)
        try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
    }

    var hasSentClose: Bool { closeSent.withLock { $0 } }

    private enum Role: Sendable { case reader, session, grace }

    /// Runs `acceptance`'s session on an upgraded channel: a reader task handles control frames and
    /// queues data messages while the session runs; after the session the server closes with 1000
    /// (if the session did not close already) and waits briefly for the client's Close before
    /// closing TCP (§7.1.1: the server closes the TCP connection first, after the closing handshake).
    static func serve(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, acceptance: WebSocketAcceptance) async {
        try? await channel.executeThenClose { inbound, outbound in
            let (messages, sink) = AsyncStream<Data>.makeStream()
            let connection = ServedWebSocket(outbound: outbound, messages: messages)
            await withTaskGroup(of: Role.self) { group in
                group.addTask {
                    defer { sink.finish() }
                    var partial: Data?
                    do {
                        for try await frame in inbound {
                            guard frame.maskKey != nil else {
                                await connection.close(code: 1002)
                                return .reader
                            }
                            var data = frame.unmaskedData
                            let bytes = Data(data.readBytes(length: data.readableBytes) ?? [])
                            switch frame.opcode {
                            case .ping:
                                guard !connection.hasSentClose else { continue }
                                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: ByteBuffer(bytes: bytes)))
                            case .pong:
                                continue
                            case .connectionClose:
                                // Echo the peer's status code (or 1000 when it sent none).
                                let code = bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : 1000
                                await connection.close(code: code == 1005 ? 1000 : code)
                                return .reader
                            case .binary, .text:
                                guard partial == nil else {
                                    await connection.close(code: 1002)  // a new message inside a fragmented one (§5.4)
                                    return .reader
                                }
                                if frame.fin { sink.yield(bytes) } else { partial = bytes }
                            case .continuation:
                                guard var message = partial else {
                                    await connection.close(code: 1002)
                                    return .reader
                                }
                                message.append(bytes)
                                if frame.fin {
                                    sink.yield(message)
                                    partial = nil
                                } else {
                                    partial = message
                                }
                            default:
                                await connection.close(code: 1002)  // reserved opcode (§5.2)
                                return .reader
                            }
                        }
                    } catch {
                        // The connection ended under the reader (reset, TLS error): nothing to answer.
                    }
                    return .reader
                }
                group.addTask {
                    await acceptance.run(connection)
                    await connection.close(code: 1000)
                    return .session
                }
                var sessionDone = false
                var readerDone = false
                while let role = await group.next() {
                    switch role {
                    case .reader:
                        readerDone = true
                    case .session:
                        sessionDone = true
                        if !readerDone {
                            group.addTask {
                                try? await Task.sleep(for: .seconds(2))
                                return .grace
                            }
                        }
                    case .grace:
                        break
                    }
                    if sessionDone && (readerDone || role == .grace) { break }
                }
                group.cancelAll()
            }
        }
    }
}
