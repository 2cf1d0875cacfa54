import Foundation
import Synchronization
import WidashHTTP

/// A transport for reads only (the trust audit's GETs and IAM/EKS/IAM-policy read calls), which may
/// safely be sent again: a 429 or 503 is retried after the server's `Retry-After` (seconds or an
/// HTTP date), else after 1, 2, 4 s, at most `attempts` times and never waiting more than `maxWait`
/// at once. Token exchanges never go through it (`TokenExchangeRetry` says why). It also counts the
/// requests it sends, which the audit benchmark reports.
public struct ReadRetryTransport: HTTPTransport {
    let base: any HTTPTransport
    let attempts: Int
    let maxWait: Duration
    let counter: RequestCounter
    let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameter sleep: waits between attempts (tests record the waits instead of sleeping).
    public init(base: any HTTPTransport, attempts: Int = 4, maxWait: Duration = .seconds(30), counter: RequestCounter = RequestCounter(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.base = base
        self.attempts = max(1, attempts)
        self.maxWait = maxWait
        self.counter = counter
        self.sleep = sleep
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            counter.add()
            let response = try await base.send(request)
            guard response.status == 429 || response.status == 503, attempt < attempts else { return response }
            let wait = Self.retryAfter(response.header("retry-after"), now: Date()) ?? .seconds(1 << (attempt - 1))
            try await sleep(min(wait, maxWait))
            attempt += 1
        }
    }

    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> { base.stream(request) }

    /// `Retry-After: 7` or `Retry-After: Wed, 02 Dec 2026 14:07:00 GMT` (RFC 9110 10.2.3).
    static func retryAfter(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSince(now) * 1000)))
    }
}

/// Requests sent, for reports ("a full audit made 6 712 cloud calls").
public final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public func add() { count.add(1, ordering: .relaxed) }
    public var value: Int { count.load(ordering: .relaxed) }
}
