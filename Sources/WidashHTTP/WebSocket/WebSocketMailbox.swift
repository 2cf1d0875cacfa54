import Foundation

/// What callers and the connection thread hand each other: queued sends and closes one way,
/// received messages and the connection's end the other. All state under one lock; continuations
/// are resumed outside it.
final class WebSocketMailbox: @unchecked Sendable {
    enum Command {
        case send(WebSocketMessage, id: Int)
        case close(code: UInt16, reason: String)
    }

    /// Above this many buffered bytes of unread messages the thread stops reading the socket, so a
    /// caller that does not keep up slows the server down (TCP flow control) instead of filling memory.
    let inboxLimit: Int
    let wakeup: WebSocketWakeup
    let abortFlag = WebSocketAbortFlag()

    // Safety: everything below only under `lock`.
    private let lock = NSLock()
    private var commands: [Command] = []
    private var senders: [Int: CheckedContinuation<Void, Error>] = [:]
    private var closers: [CheckedContinuation<Void, Never>] = []
    private var inbox: [WebSocketMessage] = []
    private var inboxBytes = 0
    private var receivers: [CheckedContinuation<WebSocketMessage?, Error>] = []
    private var nextID = 0
    /// Why the connection ended: success = a clean close (receive returns nil).
    private var end: Result<Void, Error>?
    private var abortError: Error?

    init(wakeup: WebSocketWakeup, inboxLimit: Int) {
        self.wakeup = wakeup
        self.inboxLimit = inboxLimit
    }

    // MARK: callers

    func send(_ message: WebSocketMessage, continuation: CheckedContinuation<Void, Error>) {
        let failure: Error? = lock.withLock {
            if let end { return Self.sendError(after: end) }
            nextID += 1
            commands.append(.send(message, id: nextID))
            senders[nextID] = continuation
            return nil
        }
        if let failure { continuation.resume(throwing: failure) } else { wakeup.fire() }
    }

    func receive(continuation: CheckedContinuation<WebSocketMessage?, Error>) {
        enum Outcome { case message(WebSocketMessage), end(Result<Void, Error>), waiting }
        let outcome: Outcome = lock.withLock {
            if !inbox.isEmpty { return .message(takeFromInbox()) }
            if let end { return .end(end) }
            receivers.append(continuation)
            return .waiting
        }
        switch outcome {
        case .message(let message):
            continuation.resume(returning: message)
            wakeup.fire()  // the thread may have paused reading for a full inbox
        case .end(.success): continuation.resume(returning: nil)
        case .end(.failure(let error)): continuation.resume(throwing: error)
        case .waiting: break
        }
    }

    /// Queues our Close; false when the connection has already ended (nothing to wait for).
    func close(code: UInt16, reason: String, continuation: CheckedContinuation<Void, Never>) {
        let ended: Bool = lock.withLock {
            if end != nil { return true }
            commands.append(.close(code: code, reason: reason))
            closers.append(continuation)
            return false
        }
        if ended { continuation.resume() } else { wakeup.fire() }
    }

    /// Ends the connection without a closing handshake (cancel, drop); the thread notices at once.
    func abort(_ error: Error) {
        lock.withLock {
            if end == nil && abortError == nil { abortError = error }
        }
        abortFlag.set()
        wakeup.fire()
    }

    // MARK: the connection thread

    var abortRequest: Error? { lock.withLock { abortError } }

    func takeCommands() -> [Command] {
        lock.withLock {
            defer { commands.removeAll() }
            return commands
        }
    }

    var inboxIsFull: Bool { lock.withLock { inboxBytes >= inboxLimit } }

    func deliver(_ message: WebSocketMessage) {
        let receiver: CheckedContinuation<WebSocketMessage?, Error>? = lock.withLock {
            if !receivers.isEmpty { return receivers.removeFirst() }
            inbox.append(message)
            inboxBytes += Self.size(of: message)
            return nil
        }
        receiver?.resume(returning: message)
    }

    func sent(id: Int) {
        let sender = lock.withLock { senders.removeValue(forKey: id) }
        sender?.resume()
    }

    func sendFailed(id: Int, _ error: Error) {
        let sender = lock.withLock { senders.removeValue(forKey: id) }
        sender?.resume(throwing: error)
    }

    /// The connection is over: waiting receivers get the end (queued messages stay readable), every
    /// unfinished send fails, closers return. Then nothing wakes the thread any more.
    func finish(_ result: Result<Void, Error>) {
        let (waiting, pendingSends, waitingClosers): ([CheckedContinuation<WebSocketMessage?, Error>],
                                                      [CheckedContinuation<Void, Error>], [CheckedContinuation<Void, Never>]) = lock.withLock {
            if end == nil { end = result }
            defer {
                receivers.removeAll()
                senders.removeAll()
                closers.removeAll()
                commands.removeAll()
            }
            return (receivers, Array(senders.values), closers)
        }
        let final = lock.withLock { end } ?? result
        for receiver in waiting {
            switch final {
            case .success: receiver.resume(returning: nil)
            case .failure(let error): receiver.resume(throwing: error)
            }
        }
        let sendError = Self.sendError(after: final)
        for sender in pendingSends { sender.resume(throwing: sendError) }
        for closer in waitingClosers { closer.resume() }
        wakeup.close()
    }

    private func takeFromInbox() -> WebSocketMessage {
        let message = inbox.removeFirst()
        inboxBytes -= Self.size(of: message)
        return message
    }

    private static func sendError(after end: Result<Void, Error>) -> Error {
        if case .failure(let error) = end { return error }
        return WebSocketError.notOpen
    }

    private static func size(of message: WebSocketMessage) -> Int {
        switch message {
        case .binary(let data): return data.count
        case .text(let text): return text.utf8.count
        }
    }
}
