import Foundation

/// Faults injected into the sandbox's Kubernetes API (cloud services and the issuer's discovery
/// endpoints are not affected, so a faulty cluster does not also break Entra's key fetches).
///
/// Syntax (`--faults`): comma-separated `key=value` pairs, any subset, e.g.
/// `latency=200ms,error-rate=0.1,error-codes=500|503|429,retry-after=1,cut-watch=5s,restart-after=30s,for=2m`.
/// - `latency=DURATION`: every response is delayed by this much.
/// - `error-rate=P` (0…1): this share of requests (watches and POSTs included) fails with one of
///   `error-codes` (default `500|503|429`) and a Kubernetes Status body; `retry-after=SECONDS`
///   (default 1) is sent as `Retry-After` on 429 and 503.
/// - `cut-watch=DURATION`: every watch stream is cut (connection closed without the final chunk) this
///   long after it started.
/// - `restart-after=DURATION`: once, this long after start, the API "restarts": all watches are cut,
///   the event history is forgotten and resource versions jump, so a watch or `continue` from an older
///   resourceVersion gets 410 Gone (as after an etcd compaction).
/// - `for=DURATION`: the faults stop this long after start (the sandbox then serves normally); without
///   it they last as long as the sandbox. A restart planned after that time does not happen.
/// - `seed=N`: seed for the error draw (default 1), so a run is reproducible.
/// DURATION is a number with `ms`, `s` or `m` (a bare number means seconds). "Start" is when the
/// sandbox started, or when `SandboxServer.setFaults` installed the faults.
public struct FaultSpec: Sendable, Equatable {
    public var latency: Duration?
    public var errorRate: Double
    public var errorCodes: [Int]
    public var retryAfterSeconds: Int
    public var cutWatchAfter: Duration?
    public var restartAfter: Duration?
    /// How long the faults last after start; nil for as long as the sandbox runs.
    public var activeFor: Duration?
    public var seed: UInt64

    public init(latency: Duration? = nil, errorRate: Double = 0, errorCodes: [Int] = [500, 503, 429],
                retryAfterSeconds: Int = 1, cutWatchAfter: Duration? = nil, restartAfter: Duration? = nil,
                activeFor: Duration? = nil, seed: UInt64 = 1) {
        self.latency = latency
        self.errorRate = errorRate
        self.errorCodes = errorCodes
        self.retryAfterSeconds = retryAfterSeconds
        self.cutWatchAfter = cutWatchAfter
        self.restartAfter = restartAfter
        self.activeFor = activeFor
        self.seed = seed
    }

    /// The keys `--faults` understands, for help texts and error messages.
    public static let keys = ["latency", "error-rate", "error-codes", "retry-after", "cut-watch", "restart-after", "for", "seed"]

    /// An example `--faults` value that uses every key.
    public static let example = "latency=200ms,error-rate=0.1,error-codes=500|503|429,retry-after=1,cut-watch=5s,restart-after=30s,for=2m,seed=7"

    /// One paragraph for `--help`: the syntax and what each key does.
    public static let help = """
        Comma-separated key=value pairs for the Kubernetes API, e.g. \(example). \
        latency=DURATION delays every response; error-rate=P (0…1) fails that share of requests with one of \
        error-codes (default 500|503|429), sending Retry-After: retry-after seconds (default 1) on 429/503; \
        cut-watch=DURATION cuts every watch stream after that long; restart-after=DURATION forgets the \
        watch history once (410 Gone → relist); for=DURATION stops all faults after that long; seed=N makes \
        the error draw reproducible. DURATION: 200ms, 5s, 1m (a bare number is seconds).
        """

    /// A `--faults` value that cannot be understood.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Parses the `--faults` syntax documented on the type.
    public init(parsing text: String) throws {
        self.init()
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ParseError(description: "fault '\(item)' is not key=value: write e.g. latency=200ms,error-rate=0.1")
            }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "latency": latency = try Self.duration(value, key: key)
            case "cut-watch": cutWatchAfter = try Self.duration(value, key: key)
            case "restart-after": restartAfter = try Self.duration(value, key: key)
            case "for": activeFor = try Self.duration(value, key: key)
            case "error-rate":
                guard let rate = Double(value), (0...1).contains(rate) else {
                    throw ParseError(description: "error-rate '\(value)' must be a number between 0 and 1")
                }
                errorRate = rate
            case "error-codes":
                let codes = value.split(separator: "|").compactMap { Int($0) }
                guard !codes.isEmpty, codes.allSatisfy({ (400...599).contains($0) }),
                      codes.count == value.split(separator: "|").count else {
                    throw ParseError(description: "error-codes '\(value)' must be HTTP error codes separated by '|', e.g. 500|503|429")
                }
                errorCodes = codes
            case "retry-after":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw ParseError(description: "retry-after '\(value)' must be a whole number of seconds")
                }
                retryAfterSeconds = seconds
            case "seed":
                guard let number = UInt64(value) else { throw ParseError(description: "seed '\(value)' must be a whole number") }
                seed = number
            default:
                let list = Self.keys.dropLast().joined(separator: ", ") + " or " + (Self.keys.last ?? "")
                throw ParseError(description: "unknown fault '\(key)': use \(list), e.g. \(Self.example)")
            }
        }
    }

    static func duration(_ text: String, key: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var milliseconds: Double?
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)) { milliseconds = number * scale * 1000 }
            break
        }
        if milliseconds == nil, let number = Double(text) { milliseconds = number * 1000 }
        // Bounded so that a typo such as 1e30s is an error, not an overflow trap.
        guard let milliseconds, milliseconds >= 0, milliseconds < 1e12 else {
            throw ParseError(description: "\(key) '\(text)' is not a duration: write e.g. 200ms, 5s or 1m")
        }
        return .milliseconds(Int64(milliseconds.rounded()))
    }
}
