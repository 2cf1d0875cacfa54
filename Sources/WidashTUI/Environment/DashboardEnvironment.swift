import Foundation
import WidashCore

/// The facts shown in the dashboard's header.
public struct HeaderFacts: Sendable, Hashable {
    public var context: String
    public var cluster: String
    public var apiServer: String
    public var issuer: String?
    public var user: String
    public var readOnly: Bool
    /// True when kubeconfig's `insecure-skip-tls-verify` turned TLS verification off.
    public var tlsInsecure: Bool

    public init(context: String, cluster: String, apiServer: String, issuer: String?, user: String,
                readOnly: Bool, tlsInsecure: Bool) {
        self.context = context
        self.cluster = cluster
        self.apiServer = apiServer
        self.issuer = issuer
        self.user = user
        self.readOnly = readOnly
        self.tlsInsecure = tlsInsecure
    }
}

/// One snapshot of the inventory as it loads and changes (list + watch).
public struct InventoryUpdate: Sendable, Hashable {
    /// The full inventory (not a delta): the UI replaces what it had.
    public var inventory: Inventory
    /// Objects loaded so far and expected in total (`loaded == expected` once the first list is done).
    public var loaded: Int
    public var expected: Int
    /// A problem to show in the error banner while the rest keeps working (nil clears the banner).
    public var errorBanner: String?
    public var receivedAt: Date
    /// The service accounts whose entries may differ from the previous update's, the list of
    /// entries being the same; nil when anything may have changed. Lets the dashboard redo only
    /// those rows (the trust audit sends an update for every few verdicts).
    public var changedKeys: Set<String>?
    /// The table facts of `inventory`, prepared off the UI thread by the executor.
    var prepared: PreparedTableFacts?

    public init(inventory: Inventory, loaded: Int, expected: Int, errorBanner: String? = nil, receivedAt: Date = Date(),
                changedKeys: Set<String>? = nil) {
        self.inventory = inventory
        self.loaded = loaded
        self.expected = expected
        self.errorBanner = errorBanner
        self.receivedAt = receivedAt
        self.changedKeys = changedKeys
    }

    public var isComplete: Bool { loaded >= expected }
}

/// Whether a token's signature was checked against the issuer's published keys.
public enum SignatureStatus: Sendable, Hashable {
    case verified(keyID: String)
    case invalid(reason: String)
    case notChecked(reason: String)

    public var label: String {
        switch self {
        case .verified(let kid): return "verified with key \(kid)"
        case .invalid(let reason): return "INVALID: \(reason)"
        case .notChecked(let reason): return "not checked: \(reason)"
        }
    }
}

/// The result of fetching a test token for a service account (TokenRequest) and, when possible,
/// exchanging it for a cloud token. Never holds the raw token unless `--show-token` asked for it.
public struct TokenInspection: Sendable, Hashable {
    public var namespace: String
    public var serviceAccount: String
    public var pod: String?
    /// Decoded JOSE header, one `key: value` per line.
    public var headerLines: [String]
    /// Decoded claims, one `key: value` per line (times shown as dates).
    public var claimLines: [String]
    public var issuedAt: Date?
    public var expiresAt: Date?
    public var signature: SignatureStatus
    /// A short summary of the cloud token obtained with it (e.g. "Entra access token for
    /// https://vault.azure.net, expires in 3599 s"), or why none was obtained.
    public var cloudTokenSummary: String?
    /// The cloud token's decoded claims, when it is a JWT.
    public var cloudClaimLines: [String]
    /// When the cloud token obtained with it expires (the token timeline draws its life).
    public var cloudExpiresAt: Date?
    /// The raw service-account token: only set when the user passed `--show-token`.
    public var rawToken: String?
    /// Set when fetching failed: what failed and what to do.
    public var error: String?
    /// The decoded header and claims, when known: the token view shows them one claim per line with
    /// times relative to the clock as it moves (the lines above are fixed at fetch time).
    public var header: JSONValue?
    public var claims: JSONValue?

    public init(namespace: String, serviceAccount: String, pod: String?, headerLines: [String], claimLines: [String],
                issuedAt: Date?, expiresAt: Date?, signature: SignatureStatus, cloudTokenSummary: String?,
                cloudClaimLines: [String] = [], rawToken: String? = nil, error: String? = nil) {
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        self.pod = pod
        self.headerLines = headerLines
        self.claimLines = claimLines
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.signature = signature
        self.cloudTokenSummary = cloudTokenSummary
        self.cloudClaimLines = cloudClaimLines
        self.rawToken = rawToken
        self.error = error
    }

    /// A failed fetch.
    public static func failure(namespace: String, serviceAccount: String, pod: String?, error: String) -> TokenInspection {
        TokenInspection(namespace: namespace, serviceAccount: serviceAccount, pod: pod, headerLines: [], claimLines: [],
                        issuedAt: nil, expiresAt: nil, signature: .notChecked(reason: "no token"), cloudTokenSummary: nil,
                        error: error)
    }
}

public enum DoctorStatus: String, Sendable, Hashable {
    case pass, warn, fail
}

/// One check of `:doctor` (cluster reachability, issuer discovery, webhooks, clock skew, ...).
public struct DoctorCheck: Sendable, Hashable {
    public var name: String
    public var status: DoctorStatus
    public var detail: String
    public init(name: String, status: DoctorStatus, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// Everything the dashboard needs from the outside world. All calls are made off the UI thread by
/// the runtime; implementations must never block for long in the synchronous members.
public protocol DashboardEnvironment: Sendable {
    /// Facts for the header (current context).
    func headerFacts() async -> HeaderFacts

    /// Inventory snapshots, starting with the first list and following watch events, for
    /// `namespace` (nil: all namespaces). The stream ends when the consumer stops iterating or
    /// the context changes.
    func inventoryUpdates(namespace: String?) -> AsyncStream<InventoryUpdate>

    /// Runs the five-step trace for a pod. `resource` is the step-5 resource (nil: the default);
    /// `podToken`: present the pod's own token file (pods/exec) instead of a TokenRequest's.
    func runTrace(namespace: String, pod: String, resource: String?, podToken: Bool) -> AsyncStream<TraceEvent>

    /// Requests a test token for the service account (bound to `pod` when given) and inspects it.
    func fetchToken(namespace: String, serviceAccount: String, pod: String?) async -> TokenInspection

    /// Runs the doctor checks.
    func doctor() async -> [DoctorCheck]

    /// Kubeconfig context names.
    func contexts() -> [String]

    /// Switches the context; later calls use it. Throws a message to show when it cannot.
    func switchContext(_ name: String) async throws

    /// Namespace names of the current context.
    func namespaces() async -> [String]

    /// Resources that step 5 can call for this identity (e.g. Key Vault, Storage, ARM).
    func traceResources(namespace: String, serviceAccount: String) async -> [String]

    /// Forgets what the trust audit read and audits again; the verdicts arrive with the inventory
    /// updates (rows show `checking` meanwhile). Returns at once.
    func rerunTrustAudit()

    /// The watched events of a service account's pods and of the workloads whose pod template uses
    /// it (a default that says it has none is in EventsEnvironment.swift).
    func identityEvents(namespace: String, serviceAccount: String) -> AsyncStream<IdentityEventsUpdate>

    /// The summaries of the kubeconfig contexts matching `contextsRegex` (nil: all), each replaced
    /// as it changes; throws when there is no fleet to watch (the default, in FleetEnvironment.swift).
    func fleetSummaries(contextsRegex: String?) throws -> AsyncStream<ClusterSummary>
}
