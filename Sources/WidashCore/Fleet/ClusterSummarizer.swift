import Foundation

/// Which kubeconfig context a summary is about: the names it has in the kubeconfig and its API
/// server, known before anything is read.
public struct ClusterContextFacts: Sendable, Hashable {
    public var context: String
    public var cluster: String
    public var server: String
    public var user: String

    public init(context: String, cluster: String, server: String, user: String) {
        self.context = context
        self.cluster = cluster
        self.server = server
        self.user = user
    }
}

/// Turns one cluster's inventory into its fleet row. Pure: the fleet session, the CLI and the
/// tests call it with the same inputs and get the same counts.
public enum ClusterSummarizer {
    /// The summary of a listed cluster.
    /// - Parameters:
    ///   - audited: whether the trust audit ran (`trust` is nil when it did not, as `--no-cloud`).
    ///   - issuerDiscovery: whether the issuer's discovery and JWKS are public (nil: not checked).
    ///   - now: when the inventory was read (`refreshedAt`).
    public static func summarize(_ inventory: Inventory, facts: ClusterContextFacts, audited: Bool,
                                 issuerDiscovery: IssuerDiscovery?, now: Date) -> ClusterSummary {
        let bound = inventory.identities.filter { !$0.bindings.isEmpty }
        var providers: [String: Int] = [:]
        for entry in bound {
            for provider in Set(entry.bindings.map(\.provider)) { providers[provider.rawValue, default: 0] += 1 }
        }
        let clusterErrors = inventory.clusterFindings.filter { $0.severity == .error }.count
        let clusterWarnings = inventory.clusterFindings.filter { $0.severity == .warning }.count
        // Identities with an error or warning status (their findings decide it), counted once each,
        // plus the cluster's own findings: the same totals the inventory's table lists.
        let errors = inventory.identities.filter { $0.status == .error }.count + clusterErrors
        let warnings = inventory.identities.filter { $0.status == .warning }.count + clusterWarnings
        return ClusterSummary(
            context: facts.context, cluster: facts.cluster, server: facts.server, user: facts.user, status: .ready,
            providers: providers, identities: bound.count, pods: bound.reduce(0) { $0 + $1.pods.count },
            errors: errors, warnings: warnings, trust: audited ? trustCounts(bound) : nil,
            issuer: inventory.issuer, issuerDiscovery: issuerDiscovery, webhooks: inventory.webhooks,
            soonestTokenExpiry: bound.flatMap(\.pods).compactMap { $0.schedule?.expiresAt }.min(),
            refreshedAt: now)
    }

    /// A cluster that could not be listed: the context's facts and why, nothing else.
    public static func unreachable(_ facts: ClusterContextFacts, failure: ClusterFailure, now: Date) -> ClusterSummary {
        ClusterSummary(context: facts.context, cluster: facts.cluster, server: facts.server, user: facts.user,
                       status: .unreachable, failure: failure, refreshedAt: now)
    }

    /// A cluster being connected to or listed.
    public static func loading(_ facts: ClusterContextFacts) -> ClusterSummary {
        ClusterSummary(context: facts.context, cluster: facts.cluster, server: facts.server, user: facts.user, status: .loading)
    }

    /// The verdicts of the bindings the audit judges; a binding it does not judge (legacy
    /// aad-pod-identity, AKS identity binding) carries no verdict and is not counted. A verdict
    /// still being read counts as unknown.
    static func trustCounts(_ entries: [IdentityEntry]) -> TrustCounts {
        var counts = TrustCounts()
        for verdict in entries.flatMap(\.bindings).compactMap(\.trust) {
            switch verdict.state {
            case .trusted: counts.trusted += 1
            case .mismatch: counts.mismatch += 1
            case .unknown, .checking: counts.unknown += 1
            }
        }
        return counts
    }
}

extension ClusterSummary {
    /// The context facts this summary is about.
    public var facts: ClusterContextFacts {
        ClusterContextFacts(context: context, cluster: cluster, server: server, user: user)
    }

    /// True when the cluster has an error-level finding (or an identity in error).
    public var hasErrors: Bool { errors > 0 }
}

/// A failure is also an error value, so that a context that cannot be resolved carries it in a `Result`.
extension ClusterFailure: Error {}
