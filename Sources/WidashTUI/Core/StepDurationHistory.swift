import Foundation
import WidashCore

/// Each step's durations over the recent runs of one trace seed (the same pod, resource and token
/// source), newest last: what the sparklines in the trace view draw. A run of another seed starts
/// a new history, because its durations measure a different path.
public struct StepDurationHistory: Sendable, Hashable {
    /// Runs kept per step: enough to show a trend across auto re-runs, few enough to read at a glance.
    public static let limit = 20

    public private(set) var seed: String?
    public private(set) var samples: [Int: [Int]] = [:]

    public init() {}

    /// Adds a finished run's step durations (steps that did not run add nothing).
    public mutating func record(seed: String, steps: [TraceStep]) {
        if seed != self.seed {
            self.seed = seed
            samples = [:]
        }
        for step in steps where step.status == .passed || step.status == .failed {
            guard let ms = step.durationMs else { continue }
            var list = samples[step.number] ?? []
            list.append(ms)
            if list.count > Self.limit { list.removeFirst(list.count - Self.limit) }
            samples[step.number] = list
        }
    }

    /// The durations of step `number` for `seed`, oldest first (empty for another seed).
    public func durations(step number: Int, seed: String) -> [Int] {
        seed == self.seed ? samples[number] ?? [] : []
    }
}

extension TraceSession {
    /// What makes two runs comparable: the pod, the step-5 resource and the token presented.
    public var seed: String { "\(namespace)/\(pod)|\(resource ?? "")|\(podToken ? "pod-token" : "token-request")" }
}

/// A one-line chart of values, one block per value, scaled between their minimum and maximum.
/// Seven heights, not eight: `█` already stands for the command-line cursor in the ASCII fallback
/// table, so the top block would read as `_` there.
enum Sparkline {
    static let blocks: [String] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"]

    static func render(_ values: [Int]) -> String {
        guard let lo = values.min(), let hi = values.max() else { return "" }
        let top = blocks.count - 1
        return values.map { v in
            // Equal values sit in the middle: a flat line says "steady", not "slow" or "fast".
            let level = hi == lo ? top / 2 : Int((Double(v - lo) / Double(hi - lo) * Double(top)).rounded())
            return blocks[max(0, min(top, level))]
        }.joined()
    }
}
