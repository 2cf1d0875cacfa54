import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What `/echo` answers: the request as the server saw it.
struct EchoReply: Codable {
    var method: String
    var uri: String
    var headers: [String: String]
    var body: String
}

/// Observations and hand-offs between the test server and a test.
final class ServerEvents: Sendable {
    /// SNI names sent by clients (nil entries when none was sent, e.g. for IP addresses).
    let serverNames = LockedList<String?>()
    /// Fired when `/stream` has written its first line.
    let streamFirstLineSent = TestSignal()
    /// Fired by the test to let `/stream` send the rest.
    let streamGate = TestSignal()
    /// Set if `/stream` gave up waiting for the gate (the client never saw the first line).
    let streamGateTimedOut = TestSignal()
    /// Fired when a `/hang` or `/hang-after-head` request arrived.
    let hangArrived = TestSignal()
    /// Fired when the connection of a hanging request was closed by the client.
    let hangClosed = TestSignal()
}

/// A small HTTP/1.1 server (optionally TLS) on 127.0.0.1 with routes for each transport behaviour.
final class TestServer: Sendable {
    let port: Int
    let events: ServerEvents
    private let channel: Channel

    private init(port: Int, events: ServerEvents, channel: Channel) {
        self.port = port
        self.events = events
        self.channel = channel
    }

    /// Starts a server. `tls` nil = plain HTTP.
    static func start(tls: TLSConfiguration? = nil) async throws -> TestServer {
        let events = ServerEvents()
        var sslContext: NIOSSLContext?
        if var tls {
            tls.applicationProtocols = ["http/1.1"]
            tls.sslContextCallback = { values, promise in
                events.serverNames.append(values.serverHostname)
                promise.succeed(.noChanges)
            }
            sslContext = try NIOSSLContext(configuration: tls)
        }
        let context = sslContext
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TestRoutesHandler(events: events))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return TestServer(port: port, events: events, channel: channel)
    }

    /// A TLS server configuration from PEM strings; `clientCA` makes it require a client certificate.
    static func tlsConfiguration(_ identity: TestIdentity, clientCA: TestCA? = nil) throws -> TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(identity.keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        if let clientCA {
            let root = try NIOSSLCertificate(bytes: Array(clientCA.certificatePEM.utf8), format: .pem)
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates([root])
        }
        return configuration
    }

    func shutdown() async {
        try? await channel.close()
    }
}

/// A port nobody listens on: bound once, then closed.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
    try await channel.close()
    return port
}

/// Routes:
/// - `/echo`: 200 with an `EchoReply` JSON body.
/// - `/status/NNN`: that status with a short body.
/// - `/redirect-loop`: 302 to itself; `/redirect-to-echo`: 302 to `/echo`.
/// - `/stream`: three lines; after the first it waits for `streamGate` (or 10 s, then flags a time-out).
/// - `/hang`: never answers; `/hang-after-head`: sends a head and one chunk, then nothing.
/// - `/trickle`: promises 10000 bytes and sends one every 100 ms.
/// - `/endless`: an endless chunked body.
final class TestRoutesHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let events: ServerEvents
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var hanging = false
    private var active = true

    init(events: ServerEvents) { self.events = events }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            if let head { route(head, context: context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        if hanging { events.hangClosed.fire() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        // Origin form ("/echo?x=1") or, through a proxy, absolute form ("http://host/echo").
        let uri = head.uri.hasPrefix("/") ? "http://origin" + head.uri : head.uri
        let path = URLComponents(string: uri)?.path ?? head.uri
        switch path {
        case "/echo": echo(head, context: context)
        case "/redirect-loop": respond(context, status: .found, headers: [("location", "/redirect-loop")], body: "again")
        case "/redirect-to-echo": respond(context, status: .found, headers: [("location", "/echo")], body: "moved")
        case "/stream": stream(context)
        case "/hang":
            hanging = true
            events.hangArrived.fire()
        case "/hang-after-head":
            hanging = true
            writeHead(context, status: .ok, headers: [("transfer-encoding", "chunked")])
            writeChunk(context, "first\n")
            events.hangArrived.fire()
        case "/trickle": trickle(context)
        case "/endless":
            writeHead(context, status: .ok, headers: [("transfer-encoding", "chunked")])
            writeEndlessly(context, buffer: context.channel.allocator.buffer(repeating: UInt8(ascii: "a"), count: 65536))
        default:
            if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
                respond(context, status: HTTPResponseStatus(statusCode: code), headers: [("content-type", "text/plain")],
                        body: "status \(code)")
            } else {
                respond(context, status: .notFound, headers: [], body: "no route \(path)")
            }
        }
    }

    private func echo(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let reply = EchoReply(method: head.method.rawValue, uri: head.uri, headers: headers,
                              body: String(buffer: body))
        let json = (try? JSONEncoder().encode(reply)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        respond(context, status: .ok, headers: [("content-type", "application/json"), ("X-Served-By", "Test")], body: json)
    }

    private func stream(_ context: ChannelHandlerContext) {
        writeHead(context, status: .ok, headers: [("transfer-encoding", "chunked"), ("content-type", "text/plain")])
        writeChunk(context, "line 1\n")
        events.streamFirstLineSent.fire()
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let finished = NIOLoopBound(Box(false), eventLoop: loop)
        let finish: @Sendable (Bool) -> Void = { timedOut in
            loop.execute {
                guard !finished.value.value else { return }
                finished.value.value = true
                if timedOut { bound.value.0.events.streamGateTimedOut.fire() }
                let (handler, context) = bound.value
                handler.writeChunk(context, "line 2\n")
                handler.writeChunk(context, "line 3\n")
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
        events.streamGate.onFire { finish(false) }
        loop.scheduleTask(in: .seconds(10)) { finish(true) }
    }

    private func trickle(_ context: ChannelHandlerContext) {
        writeHead(context, status: .ok, headers: [("content-length", "10000")])
        trickleByte(context, remaining: 10000)
    }

    private func trickleByte(_ context: ChannelHandlerContext, remaining: Int) {
        guard active, remaining > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "x")))), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) {
            self.trickleByte(context, remaining: remaining - 1)
        }
    }

    private func writeEndlessly(_ context: ChannelHandlerContext, buffer: ByteBuffer) {
        guard active else { return }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
            .assumeIsolated()
            .whenSuccess { self.writeEndlessly(context, buffer: buffer) }
    }

    // MARK: writing

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus,
                         headers: [(String, String)], body: String) {
        writeHead(context, status: status, headers: headers + [("content-length", "\(body.utf8.count)")])
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func writeHead(_ context: ChannelHandlerContext, status: HTTPResponseStatus, headers: [(String, String)]) {
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers))
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
    }

    fileprivate func writeChunk(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
    }
}

/// A mutable box for loop-bound state shared by closures.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}
