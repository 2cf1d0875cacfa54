import Foundation
import Logging
import WidashHTTP

/// Tunables of `KubeClient`; the defaults suit a real cluster, tests inject sleepers and clocks.
public struct KubeClientOptions: Sendable {
    /// Refuse TokenRequests (and any other write) before a request is sent.
    public var readOnly: Bool
    public var timeouts: HTTPTimeouts
    public var userAgent: String
    /// Attempts for idempotent reads answered with 429/500/503 (the first try included).
    public var maxAttempts: Int
    /// First retry delay when the server gives no Retry-After; doubles each retry.
    public var retryBaseDelay: Duration
    /// Upper bound on an honoured Retry-After.
    public var maxRetryAfter: Duration
    /// Page size for paginated lists (`limit`).
    public var pageSize: Int
    /// `limit` of the pages after the first. The first page stays small so that rows show at once;
    /// the rest come in larger pages: fewer requests (each one costs a round trip, its headers and
    /// a list call on the server), measured on the 50 000-pod scale scenario at 500 / 1 000 / 2 000 /
    /// 5 000 per page, where 2 000 loaded in about 15 % less time than 500 (README, Performance).
    public var followingPageSize: Int
    /// Ask for pod and service-account lists in Kubernetes' protobuf encoding (`Accept:
    /// application/vnd.kubernetes.protobuf, application/json`, as client-go does for built-in
    /// types): half the bytes and twice as fast to decode; a server that answers JSON is read as JSON.
    public var protobufLists = true
    /// List pages decoded at the same time (capped by the processor count).
    public var listDecodeConcurrency = 2
    /// Watch reconnect backoff: first delay and cap.
    public var watchBackoffInitial: Duration
    public var watchBackoffMax: Duration
    /// Server-side watch timeout (`timeoutSeconds`); the watch is then resumed from the last resourceVersion.
    public var watchTimeoutSeconds: Int
    /// How long an exec credential plugin may run.
    public var execTimeout: Duration
    /// The environment exec plugins inherit.
    public var execEnvironment: [String: String]
    public var fileSystem: KubeFileSystem
    /// Exec plugin credentials shared with other clients of the same user (a fleet of contexts):
    /// the plugin runs once per user, not once per context. nil: this client's own cache.
    public var sharedExecCredentials: ExecCredentialCache?
    public var sleep: @Sendable (Duration) async throws -> Void
    public var now: @Sendable () -> Date
    public var logger: Logger

    public init(readOnly: Bool = false, timeouts: HTTPTimeouts = HTTPTimeouts(), userAgent: String = "widash/0.1",
                maxAttempts: Int = 5, retryBaseDelay: Duration = .milliseconds(500),
                maxRetryAfter: Duration = .seconds(30), pageSize: Int = 500, followingPageSize: Int = 2_000,
                watchBackoffInitial: Duration = .milliseconds(800), watchBackoffMax: Duration = .seconds(30),
                watchTimeoutSeconds: Int = 300, execTimeout: Duration = .seconds(30),
                execEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                fileSystem: KubeFileSystem = .local,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "widash.kube")) {
        self.readOnly = readOnly
        self.timeouts = timeouts
        self.userAgent = userAgent
        self.maxAttempts = maxAttempts
        self.retryBaseDelay = retryBaseDelay
        self.maxRetryAfter = maxRetryAfter
        self.pageSize = pageSize
        self.followingPageSize = followingPageSize
        self.watchBackoffInitial = watchBackoffInitial
        self.watchBackoffMax = watchBackoffMax
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.execTimeout = execTimeout
        self.execEnvironment = execEnvironment
        self.fileSystem = fileSystem
        self.sleep = sleep
        self.now = now
        self.logger = logger
    }
}
