import Foundation

/// The thread that owns one WebSocket's libcurl handle: connects, performs the upgrade, then moves
/// bytes between the socket and the mailbox until the connection ends.
///
/// Like `CurlTransfer`, all blocking libcurl work runs here and never on the Swift concurrency pool.
/// The thread sleeps in `poll` on the socket and the mailbox's wake-up pipe (at most 1 s, to check
/// deadlines), so queued sends, closes and aborts are seen at once.
final class CurlWebSocketThread: @unchecked Sendable {
    typealias Opened = @Sendable (Result<any WebSocketConnection, Error>) -> Void

    private let plan: CurlRequestPlan
    private let handshake: WebSocketHandshake
    private let mailbox: WebSocketMailbox
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    /// How long our Close waits for the server's (and an echo may take to be written): short, so
    /// that `close` never hangs on a server that does not answer.
    private let closeTimeout: Duration

    init(plan: CurlRequestPlan, handshake: WebSocketHandshake, mailbox: WebSocketMailbox) {
        self.plan = plan
        self.handshake = handshake
        self.mailbox = mailbox
        started = clock.now
        closeTimeout = min(plan.timeouts.connect, .seconds(5))
    }

    func start(opened: @escaping Opened) {
        let thread = Thread { [self] in
            BackgroundPriority.lowerCurrentThread()
            run(opened)
        }
        thread.name = "widash-websocket"
        thread.start()
    }

    private var totalDeadline: ContinuousClock.Instant? { plan.timeouts.total.map { started + $0 } }

    private func run(_ opened: Opened) {
        let socket: CurlWebSocketSocket
        let upgraded: (subprotocol: String?, leftover: [UInt8])
        do {
            socket = try CurlWebSocketSocket(plan: plan)
            try socket.connect(isCancelled: mailbox.abortFlag)
            upgraded = try upgrade(socket)
        } catch {
            mailbox.finish(.failure(error))
            opened(.failure(error))
            return
        }
        opened(.success(CurlWebSocketConnection(subprotocol: upgraded.subprotocol, mailbox: mailbox, url: plan.displayURL)))
        mailbox.finish(serve(socket, leftover: upgraded.leftover))
    }

    // MARK: the opening handshake (RFC 6455 §4.1)

    private func upgrade(_ socket: CurlWebSocketSocket) throws -> (subprotocol: String?, leftover: [UInt8]) {
        let deadline = min(clock.now + plan.timeouts.connect, totalDeadline ?? .now + .seconds(86400 * 365))
        let head = handshake.requestHead(target: Self.requestTarget(plan.route.curlURL), host: hostHeader,
                                         userAgent: plan.userAgent, headers: plan.request.headers)
        try writeAll(head, socket, deadline: deadline)
        var received: [UInt8] = []
        while true {
            switch HTTPHead.parse(received) {
            case .invalid(let why):
                throw WebSocketError.handshakeFailed(url: plan.displayURL, detail: why)
            case .head(let response, let consumed) where (100...199).contains(response.status) && response.status != 101:
                received.removeFirst(consumed)  // an interim response (100 Continue): the real one follows
                continue
            case .head(let response, let consumed) where response.status == 101:
                switch handshake.validate(response) {
                case .accepted(let subprotocol): return (subprotocol, Array(received[consumed...]))  // bytes past the head are frames
                case .rejected(let why): throw WebSocketError.handshakeFailed(url: plan.displayURL, detail: why)
                }
            case .head(let response, let consumed):
                let body = refusalBody(Array(received[consumed...]), response, socket, deadline: deadline)
                throw WebSocketUpgradeRefused(url: plan.displayURL, response: HTTPResponse(
                    status: response.status, headers: response.headers, body: body, httpVersion: response.version))
            case .needMore:
                guard try read(socket, into: &received, deadline: deadline, waitingFor: "the answer to the WebSocket upgrade") else {
                    throw HTTPError.other(url: plan.displayURL, code: 52,
                                          detail: "the server closed the connection without answering the WebSocket upgrade")
                }
            }
        }
    }

    /// Reads a refusal's body as far as it goes by the deadline (a Kubernetes Status is small).
    private func refusalBody(_ start: [UInt8], _ head: HTTPHead, _ socket: CurlWebSocketSocket,
                             deadline: ContinuousClock.Instant) -> Data {
        var bytes = start
        let limit = plan.maxBodyBytes ?? 1024 * 1024
        while true {
            if case .complete(let body) = RefusalBody.read(bytes, head: head, limit: limit, atEOF: false) { return body }
            let more = (try? read(socket, into: &bytes, deadline: deadline, waitingFor: "the refusal's body")) ?? false
            if !more, case .complete(let body) = RefusalBody.read(bytes, head: head, limit: limit, atEOF: true) { return body }
        }
    }

    /// The upgrade's `Host`: the original authority (also when the URL was rewritten for a server name).
    private var hostHeader: String {
        if let host = plan.route.hostHeader { return host }
        let port = URLComponents(string: plan.request.url)?.port
        return bracketed(plan.route.host) + (port.map { ":\($0)" } ?? "")
    }

    /// Origin form (RFC 9112 §3.2.1): path and query.
    static func requestTarget(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return "/" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    private func writeAll(_ data: Data, _ socket: CurlWebSocketSocket, deadline: ContinuousClock.Instant) throws {
        var offset = 0
        while offset < data.count {
            try checkAbortAndDeadline(deadline, waitingFor: "sending the WebSocket upgrade")
            let result = data.withUnsafeBytes { socket.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .done(let count): offset += count
            case .wouldBlock: socket.wait(read: false, write: true, wakeup: mailbox.wakeup, timeout: deadline - clock.now)
            case .closed: throw HTTPError.other(url: plan.displayURL, code: 55, detail: "the server closed the connection")
            case .failed(let error): throw error
            }
        }
    }

    /// Appends what the socket has; false at end of stream. Waits (bounded by the deadline) when empty.
    private func read(_ socket: CurlWebSocketSocket, into bytes: inout [UInt8], deadline: ContinuousClock.Instant,
                      waitingFor what: String) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            try checkAbortAndDeadline(deadline, waitingFor: what)
            let result = chunk.withUnsafeMutableBytes { socket.receive(into: $0) }
            switch result {
            case .done(let count):
                bytes.append(contentsOf: chunk[..<count])
                return true
            case .wouldBlock: socket.wait(read: true, write: false, wakeup: mailbox.wakeup, timeout: deadline - clock.now)
            case .closed: return false
            case .failed(let error): throw error
            }
        }
    }

    private func checkAbortAndDeadline(_ deadline: ContinuousClock.Instant, waitingFor what: String) throws {
        if let error = mailbox.abortRequest { throw error }
        if clock.now >= deadline {
            throw HTTPError.timeout(url: plan.displayURL, detail: "no progress \(what) within \(seconds(plan.timeouts.connect)) s")
        }
    }

    // MARK: the open connection

    private func serve(_ socket: CurlWebSocketSocket, leftover: [UInt8]) -> Result<Void, Error> {
        var connection = OpenConnection(mailbox: mailbox, now: clock.now, closeTimeout: closeTimeout)
        connection.received(leftover[...], now: clock.now)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        let idleTimeout = plan.timeouts.lowSpeedBytes > 0 ? plan.timeouts.lowSpeedTime : nil

        while true {
            if let error = mailbox.abortRequest { return .failure(error) }
            connection.takeCommands(now: clock.now)
            let writeBlocked: Bool
            switch connection.write(socket) {
            case .failure(let error): return .failure(error)
            case .success(let blocked): writeBlocked = blocked
            }
            let paused = connection.ending != nil || mailbox.inboxIsFull
            var atEOF = false
            if paused { connection.lastReceived = clock.now }  // not reading is not the server's silence
            reading: for _ in 0..<16 where !paused && connection.ending == nil && !mailbox.inboxIsFull {
                switch socket.receive(into: buffer) {
                case .done(let count): connection.received(UnsafeRawBufferPointer(rebasing: buffer[..<count]), now: clock.now)
                case .wouldBlock: break reading
                case .closed:
                    atEOF = true
                    break reading
                case .failed(let error): return .failure(error)
                }
            }
            let now = clock.now
            if let ending = connection.ending, !connection.hasPendingWrites || now >= ending.deadline { return ending.result }
            if atEOF { return connection.resultAtEOF }
            if let deadline = connection.closeDeadline, now >= deadline { return .success(()) }  // our Close went unanswered
            if let total = totalDeadline, now >= total {
                return .failure(HTTPError.timeout(url: plan.displayURL, detail: "the WebSocket was still open after the total timeout of \(seconds(plan.timeouts.total ?? .zero)) s"))
            }
            if let idleTimeout, now >= connection.lastReceived + idleTimeout {
                return .failure(HTTPError.timeout(url: plan.displayURL, detail: "nothing received on the WebSocket for \(seconds(idleTimeout)) s"))
            }
            // Pongs and Close echoes queued by what was just read go out before any wait.
            if connection.hasPendingWrites && !writeBlocked { continue }
            let deadlines = [connection.ending?.deadline, connection.closeDeadline, totalDeadline,
                             idleTimeout.map { connection.lastReceived + $0 }].compactMap { $0 }
            let wait = deadlines.map { $0 - now }.min() ?? .seconds(1)
            // After `wouldBlock` only (or with nothing to do): TLS may hold bytes the socket no longer shows.
            socket.wait(read: !paused, write: writeBlocked, wakeup: mailbox.wakeup, timeout: wait)
        }
    }

    private func seconds(_ duration: Duration) -> String {
        let value = Double(duration.milliseconds) / 1000
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The open connection's state on its thread: the protocol session, bytes waiting to be written
/// (each with the send it completes), and how and when the connection is to end.
struct OpenConnection {
    private let mailbox: WebSocketMailbox
    private let closeTimeout: Duration
    private var session = WebSocketSession(role: .client)
    private var writes: [(bytes: Data, offset: Int, sendID: Int?)] = []
    /// We sent a Close before the server did: any answer (or a dropped connection) is a clean end.
    private var closedByUs = false

    /// Set once the end is known (the server's Close, a protocol violation): flush, then end with it.
    private(set) var ending: (result: Result<Void, Error>, deadline: ContinuousClock.Instant)?
    /// After our Close: when to stop waiting for the server's.
    private(set) var closeDeadline: ContinuousClock.Instant?
    var lastReceived: ContinuousClock.Instant

    init(mailbox: WebSocketMailbox, now: ContinuousClock.Instant, closeTimeout: Duration) {
        self.mailbox = mailbox
        self.closeTimeout = closeTimeout
        lastReceived = now
    }

    var hasPendingWrites: Bool { !writes.isEmpty }

    /// The end when the server closed TCP: clean after our Close, else 1006 (§7.1.5, §7.4.1).
    var resultAtEOF: Result<Void, Error> {
        if let ending { return ending.result }
        if closedByUs { return .success(()) }
        return .failure(WebSocketError.closedByPeer(code: WebSocketCloseCode.abnormal, reason: ""))
    }

    mutating func takeCommands(now: ContinuousClock.Instant) {
        for command in mailbox.takeCommands() {
            switch command {
            case .send(let message, let id):
                do {
                    try session.send(message)
                    queue(session.takeOutgoing(), sendID: id)
                } catch {
                    mailbox.sendFailed(id: id, error)
                }
            case .close(let code, let reason):
                if !session.sentClose {
                    closedByUs = !session.receivedClose
                    session.close(code: code, reason: reason)
                    queue(session.takeOutgoing(), sendID: nil)
                }
                if closeDeadline == nil { closeDeadline = now + closeTimeout }
            }
        }
    }

    mutating func received(_ bytes: some Sequence<UInt8>, now: ContinuousClock.Instant) {
        lastReceived = now
        do {
            for event in try session.receive(bytes) {
                switch event {
                case .message(let message):
                    mailbox.deliver(message)
                case .closed(let code, let reason):
                    // kubectl treats only 1000 as a normal end (client-go transport/websocket); so do we.
                    let clean = closedByUs || code == WebSocketCloseCode.normal
                    let result: Result<Void, Error> = clean ? .success(())
                        : .failure(WebSocketError.closedByPeer(code: code ?? WebSocketCloseCode.noStatus, reason: reason))
                    ending = (result, now + closeTimeout)
                }
            }
        } catch {
            ending = (.failure(error), now + closeTimeout)  // the session queued its Close (1002/1007/1009)
        }
        if let failure = session.failure { ending = (.failure(failure), now + closeTimeout) }  // after delivered messages
        queue(session.takeOutgoing(), sendID: nil)  // pongs, the Close echo
    }

    /// Writes what it can; `.success(true)` when the socket would block with bytes left.
    mutating func write(_ socket: CurlWebSocketSocket) -> Result<Bool, Error> {
        while let first = writes.first {
            let result = first.bytes.withUnsafeBytes { socket.send(UnsafeRawBufferPointer(rebasing: $0[first.offset...])) }
            switch result {
            case .done(let count):
                writes[0].offset += count
                if writes[0].offset >= first.bytes.count {
                    writes.removeFirst()
                    if let id = first.sendID { mailbox.sent(id: id) }
                }
            case .wouldBlock: return .success(true)
            case .closed: return .failure(WebSocketError.closedByPeer(code: WebSocketCloseCode.abnormal, reason: ""))
            case .failed(let error): return .failure(error)
            }
        }
        return .success(false)
    }

    private mutating func queue(_ bytes: Data, sendID: Int?) {
        if bytes.isEmpty {
            if let sendID { mailbox.sent(id: sendID) }
            return
        }
        writes.append((bytes, 0, sendID))
    }
}
