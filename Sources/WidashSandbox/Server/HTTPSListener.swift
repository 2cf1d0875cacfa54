import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization
import WidashSandboxKit

/// A response the router produces: complete, or streamed in chunks (watch).
enum RouteResponse: Sendable {
    case complete(SandboxResponse)
    case stream(status: Int, headers: [(name: String, value: String)], body: AsyncStream<StreamChunk>)
}

/// Turns one request into a response; set once the listener knows its port.
protocol RequestRouter: Sendable {
    func route(_ request: SandboxRequest) async -> RouteResponse
    /// Decides a WebSocket upgrade request (its head only: upgrade requests carry no body).
    func webSocketUpgrade(_ request: SandboxRequest) async -> WebSocketUpgradeDecision
}

extension RequestRouter {
    func webSocketUpgrade(_ request: SandboxRequest) async -> WebSocketUpgradeDecision { .notHandled }
}

/// What the upgrade decision on a connection's first request leaves for the code that serves the
/// connection: the accepted session; or, when the request was not upgraded, the request itself and
/// the response that replaces the refused upgrade. NIO's typed upgrade handler does not pass on a
/// request that asked to upgrade and was not upgraded (its state machine keeps neither the head nor
/// the end), so the first request's head is recorded before it (`FirstRequestRecorder`) and served
/// from here.
final class UpgradeDecisions: Sendable {
    private struct State {
        var accepted: WebSocketAcceptance?
        var firstHead: HTTPRequestHead?
        var refusal: RouteResponse?
    }
    private let state = Mutex(State())

    func accept(_ acceptance: WebSocketAcceptance) { state.withLock { $0.accepted = acceptance } }
    func refuse(with response: RouteResponse) { state.withLock { $0.refusal = response } }
    func recordFirst(_ head: HTTPRequestHead) { state.withLock { $0.firstHead = head } }
    func takeAccepted() -> WebSocketAcceptance? {
        state.withLock { state in
            defer { state.accepted = nil }
            return state.accepted
        }
    }
    /// The first request, when it asked to upgrade and was not upgraded (the upgrade handler kept
    /// it), with the refusal to answer it with, if the router refused it.
    func takeUnupgraded() -> (head: HTTPRequestHead, refusal: RouteResponse?)? {
        state.withLock { state in
            defer { state.firstHead = nil; state.refusal = nil }
            guard let head = state.firstHead, head.headers.contains(name: "upgrade") else { return nil }
            return (head, state.refusal)
        }
    }
}

/// Records the head of a connection's first request for `UpgradeDecisions`, then leaves the pipeline
/// (after an upgrade, HTTP handlers must be gone).
final class FirstRequestRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    private let decisions: UpgradeDecisions

    init(decisions: UpgradeDecisions) { self.decisions = decisions }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            decisions.recordFirst(head)
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } else {
            context.fireChannelRead(data)
        }
    }
}

/// Holds the router, which can only be built after the listener is bound (it needs the port).
final class RouterSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var router: (any RequestRouter)?

    func set(_ router: any RequestRouter) { lock.withLock { self.router = router } }
    var current: (any RequestRouter)? { lock.withLock { router } }
}

/// Raised inside a connection to close it without finishing the response (the cut-watch fault).
struct ConnectionCut: Error {}

/// HTTPS/1.1 on SwiftNIO: TLS with the sandbox leaf certificate, keep-alive, chunked streaming, and
/// WebSocket upgrades (RFC 6455 over HTTP/1.1 only: ALPN offers `http/1.1` alone, so no client
/// negotiates HTTP/2, where an upgrade would need RFC 8441). As with NIO's upgrade handler, only a
/// connection's first request can upgrade; WebSocket clients (gorilla/websocket in kubectl, libcurl
/// CONNECT_ONLY) dial a new connection for it.
final class HTTPSListener: Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private typealias WebSocketChannel = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    /// An accepted connection until its first request decides whether it upgrades.
    private struct PendingConnection: Sendable {
        var upgrade: EventLoopFuture<Upgraded>
        var channel: any Channel
    }

    private enum Upgraded: Sendable {
        case http(Connection, UpgradeDecisions)
        case webSocket(WebSocketChannel, UpgradeDecisions)
    }

    let port: Int
    private let serverChannel: any Channel
    private let acceptTask: Task<Void, Never>

    /// Largest request body accepted (token requests are small; this only bounds a misbehaving client).
    static let maxBodyBytes = 8 << 20

    init(host: String, port: Int, certificates: SandboxCertificates, slot: RouterSlot) async throws {
        // The leaf and its CA, as servers send their chain: the top of the served chain is what IAM
        // takes an OIDC provider's thumbprint of.
        let chain = try NIOSSLCertificate.fromPEMBytes(Array((certificates.leafPEM + "\n" + certificates.caPEM).utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(certificates.leafKeyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                           privateKey: .privateKey(key))
        tls.applicationProtocols = ["http/1.1"]
        let sslContext = try NIOSSLContext(configuration: tls)

        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    let decisions = UpgradeDecisions()
                    let upgrader = NIOTypedWebSocketServerUpgrader<Upgraded>(
                        maxFrameSize: 1 << 20,
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeFutureWithTask {
                                await Self.decideUpgrade(head, slot: slot, decisions: decisions)
                            }
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                .webSocket(try WebSocketChannel(wrappingChannelSynchronously: channel), decisions)
                            }
                        })
                    let configuration = NIOUpgradableHTTPServerPipelineConfiguration<Upgraded>(
                        upgradeConfiguration: .init(upgraders: [upgrader], notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                .http(try Connection(wrappingChannelSynchronously: channel), decisions)
                            }
                        }))
                    let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
                    let upgradeHandler = try channel.pipeline.syncOperations.handler(type: NIOTypedHTTPServerUpgradeHandler<Upgraded>.self)
                    try channel.pipeline.syncOperations.addHandler(FirstRequestRecorder(decisions: decisions), position: .before(upgradeHandler))
                    return PendingConnection(upgrade: upgrade, channel: channel)
                }
            }
        self.port = server.channel.localAddress?.port ?? port
        self.serverChannel = server.channel
        self.acceptTask = Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await upgrade in connections {
                            group.addTask {
                                // Closing the channel fails the pending decision, so a connection that
                                // never sends a request does not hold up stop().
                                let decided = await withTaskCancellationHandler {
                                    try? await upgrade.upgrade.get()
                                } onCancel: {
                                    upgrade.channel.close(promise: nil)
                                }
                                switch decided {
                                case .http(let connection, let decisions):
                                    await Self.serve(connection, slot: slot, decisions: decisions)
                                case .webSocket(let channel, let decisions):
                                    if let acceptance = decisions.takeAccepted() {
                                        await ServedWebSocket.serve(channel, acceptance: acceptance)
                                    } else {
                                        try? await channel.executeThenClose { _, _ in }
                                    }
                                case nil:
                                    break  // the connection failed before its first request was read
                                }
                            }
                        }
                    } catch {
                        // Cancelled by stop() after its deadline; open connections end with the group.
                    }
                    // The listening socket closed: the connections still open (idle keep-alive
                    // ones included) are ended, each through its own executeThenClose.
                    group.cancelAll()
                }
            }
        }
    }

    /// Closes the listening socket and every connection. The accept loop is left to drain what
    /// was accepted (NIO traps when an accepted connection is dropped without being closed, and
    /// clients keep idle connections open for reuse); it is cancelled only if it does not end.
    func stop() async {
        try? await serverChannel.close()
        let accepting = acceptTask
        let deadline = Task {
            try? await Task.sleep(for: .seconds(5))
            accepting.cancel()
        }
        await accepting.value
        deadline.cancel()
    }

    private struct PendingRequest: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer
        /// The answer decided already (a refused upgrade), instead of routing the request.
        var decided: RouteResponse?
    }

    /// The upgrade decision for a connection's first request that asks for a WebSocket: the router
    /// accepts (extra 101 headers: the selected subprotocol) or refuses, in which case NIO passes
    /// the request on as a normal one and `respond` answers it with the refusal.
    private static func decideUpgrade(_ head: HTTPRequestHead, slot: RouterSlot, decisions: UpgradeDecisions) async -> HTTPHeaders? {
        guard let router = slot.current else { return nil }
        switch await router.webSocketUpgrade(makeRequest(PendingRequest(head: head, body: ByteBuffer(), decided: nil))) {
        case .accept(let acceptance):
            decisions.accept(acceptance)
            var headers = HTTPHeaders()
            if let subprotocol = acceptance.subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
            return headers
        case .refuse(let response):
            decisions.refuse(with: response)
            return nil
        case .notHandled:
            return nil
        }
    }

    /// Reads requests in one task and answers them in another, so that a client closing the
    /// connection cancels a watch that is waiting for events.
    private static func serve(_ connection: Connection, slot: RouterSlot, decisions: UpgradeDecisions) async {
        try? await connection.executeThenClose { inbound, outbound in
            let (requests, sink) = AsyncStream<PendingRequest>.makeStream()
            if let unupgraded = decisions.takeUnupgraded() {
                sink.yield(PendingRequest(head: unupgraded.head, body: ByteBuffer(), decided: unupgraded.refusal))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var head: HTTPRequestHead?
                    var body = ByteBuffer()
                    defer { sink.finish() }
                    for try await part in inbound {
                        switch part {
                        case .head(let requestHead):
                            head = requestHead
                            body.clear()
                        case .body(var chunk):
                            guard body.readableBytes + chunk.readableBytes <= maxBodyBytes else { throw ConnectionCut() }
                            body.writeBuffer(&chunk)
                        case .end:
                            if let head { sink.yield(PendingRequest(head: head, body: body, decided: nil)) }
                            head = nil
                        }
                    }
                }
                group.addTask {
                    for await pending in requests {
                        let keepAlive = try await respond(to: pending, outbound: outbound, slot: slot)
                        if !keepAlive { break }
                    }
                }
                // Whichever side ends first ends the connection.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Writes one response; returns whether the connection stays open.
    private static func respond(to pending: PendingRequest, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
                                slot: RouterSlot) async throws -> Bool {
        let request = makeRequest(pending)
        let response: RouteResponse
        if let decided = pending.decided {
            response = decided
        } else if let router = slot.current {
            response = await router.route(request)
        } else {
            response = .complete(.json(503, ["error": "the sandbox is starting"]))
        }
        let keepAlive = pending.head.isKeepAlive
        switch response {
        case .complete(let complete):
            var headers = HTTPHeaders(complete.headers.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Content-Length", value: String(complete.body.count))
            addCommonHeaders(&headers, keepAlive: keepAlive)
            try await outbound.write(.head(HTTPResponseHead(version: pending.head.version,
                                                            status: HTTPResponseStatus(statusCode: complete.status),
                                                            headers: headers)))
            if !complete.body.isEmpty, pending.head.method != .HEAD {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: complete.body))))
            }
            try await outbound.write(.end(nil))
            return keepAlive
        case .stream(let status, let headerList, let body):
            var headers = HTTPHeaders(headerList.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            addCommonHeaders(&headers, keepAlive: keepAlive)
            try await outbound.write(.head(HTTPResponseHead(version: pending.head.version,
                                                            status: HTTPResponseStatus(statusCode: status), headers: headers)))
            for await chunk in body {
                switch chunk {
                case .data(let data):
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
                case .abort:
                    throw ConnectionCut()
                }
            }
            try Task.checkCancellation()
            try await outbound.write(.end(nil))
            return keepAlive
        }
    }

    private static func addCommonHeaders(_ headers: inout HTTPHeaders, keepAlive: Bool) {
        if !headers.contains(name: "Date") {
            headers.add(name: "Date", value: Date().formatted(Date.FormatStyle.httpDate))
        }
        if !headers.contains(name: "Cache-Control") { headers.add(name: "Cache-Control", value: "no-cache, private") }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
    }

    private static func makeRequest(_ pending: PendingRequest) -> SandboxRequest {
        var headers: [String: String] = [:]
        for (name, value) in pending.head.headers { headers[name.lowercased()] = value }
        let uri = pending.head.uri
        let (path, query): (String, String)
        if let mark = uri.firstIndex(of: "?") {
            (path, query) = (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
        } else {
            (path, query) = (uri, "")
        }
        return SandboxRequest(method: pending.head.method.rawValue, host: hostName(headers["host"] ?? ""), path: path,
                              rawQuery: query, headers: headers, body: Data(pending.body.readableBytesView))
    }

    /// The Host header without its port, lower-cased (`[::1]:443` → `::1`).
    static func hostName(_ header: String) -> String {
        let lower = header.lowercased()
        if lower.hasPrefix("["), let close = lower.firstIndex(of: "]") {
            return String(lower[lower.index(after: lower.startIndex)..<close])
        }
        if let colon = lower.lastIndex(of: ":") { return String(lower[..<colon]) }
        return lower
    }
}

extension Date.FormatStyle {
    /// RFC 7231 date, e.g. `Tue, 15 Nov 1994 08:12:31 GMT`.
    static var httpDate: Date.VerbatimFormatStyle {
        Date.VerbatimFormatStyle(
            format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
            locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
    }
}
