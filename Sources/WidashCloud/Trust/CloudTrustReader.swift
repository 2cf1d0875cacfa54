import Foundation
import WidashHTTP

/// What the trust audit and the trace's step 3 read from the clouds, read once and kept for a time
/// to live (the trace reuses what the audit read). Read-only: no token exchange, no TokenRequest.
/// Every call goes through `ReadRetryTransport` (429/503 honoured) and is counted.
public final class CloudTrustReader: Sendable {
    public struct Endpoints: Sendable {
        public var graph = "https://graph.microsoft.com"
        public var arm = "https://management.azure.com"
        public var gcpIAM = "https://iam.googleapis.com"
        public init() {}
    }

    let transport: any HTTPTransport
    let environment: [String: String]
    let azureCredential: (any AzureOperatorCredential)?
    let awsConfiguration: AWSConfiguration
    let google: GoogleOperatorCredential
    let endpoints: Endpoints
    /// Subscriptions to search for managed identities; empty = every subscription the operator can list.
    let azureSubscriptionIDs: [String]
    let timeouts: HTTPTimeouts?
    /// Requests sent so far (the audit benchmark reports it).
    public let requests = RequestCounter()

    // Caches: one list per collection, one read per identity or role.
    let operatorTokens: ExpiringCache<String, Result<String, TrustReadProblem>>
    let subscriptions: ExpiringCache<String, Result<[String], TrustReadProblem>>
    let identityLists: ExpiringCache<String, Result<[String: UserAssignedIdentity], TrustReadProblem>>
    let credentialLists: ExpiringCache<String, Result<[FederatedIdentityCredential], TrustReadProblem>>
    let applications: ExpiringCache<String, Result<[FederatedIdentityCredential]?, TrustReadProblem>>
    let servicePrincipals: ExpiringCache<String, Result<String?, TrustReadProblem>>
    let roleAssignmentLists: ExpiringCache<String, Result<[String: [RoleAssignment]], TrustReadProblem>>
    let roleNameLists: ExpiringCache<String, Result<[String: String], TrustReadProblem>>
    let roles: ExpiringCache<String, Result<IAMRole?, TrustReadProblem>>
    let oidcProviders: ExpiringCache<String, Result<OIDCProvider?, TrustReadProblem>>
    /// A cluster's associations as listed (no role), and each one's description (with the role).
    let associationLists: ExpiringCache<String, Result<[PodIdentityAssociation], TrustReadProblem>>
    let associationDescriptions: ExpiringCache<String, Result<PodIdentityAssociation, TrustReadProblem>>
    let policies: ExpiringCache<String, Result<GCPIAMPolicy?, TrustReadProblem>>

    public init(transport: any HTTPTransport, environment: [String: String], azureCredential: (any AzureOperatorCredential)?,
                awsConfiguration: AWSConfiguration? = nil, google: GoogleOperatorCredential? = nil, endpoints: Endpoints = Endpoints(),
                azureSubscriptionIDs: [String]? = nil, ttl: Duration = .seconds(300), timeouts: HTTPTimeouts? = nil) {
        let counter = requests
        self.transport = ReadRetryTransport(base: transport, counter: counter)
        self.environment = environment
        self.azureCredential = azureCredential
        self.awsConfiguration = awsConfiguration ?? AWSConfiguration(environment: environment)
        self.google = google ?? GoogleOperatorCredential(environment: environment)
        self.endpoints = endpoints
        self.azureSubscriptionIDs = azureSubscriptionIDs
            ?? (environment["AZURE_SUBSCRIPTION_ID"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? [])
        self.timeouts = timeouts
        // Tokens for 10 minutes (they last an hour); "no credentials" too, so that a missing gcloud or
        // az is asked once per audit, not once per identity.
        operatorTokens = Self.cache(.seconds(600))
        subscriptions = Self.cache(ttl); identityLists = Self.cache(ttl); credentialLists = Self.cache(ttl)
        applications = Self.cache(ttl); servicePrincipals = Self.cache(ttl); roleAssignmentLists = Self.cache(ttl)
        roleNameLists = Self.cache(ttl); roles = Self.cache(ttl); oidcProviders = Self.cache(ttl)
        policies = Self.cache(ttl); associationLists = Self.cache(ttl); associationDescriptions = Self.cache(ttl)
    }

    /// A cache that keeps answers and refusals, not transient failures.
    static func cache<T: Sendable>(_ ttl: Duration) -> ExpiringCache<String, Result<T, TrustReadProblem>> {
        ExpiringCache(ttl: ttl, keep: { result in
            if case .failure(let problem) = result { return !problem.transient }
            return true
        })
    }

    /// Forgets everything read: the next audit or trace reads the clouds again.
    public func invalidate() async {
        await operatorTokens.removeAll(); await subscriptions.removeAll()
        await identityLists.removeAll(); await credentialLists.removeAll(); await applications.removeAll()
        await servicePrincipals.removeAll(); await roleAssignmentLists.removeAll(); await roleNameLists.removeAll()
        await roles.removeAll(); await oidcProviders.removeAll(); await associationLists.removeAll(); await associationDescriptions.removeAll(); await policies.removeAll()
    }

    /// Runs a client call and turns its failure into a `TrustReadProblem`.
    func attempt<T: Sendable>(_ what: String, permission: String, _ body: () async throws -> T) async -> Result<T, TrustReadProblem> {
        do {
            return .success(try await body())
        } catch {
            return .failure(TrustReadProblem.from(error, what: what, permission: permission))
        }
    }
}
