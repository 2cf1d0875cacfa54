import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// What the WebSocket test server saw.
final class WebSocketServerEvents: Sendable {
    /// Request heads of accepted upgrades: header name (lower-cased) → value.
    let upgradeHeaders = LockedList<[String: String]>()
    /// For every frame received from the client: whether it was masked.
    let frameMasked = LockedList<Bool>()
    /// Close frames received from the client: code (nil for an empty body) and reason.
    let closesReceived = LockedList<CloseRecord>()
    /// Fired when a connection of an upgraded WebSocket closed.
    let webSocketClosed = TestSignal()
    /// Fired when a `/hang` request arrived.
    let hangArrived = TestSignal()
    /// The protocol each TLS handshake negotiated over ALPN (the server offers h2 first).
    let alpn = LockedList<String?>()
}

struct CloseRecord: Equatable, Sendable {
    var code: UInt16?
    var reason: String
}

/// A TLS WebSocket server on 127.0.0.1 built on SwiftNIO's own RFC 6455 implementation, so widash's
/// client is checked against an independent one.
///
/// Upgrade routes: `/ws` (chooses `v5.channel.k8s.io` when offered), `/ws-no-protocol` (chooses none),
/// `/ws-greeting` (as `/ws`, and sends the binary message `01` right after the 101, as the Kubernetes
/// API server sends its empty stdout message).
/// HTTP routes (no upgrade): `/forbidden` (403, a Kubernetes Status, Content-Length),
/// `/forbidden-chunked` (the same, chunked), `/hang` (never answers).
/// Frames: binary and text are echoed, except these text commands: `fragment-please` (a binary
/// message in two fragments with a ping between them), `ping-please` (a ping; its pong is reported
/// back as the text `pong:<data>`), `close-please` (Close 1000 "bye"), `close-4001` (Close 4001
/// "custom"), `drop-please` (TCP close without a Close frame), `masked-please` (a masked frame, which
/// a server must never send). A client's Close is echoed with its code, then the connection closes.
final class WebSocketTestServer: Sendable {
    static let statusJSON = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" is forbidden: User \"alice\" cannot create resource \"pods/exec\"","reason":"Forbidden","code":403}"#

    let port: Int
    let events: WebSocketServerEvents
    private let channel: Channel

    private init(port: Int, events: WebSocketServerEvents, channel: Channel) {
        self.port = port
        self.events = events
        self.channel = channel
    }

    static func start(tls: TLSConfiguration) async throws -> WebSocketTestServer {
        let events = WebSocketServerEvents()
        var tls = tls
        tls.applicationProtocols = ["h2", "http/1.1"]  // a client offering h2 would get it
        let context = try NIOSSLContext(configuration: tls)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, head in
                let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
                guard ["/ws", "/ws-no-protocol", "/ws-greeting"].contains(path) else { return channel.eventLoop.makeSucceededFuture(nil) }
                var seen: [String: String] = [:]
                for (name, value) in head.headers { seen[name.lowercased()] = value }
                events.upgradeHeaders.append(seen)
                var headers = HTTPHeaders()
                let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if path != "/ws-no-protocol", offered.contains("v5.channel.k8s.io") { headers.add(name: "Sec-WebSocket-Protocol", value: "v5.channel.k8s.io") }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, head in
                // The HTTP handler for refusals would otherwise sit in front of the frames.
                channel.pipeline.removeHandler(name: "refusals").flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(WebSocketEchoHandler(events: events))
                    if head.uri.hasPrefix("/ws-greeting") {
                        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1])), promise: nil)
                    }
                }
            })
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(ALPNRecorder(events: events))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(WebSocketRefusalHandler(events: events), name: "refusals")
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return WebSocketTestServer(port: port, events: events, channel: channel)
    }

    func shutdown() async {
        try? await channel.close()
    }
}

/// Records what each TLS handshake negotiated over ALPN.
final class ALPNRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let events: WebSocketServerEvents

    init(events: WebSocketServerEvents) { self.events = events }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // NIOTLS's `TLSUserEvent.handshakeCompleted(negotiatedProtocol:)`, read from its description (the
        // test target does not link NIOTLS for this one line).
        let text = String(describing: event)
        if text.contains("handshakeCompleted") {
            events.alpn.append(["h2", "http/1.1"].first { text.contains("\"\($0)\"") })
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Requests that were not upgraded.
final class WebSocketRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let events: WebSocketServerEvents
    private var path = ""

    init(events: WebSocketServerEvents) { self.events = events }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.uri
        case .body: break
        case .end:
            let body = ByteBuffer(string: WebSocketTestServer.statusJSON)
            switch path {
            case "/forbidden":
                let head = HTTPResponseHead(version: .http1_1, status: .forbidden, headers: [
                    "content-type": "application/json", "content-length": "\(body.readableBytes)"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case "/forbidden-chunked":
                let head = HTTPResponseHead(version: .http1_1, status: .forbidden, headers: [
                    "content-type": "application/json", "transfer-encoding": "chunked"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(body.getSlice(at: 0, length: 20) ?? body))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body.getSlice(at: 20, length: body.readableBytes - 20) ?? body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case "/hang":
                events.hangArrived.fire()
            default:
                let head = HTTPResponseHead(version: .http1_1, status: .notFound, headers: ["content-length": "0"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// The upgraded side: echoes, and runs the text commands listed on `WebSocketTestServer`.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let events: WebSocketServerEvents
    private var sentClose = false

    init(events: WebSocketServerEvents) { self.events = events }

    func channelInactive(context: ChannelHandlerContext) {
        events.webSocketClosed.fire()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        events.frameMasked.append(frame.maskKey != nil)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .text:
            let text = payload.readString(length: payload.readableBytes) ?? ""
            command(text, context: context)
        case .binary:
            send(context, .binary, payload)
        case .pong:
            let text = payload.readString(length: payload.readableBytes) ?? ""
            send(context, .text, ByteBuffer(string: "pong:" + text))
        case .connectionClose:
            let code = payload.readInteger(as: UInt16.self)
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            events.closesReceived.append(CloseRecord(code: code, reason: reason))
            if !sentClose {
                var echo = ByteBuffer()
                if let code { echo.writeInteger(code) }
                send(context, .connectionClose, echo)
            }
            context.close(promise: nil)
        default:
            break
        }
    }

    private func command(_ text: String, context: ChannelHandlerContext) {
        switch text {
        case "fragment-please":
            send(context, .binary, ByteBuffer(bytes: [1, 2]), fin: false)
            send(context, .ping, ByteBuffer(string: "mid"))
            send(context, .continuation, ByteBuffer(bytes: [3]), fin: true)
        case "ping-please":
            send(context, .ping, ByteBuffer(string: "are you there"))
        case "close-please":
            sendClose(context, code: 1000, reason: "bye")
        case "close-4001":
            sendClose(context, code: 4001, reason: "custom")
        case "drop-please":
            context.close(promise: nil)
        case "masked-please":
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: [1, 2, 3, 4],
                                                                 data: ByteBuffer(string: "masked"))), promise: nil)
        default:
            send(context, .text, ByteBuffer(string: text))
        }
    }

    private func sendClose(_ context: ChannelHandlerContext, code: UInt16, reason: String) {
        sentClose = true
        var body = ByteBuffer()
        body.writeInteger(code)
        body.writeString(reason)
        send(context, .connectionClose, body)
    }

    private func send(_ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ data: ByteBuffer, fin: Bool = true) {
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: fin, opcode: opcode, data: data)), promise: nil)
    }
}
