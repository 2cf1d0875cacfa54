import Foundation
import Logging
import WidashCore
import WidashCloud
import WidashHTTP

/// What one step produced, plus a value handed to later steps.
struct StepOutcome<Value: Sendable>: Sendable {
    var status: StepStatus
    var evidence: Evidence
    var diagnosis: Diagnosis?
    var value: Value?
    /// The step failed because a remote service could not be reached (the report's result is then `.unreachable`).
    var unreachable: Bool = false

    static func passed(_ evidence: Evidence, _ value: Value? = nil) -> StepOutcome { StepOutcome(status: .passed, evidence: evidence, value: value) }
    static func failed(_ evidence: Evidence, _ diagnosis: Diagnosis, _ value: Value? = nil, unreachable: Bool = false) -> StepOutcome {
        StepOutcome(status: .failed, evidence: evidence, diagnosis: diagnosis, value: value, unreachable: unreachable)
    }
}

/// Resumes a continuation once, whichever of the step or its timer finishes first.
private final class FirstResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?
    init(_ c: CheckedContinuation<T, Never>) { continuation = c }
    func resume(_ value: T) {
        let c: CheckedContinuation<T, Never>? = lock.withLock { defer { continuation = nil }; return continuation }
        c?.resume(returning: value)
    }
}

/// Runs steps in order, emitting events, enforcing the per-step timeout and recording results.
final class StepRunner: @unchecked Sendable {
    let continuation: AsyncStream<TraceEvent>.Continuation
    let timeout: Duration
    /// Logs each step's decision (status, duration, diagnosis) at debug level, for `--log-file`.
    let logger: Logger
    let pod: String
    private(set) var steps: [TraceStep] = []
    private(set) var unreachable = false

    init(continuation: AsyncStream<TraceEvent>.Continuation, timeout: Duration, logger: Logger, pod: String) {
        self.continuation = continuation
        self.timeout = timeout
        self.logger = logger
        self.pod = pod
    }

    var failed: Bool { steps.contains { $0.status == .failed } }

    /// Runs step `number`. `endpoint` names what it talks to, for the timeout diagnosis.
    func run<V: Sendable>(_ number: Int, endpoint: String?, _ body: @escaping @Sendable () async throws -> StepOutcome<V>) async -> StepOutcome<V> {
        continuation.yield(.stepStarted(number: number))
        let clock = ContinuousClock()
        let start = clock.now
        let limit = timeout
        let outcome: StepOutcome<V> = await withCheckedContinuation { (c: CheckedContinuation<StepOutcome<V>, Never>) in
            let first = FirstResult(c)
            let work = Task {
                do { first.resume(try await body()) } catch { first.resume(Self.outcome(for: error, endpoint: endpoint)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                first.resume(Self.timeoutOutcome(endpoint: endpoint, limit: limit))
                work.cancel()
            }
            // A finished step stops its timer; a step that ignores cancellation cannot hold the trace.
            Task {
                _ = await work.value
                timer.cancel()
            }
        }
        let elapsed = clock.now - start
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        record(TraceStep(number: number, title: TraceStep.titles[number - 1], status: outcome.status, durationMs: ms,
                         evidence: outcome.evidence, diagnosis: outcome.diagnosis), unreachable: outcome.unreachable)
        return outcome
    }

    /// Records a step that did not run.
    func skip(_ number: Int, reason: String) {
        record(TraceStep(number: number, title: TraceStep.titles[number - 1], status: .skipped, durationMs: 0,
                         evidence: Evidence([("skipped", reason)])), unreachable: false)
    }

    /// Step 5 is skipped when the options say no resource is called; returns whether it may run.
    func mayCallResource(_ options: TraceOptions) -> Bool {
        if !options.callsResource { skip(5, reason: "no resource called: the token was only exchanged (steps 1–4)") }
        return options.callsResource
    }

    /// Skips every step from `number` to 5.
    func skipRest(from number: Int, reason: String) {
        guard number <= 5 else { return }
        for n in number...5 { skip(n, reason: reason) }
    }

    private func record(_ step: TraceStep, unreachable: Bool) {
        var metadata: Logger.Metadata = ["ms": "\(step.durationMs ?? 0)"]
        if let code = step.evidence["errorCode"] { metadata["errorCode"] = "\(code)" }
        if let reason = step.evidence["skipped"] { metadata["reason"] = "\(reason)" }
        if let diagnosis = step.diagnosis { metadata["diagnosis"] = "\(diagnosis.summary)" }
        logger.debug("trace \(pod) step \(step.number) (\(step.title)): \(step.status.rawValue)", metadata: metadata)
        steps.append(step)
        if unreachable { self.unreachable = true }
        continuation.yield(.stepFinished(step))
    }

    static func timeoutOutcome<V>(endpoint: String?, limit: Duration) -> StepOutcome<V> {
        let seconds = limit.components.seconds
        let shown = seconds > 0 ? "\(seconds) s" : "\(limit.components.attoseconds / 1_000_000_000_000_000) ms"
        let what = endpoint ?? "the remote service"
        return .failed(Evidence([("timeout", shown), ("endpoint", what)]),
                       Diagnosis(summary: "\(what) did not answer within \(shown)",
                                 fix: "check that \(what) is reachable from this machine (proxy, firewall, DNS) or raise the step timeout"),
                       unreachable: true)
    }

    static func outcome<V>(for error: Error, endpoint: String?) -> StepOutcome<V> {
        if let cloud = error as? CloudError, case .unreachable(let where_, let http) = cloud {
            return .failed(Evidence([("endpoint", where_), ("error", http.description)]),
                           Diagnosis(summary: "\(where_) could not be reached: \(http.description)",
                                     fix: "check the network path to \(where_) (DNS, proxy, firewall, TLS trust)"),
                           unreachable: true)
        }
        if let http = error as? HTTPError {
            let what = endpoint ?? "the remote service"
            return .failed(Evidence([("endpoint", what), ("error", http.description)]),
                           Diagnosis(summary: "\(what) could not be reached: \(http.description)"), unreachable: true)
        }
        if error is CancellationError {
            return .failed(Evidence(), Diagnosis(summary: "the trace was cancelled"))
        }
        return .failed(Evidence([("error", "\(error)")]), Diagnosis(summary: "\(error)"))
    }
}
