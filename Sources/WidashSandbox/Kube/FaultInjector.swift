import Foundation

/// Applies a `FaultSpec` to Kubernetes API requests: a reproducible error draw (seeded), latency and
/// the watch cut. Thread-safe: requests arrive on many tasks.
final class FaultInjector: @unchecked Sendable {
    let spec: FaultSpec
    private let lock = NSLock()
    private var state: UInt64

    init(_ spec: FaultSpec) {
        self.spec = spec
        self.state = spec.seed == 0 ? 0x9E37_79B9_7F4A_7C15 : spec.seed
    }

    /// The status code to fail this request with, or nil to serve it.
    func drawError() -> Int? {
        guard spec.errorRate > 0, !spec.errorCodes.isEmpty else { return nil }
        let (roll, pick) = lock.withLock { () -> (Double, UInt64) in
            let roll = Double(next() >> 11) / Double(UInt64(1) << 53)
            return (roll, next())
        }
        guard roll < spec.errorRate else { return nil }
        return spec.errorCodes[Int(pick % UInt64(spec.errorCodes.count))]
    }

    /// xorshift64*: small, seedable, good enough to spread injected errors.
    private func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}
