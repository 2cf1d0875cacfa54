import Foundation

/// One kubeconfig context's workload identity health: a row of the fleet view and of
/// `widash identities --all-contexts`. A summary holds counts, not objects, so a fleet of tens of
/// clusters stays small in memory; a cluster's objects are loaded only when it is opened.
/// JSON field names are a public contract (README "Fleet").
public struct ClusterSummary: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, Hashable {
        /// Connecting or listing.
        case loading
        /// Listed (counts are complete).
        case ready
        /// Not listed: `failure` says why.
        case unreachable
    }

    public var context: String
    public var cluster: String
    /// The API server URL.
    public var server: String
    public var user: String
    public var status: Status
    /// Why the cluster could not be read, in one line (set when `status == .unreachable`).
    public var failure: ClusterFailure?

    /// Service accounts with at least one binding, by provider (`Provider.rawValue`); a service
    /// account with two providers counts under both.
    public var providers: [String: Int]
    /// Service accounts with at least one workload identity binding.
    public var identities: Int
    /// Pods that use one of those service accounts.
    public var pods: Int
    /// Identities whose status is error / warning, plus the cluster's own findings of that severity.
    public var errors: Int
    public var warnings: Int
    /// Trust audit verdicts of the bindings; nil when the audit did not run (`--no-cloud`).
    public var trust: TrustCounts?

    /// The service account issuer (from the API server's discovery document), nil when unknown.
    public var issuer: String?
    /// Whether the issuer's discovery document and JWKS can be fetched without credentials, as a cloud
    /// identity service fetches them.
    public var issuerDiscovery: IssuerDiscovery?
    /// The workload identity webhooks found, with their failurePolicy.
    public var webhooks: [WebhookSummary]
    /// The soonest expiry among the projected tokens of the pods (estimated from the kubelet's schedule).
    public var soonestTokenExpiry: Date?
    /// When the counts were read (the last list or watch update, or relist).
    public var refreshedAt: Date?

    public init(context: String, cluster: String, server: String, user: String, status: Status = .loading,
                failure: ClusterFailure? = nil, providers: [String: Int] = [:], identities: Int = 0, pods: Int = 0,
                errors: Int = 0, warnings: Int = 0, trust: TrustCounts? = nil, issuer: String? = nil,
                issuerDiscovery: IssuerDiscovery? = nil, webhooks: [WebhookSummary] = [],
                soonestTokenExpiry: Date? = nil, refreshedAt: Date? = nil) {
        self.context = context
        self.cluster = cluster
        self.server = server
        self.user = user
        self.status = status
        self.failure = failure
        self.providers = providers
        self.identities = identities
        self.pods = pods
        self.errors = errors
        self.warnings = warnings
        self.trust = trust
        self.issuer = issuer
        self.issuerDiscovery = issuerDiscovery
        self.webhooks = webhooks
        self.soonestTokenExpiry = soonestTokenExpiry
        self.refreshedAt = refreshedAt
    }
}

/// Why a cluster could not be read.
public struct ClusterFailure: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case dns, refused, tls, unauthorized, forbidden, timeout, config, other
    }
    public var kind: Kind
    /// One line, what failed and what to do (e.g. "TLS: certificate signed by an unknown CA …").
    public var message: String
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The trust audit's verdicts of a cluster's bindings.
public struct TrustCounts: Codable, Sendable, Hashable {
    public var trusted: Int
    public var mismatch: Int
    public var unknown: Int
    public init(trusted: Int = 0, mismatch: Int = 0, unknown: Int = 0) {
        self.trusted = trusted
        self.mismatch = mismatch
        self.unknown = unknown
    }
}

/// Whether an issuer's discovery document and keys are public.
public struct IssuerDiscovery: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, Hashable { case publicKeys = "public", notPublic = "not-public", unknown }
    public var state: State
    /// Why not public, or why unknown (one line).
    public var reason: String?
    public init(state: State, reason: String? = nil) {
        self.state = state
        self.reason = reason
    }
}
