import Foundation

/// Values computed once per key and kept for a time to live: concurrent askers of the same key
/// share one computation (an audit of 3 000 identities lists a subscription once, not 3 000 times),
/// and a later trace reuses what the audit read. A value `keep` refuses (a transient failure) is
/// dropped as soon as it is computed, so the next asker reads again.
actor ExpiringCache<Key: Hashable & Sendable, Value: Sendable> {
    private struct Entry {
        var task: Task<Value, Never>
        var born: ContinuousClock.Instant
        var generation: Int
    }

    private var entries: [Key: Entry] = [:]
    private var generation = 0
    private let ttl: Duration
    private let keep: @Sendable (Value) -> Bool
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// - Parameter clock: the time (tests move it on instead of waiting out the time to live).
    init(ttl: Duration, keep: @escaping @Sendable (Value) -> Bool = { _ in true },
         clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.ttl = ttl
        self.keep = keep
        self.clock = clock
    }

    func value(_ key: Key, compute: @escaping @Sendable () async -> Value) async -> Value {
        let now = clock()
        if let entry = entries[key], now - entry.born < ttl { return await entry.task.value }
        generation += 1
        let mine = generation
        let task = Task { await compute() }
        entries[key] = Entry(task: task, born: now, generation: mine)
        let value = await task.value
        if !keep(value), entries[key]?.generation == mine { entries[key] = nil }
        return value
    }

    /// Forgets everything: the next ask reads again (the dashboard's re-run key).
    func removeAll() {
        entries.removeAll()
    }
}

/// At most `limit` bodies run at once; the rest wait their turn in order. Keeps an audit from
/// opening hundreds of connections to one cloud at a time.
actor AsyncLimiter {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = max(1, limit) }

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { available += 1 } else { waiting.removeFirst().resume() }
    }
}
