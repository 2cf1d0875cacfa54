import Foundation
import WidashCore
@testable import WidashTUI

/// A small fleet with one cluster in each state, at the fixed test clock.
enum SampleFleet {
    static let now = TestSupport.now

    /// Ready: Azure WI and IRSA workloads, one trust mismatch, a public issuer, the Azure webhook.
    static let aks = ClusterSummary(
        context: "aks-prod", cluster: "aks-prod", server: "https://aks-prod.hcp.westeurope.azmk8s.io:443", user: "clusterUser",
        status: .ready, providers: ["azure": 12, "aws-irsa": 3, "azure-pod-identity": 1], identities: 15, pods: 22, errors: 2,
        warnings: 1, trust: TrustCounts(trusted: 12, mismatch: 2, unknown: 1),
        issuer: "https://westeurope.oic.prod-aks.azure.com/t/1/", issuerDiscovery: IssuerDiscovery(state: .publicKeys),
        webhooks: [WebhookSummary(kind: "azure", name: "azure-wi-webhook", failurePolicy: "Fail")],
        soonestTokenExpiry: now.addingTimeInterval(1_250), refreshedAt: now.addingTimeInterval(-42))

    /// Ready: Pod Identity and GKE, an issuer whose keys are not public, no webhook.
    static let eks = ClusterSummary(
        context: "eks-payments", cluster: "payments", server: "https://ABC.gr7.us-east-1.eks.amazonaws.com", user: "eks-admin",
        status: .ready, providers: ["aws-pod-identity": 2, "gcp": 1], identities: 3, pods: 4, errors: 0, warnings: 0,
        trust: TrustCounts(trusted: 3), issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
        issuerDiscovery: IssuerDiscovery(state: .notPublic, reason: "JWKS answered 403"),
        soonestTokenExpiry: now.addingTimeInterval(200), refreshedAt: now.addingTimeInterval(-400))

    /// Still listing.
    static let staging = ClusterSummary(context: "gke-staging", cluster: "staging", server: "https://10.0.0.2", user: "gke-user")

    /// Unreachable: its reason in one line.
    static let old = ClusterSummary(
        context: "onprem-old", cluster: "old", server: "https://10.9.9.9:6443", user: "admin", status: .unreachable,
        failure: ClusterFailure(kind: .refused, message: "connection to https://10.9.9.9:6443/api/v1/serviceaccounts refused:\nis the server running?"),
        refreshedAt: now.addingTimeInterval(-5))

    static let all = [aks, eks, staging, old]

    /// A dashboard started with `--fleet` that received `summaries` in order.
    static func state(width: Int = 120, height: Int = 14, summaries: [ClusterSummary] = all, regex: String? = nil) -> AppState {
        var options = DashboardOptions()
        options.startsOnFleet = true
        options.fleetContexts = regex
        var state = AppState(width: width, height: height, now: now, options: options)
        _ = FleetActions.start(&state)
        _ = update(&state, .header(TestSupport.header))
        for s in summaries { _ = update(&state, .fleet(s)) }
        return state
    }
}
