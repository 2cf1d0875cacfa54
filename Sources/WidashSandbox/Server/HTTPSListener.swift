import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WidashSandboxKit

/// A response the router produces: complete, or streamed in chunks (watch).
enum RouteResponse: Sendable {
    case complete(SandboxResponse)
    case stream(status: Int, headers: [(name: String, value: String)], body: AsyncStream<StreamChunk>)
}

/// Turns one request into a response; set once the listener knows its port.
protocol RequestRouter: Sendable {
    func route(_ request: SandboxRequest) async -> RouteResponse
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

/// HTTPS/1.1 on SwiftNIO: TLS with the sandbox leaf certificate, keep-alive, chunked streaming.
final class HTTPSListener: Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

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
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        self.port = server.channel.localAddress?.port ?? port
        self.serverChannel = server.channel
        self.acceptTask = Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await Self.serve(connection, slot: slot) }
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
    }

    /// Reads requests in one task and answers them in another, so that a client closing the
    /// connection cancels a watch that is waiting for events.
    private static func serve(_ connection: Connection, slot: RouterSlot) async {
        try? await connection.executeThenClose { inbound, outbound in
            let (requests, sink) = AsyncStream<PendingRequest>.makeStream()
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
                            if let head { sink.yield(PendingRequest(head: head, body: body)) }
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
        if let router = slot.current {
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
