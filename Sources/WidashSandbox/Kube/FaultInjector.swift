import Foundation
import Synchronization

/// What the faults decide for one request.
struct FaultDecision: Sendable {
    /// Delay before answering.
    var latency: Duration?
    /// Fail with this status instead of serving; nil to serve.
    var errorCode: Int?
    var retryAfterSeconds: Int
    /// Cut a watch stream this long after it opened.
    var cutWatchAfter: Duration?
}

/// Applies a `FaultSpec` to Kubernetes API requests: a reproducible error draw (seeded), latency and
/// the watch cut. The spec can be replaced or removed while requests are being served
/// (`SandboxServer.setFaults`); it lapses by itself after its `for` duration. Thread-safe: requests
/// arrive on many tasks, and every read of the spec and the draw happen under one lock.
final class FaultInjector: Sendable {
    private struct State {
        var spec: FaultSpec?
        var installed: ContinuousClock.Instant
        var random: UInt64
        /// Bumped on every `set`, so a restart planned for an older spec can tell it was replaced.
        var generation = 0
        var injectedErrors = 0
    }

    private let state: Mutex<State>
    private let clock = ContinuousClock()

    init(_ spec: FaultSpec?) {
        state = Mutex(State(spec: spec, installed: clock.now, random: Self.seedState(spec)))
    }

    /// Replaces the faults (nil: none); `for` and `restart-after` count from now. Returns the new generation.
    @discardableResult
    func set(_ spec: FaultSpec?) -> Int {
        let now = clock.now
        return state.withLock { state in
            state.spec = spec
            state.installed = now
            state.random = Self.seedState(spec)
            state.generation += 1
            return state.generation
        }
    }

    /// The faults in force now: nil when none are set or their `for` duration has run out.
    var active: FaultSpec? {
        let now = clock.now
        return state.withLock { Self.active($0, now: now) }
    }

    /// The generation of the current spec (see `set`).
    var generation: Int { state.withLock { $0.generation } }

    /// True when `generation` is still installed and active.
    func isActive(generation: Int) -> Bool {
        let now = clock.now
        return state.withLock { $0.generation == generation && Self.active($0, now: now) != nil }
    }

    /// How many requests were failed on purpose so far.
    var injectedErrors: Int { state.withLock { $0.injectedErrors } }

    /// The decision for one request: nil when no faults are active.
    func decide() -> FaultDecision? {
        let now = clock.now
        return state.withLock { state -> FaultDecision? in
            guard let spec = Self.active(state, now: now) else { return nil }
            var decision = FaultDecision(latency: spec.latency, errorCode: nil, retryAfterSeconds: spec.retryAfterSeconds,
                                         cutWatchAfter: spec.cutWatchAfter)
            if spec.errorRate > 0, !spec.errorCodes.isEmpty {
                let roll = Double(Self.next(&state.random) >> 11) / Double(UInt64(1) << 53)
                let pick = Self.next(&state.random)
                if roll < spec.errorRate {
                    decision.errorCode = spec.errorCodes[Int(pick % UInt64(spec.errorCodes.count))]
                    state.injectedErrors += 1
                }
            }
            return decision
        }
    }

    private static func active(_ state: State, now: ContinuousClock.Instant) -> FaultSpec? {
        guard let spec = state.spec else { return nil }
        if let span = spec.activeFor, now - state.installed >= span { return nil }
        return spec
    }

    private static func seedState(_ spec: FaultSpec?) -> UInt64 {
        let seed = spec?.seed ?? 1
        return seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    /// xorshift64*: small, seedable, good enough to spread injected errors.
    private static func next(_ state: inout UInt64) -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}
