import Foundation
import Synchronization
import WidashCore
import WidashHTTP
import WidashKube

/// Why a cluster of the fleet could not be read, in one line: the transport's classification
/// (`CurlErrorMapping` → `HTTPError`) and the API server's answer (`KubeAPIError`) folded into
/// `ClusterFailure.Kind`, with the error's own message (which already says what to do).
public enum ClusterFailureClassifier {
    public static func classify(_ error: any Error) -> ClusterFailure {
        ClusterFailure(kind: kind(of: error), message: oneLine("\(error)"))
    }

    public static func kind(of error: any Error) -> ClusterFailure.Kind {
        switch error {
        case let http as HTTPError:
            switch http {
            case .dnsFailure: return .dns
            case .connectionRefused: return .refused
            case .timeout, .cancelled: return .timeout
            case .tlsUnknownCA, .tlsHostnameMismatch, .tlsCertificateExpired, .tlsClientCertificateRejected, .tls: return .tls
            case .invalidURL: return .config
            case .tooManyRedirects, .bodyTooLarge, .proxy, .other: return .other
            }
        case let api as KubeAPIError:
            switch api.statusCode {
            case 401: return .unauthorized
            case 403: return .forbidden
            default: return .other
            }
        case let retry as KubeRetryLaterError:
            return kind(of: retry.apiError)
        case is KubeConfigError:
            return .config
        case is ClusterTimeout:
            return .timeout
        default:
            return .other
        }
    }

    /// The message on one line, at most `limit` characters (a table cell, a JSON field).
    static func oneLine(_ text: String, limit: Int = 300) -> String {
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }
}

/// A cluster did not answer within the fleet's per-cluster time (`--cluster-timeout`).
public struct ClusterTimeout: Error, Sendable, CustomStringConvertible {
    public var server: String
    public var seconds: Double
    public var description: String {
        "\(server) did not answer within \(seconds.formatted()) s: check the network or VPN, or raise --cluster-timeout"
    }
}

/// Runs `work`, but gives up after `limit`: the caller gets `ClusterTimeout` at once and the work is
/// cancelled (a transfer stuck in a connect ends on its own curl timeout, without holding anyone up).
func withClusterDeadline<T: Sendable>(_ limit: Duration, server: String,
                                      _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            gate.start(continuation,
                       work: Task { gate.finish(await Result(catching: { try await work() })) },
                       timer: Task {
                           try? await Task.sleep(for: limit)
                           let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                           gate.finish(.failure(ClusterTimeout(server: server, seconds: seconds)))
                       })
        }
    } onCancel: {
        gate.finish(.failure(CancellationError()))
    }
}

/// Resumes the continuation once, with whichever of the work and the timer ends first, and
/// cancels the other.
private final class DeadlineGate<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Error>?
        var pending: Result<T, Error>?
        var tasks: [Task<Void, Never>] = []
        var done = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early: Result<T, Error>? = state.withLock { s in
            s.tasks = [work, timer]
            if let pending = s.pending { return pending }
            s.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, Error>) {
        let (continuation, tasks): (CheckedContinuation<T, Error>?, [Task<Void, Never>]) = state.withLock { s in
            guard !s.done else { return (nil, []) }
            s.done = true
            guard let c = s.continuation else {
                s.pending = result
                return (nil, s.tasks)
            }
            s.continuation = nil
            return (c, s.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
