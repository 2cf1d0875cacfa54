import Foundation

// The five-step trace, identical in shape for every provider (README "Trace JSON").

public enum StepStatus: String, Codable, Sendable, Hashable {
    case pending, running, passed, failed, skipped
}

/// Ordered key/value evidence; encodes as a JSON object in insertion order. Values are already
/// redacted: never a whole token.
public struct Evidence: Sendable, Hashable, Codable {
    public private(set) var items: [Item]
    public struct Item: Sendable, Hashable { public var key: String; public var value: String }

    public init(_ pairs: [(String, String)] = []) { items = pairs.map { Item(key: $0.0, value: $0.1) } }

    public subscript(key: String) -> String? {
        get { items.last(where: { $0.key == key })?.value }
        set {
            items.removeAll { $0.key == key }
            if let newValue { items.append(Item(key: key, value: newValue)) }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for item in items { try c.encode(item.value, forKey: Key(stringValue: item.key)) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        items = try c.allKeys.map { Item(key: $0.stringValue, value: try c.decode(String.self, forKey: $0)) }
    }
}

/// One value that does not match: what the cloud side expects and what the cluster presents.
public struct Mismatch: Codable, Sendable, Hashable {
    public var field: String
    public var expected: String
    public var actual: String
    public init(field: String, expected: String, actual: String) {
        self.field = field
        self.expected = expected
        self.actual = actual
    }
}

/// Why a step failed and how to fix it. An error code alone is not a diagnosis.
public struct Diagnosis: Codable, Sendable, Hashable {
    public var summary: String
    public var mismatches: [Mismatch]
    public var fix: String?
    public init(summary: String, mismatches: [Mismatch] = [], fix: String? = nil) {
        self.summary = summary
        self.mismatches = mismatches
        self.fix = fix
    }
}

public struct TraceStep: Codable, Sendable, Hashable {
    public var number: Int
    public var title: String
    public var status: StepStatus
    public var durationMs: Int?
    public var evidence: Evidence
    public var diagnosis: Diagnosis?

    public init(number: Int, title: String, status: StepStatus = .pending, durationMs: Int? = nil,
                evidence: Evidence = Evidence(), diagnosis: Diagnosis? = nil) {
        self.number = number
        self.title = title
        self.status = status
        self.durationMs = durationMs
        self.evidence = evidence
        self.diagnosis = diagnosis
    }

    /// The five step titles, the same for every provider.
    public static let titles = ["token projected", "token sent", "trust checked", "token issued", "resource called"]
}

public enum TraceResult: String, Codable, Sendable, Hashable {
    /// Every step passed.
    case passed
    /// A step failed.
    case failed
    /// A remote service could not be reached.
    case unreachable
}

public struct TraceReport: Codable, Sendable, Hashable {
    public var pod: String
    public var provider: Provider?
    public var steps: [TraceStep]
    public var result: TraceResult
    /// The pod's own token file when the trace read it (`--pod-token`), judged against the
    /// kubelet's refresh rule.
    public var podTokenFile: ProjectedTokenFile?
    public init(pod: String, provider: Provider?, steps: [TraceStep], result: TraceResult, podTokenFile: ProjectedTokenFile? = nil) {
        self.pod = pod
        self.provider = provider
        self.steps = steps
        self.result = result
        self.podTokenFile = podTokenFile
    }
}

/// Streamed while a trace runs, so a UI can show steps live.
public enum TraceEvent: Sendable, Hashable {
    case started(pod: String, provider: Provider?)
    case stepStarted(number: Int)
    case stepFinished(TraceStep)
    case finished(TraceReport)
}
