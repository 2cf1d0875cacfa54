import Foundation
import XCTest
@testable import WidashCore

/// The fleet row of one cluster, computed from its inventory; the fleet table and JSON.
final class ClusterSummaryTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let facts = ClusterContextFacts(context: "prod-aks", cluster: "aks-1", server: "https://aks.example:443", user: "clusterUser")

    private func pod(_ ns: String, _ name: String, sa: String, provider: Provider?, expiresIn: TimeInterval?) -> PodIdentity {
        let schedule = expiresIn.map { TokenSchedule(ttlSeconds: 3600, issuedAt: now, refreshAt: now.addingTimeInterval($0 * 0.8),
                                                     expiresAt: now.addingTimeInterval($0)) }
        return PodIdentity(namespace: ns, name: name, serviceAccount: sa, provider: provider, injected: provider != nil, injectedEnv: [],
                           tokenPath: nil, audience: nil, tokenTTLSeconds: 3600, startTime: now, schedule: schedule, phase: "Running",
                           readyContainers: 1, totalContainers: 1)
    }

    private func finding(_ severity: Severity, _ subject: String) -> Finding {
        Finding(code: "x-\(severity.rawValue)", severity: severity, subject: subject, message: "m", fix: "f")
    }

    private func sampleInventory() -> Inventory {
        let azure = IdentityBinding(provider: .azure, cloudIdentity: "c1", source: "annotation", trust: TrustVerdict(state: .trusted))
        let azureBad = IdentityBinding(provider: .azure, cloudIdentity: "c2", source: "annotation", trust: TrustVerdict(state: .mismatch))
        let irsa = IdentityBinding(provider: .awsIRSA, cloudIdentity: "arn", source: "annotation", trust: .unknown("no creds"))
        let legacy = IdentityBinding(provider: .azurePodIdentity, cloudIdentity: "legacy", source: "AzureIdentityBinding")
        let gcp = IdentityBinding(provider: .gcp, cloudIdentity: "sa@p.iam", source: "annotation", trust: .checking)
        let identities = [
            // Two providers on one service account: counted under both, once as an identity.
            IdentityEntry(namespace: "shop", name: "front", annotations: [:], bindings: [azure, irsa],
                          pods: [pod("shop", "front-1", sa: "front", provider: .azure, expiresIn: 3000),
                                 pod("shop", "front-2", sa: "front", provider: .azure, expiresIn: 1200)],
                          findings: [], status: .ok),
            IdentityEntry(namespace: "shop", name: "api", annotations: [:], bindings: [azureBad],
                          pods: [pod("shop", "api-1", sa: "api", provider: .azure, expiresIn: 600)],
                          findings: [finding(.error, "shop/api")], status: .error),
            IdentityEntry(namespace: "legacy", name: "old", annotations: [:], bindings: [legacy], pods: [],
                          findings: [finding(.warning, "legacy/old")], status: .warning),
            IdentityEntry(namespace: "gcp", name: "gke", annotations: [:], bindings: [gcp],
                          pods: [pod("gcp", "gke-1", sa: "gke", provider: .gcp, expiresIn: nil)], findings: [], status: .ok),
            // No binding: not an identity, its pod not counted, but its error is the cluster's.
            IdentityEntry(namespace: "default", name: "default", annotations: [:], bindings: [],
                          pods: [pod("default", "web", sa: "default", provider: nil, expiresIn: 60)],
                          findings: [finding(.error, "default/default")], status: .error),
        ]
        return Inventory(issuer: "https://oidc.example/abc", webhooks: [WebhookSummary(kind: "azure", name: "azure-wi", failurePolicy: "Ignore")],
                         identities: identities, clusterFindings: [finding(.error, "cluster"), finding(.warning, "cluster"), finding(.info, "cluster")])
    }

    func testCountsProvidersIdentitiesPodsFindingsTrustAndSoonestExpiry() {
        let discovery = IssuerDiscovery(state: .publicKeys)
        let summary = ClusterSummarizer.summarize(sampleInventory(), facts: facts, audited: true, issuerDiscovery: discovery, now: now)
        XCTAssertEqual(summary.status, .ready)
        XCTAssertNil(summary.failure)
        XCTAssertEqual(summary.context, "prod-aks")
        XCTAssertEqual(summary.cluster, "aks-1")
        XCTAssertEqual(summary.user, "clusterUser")
        XCTAssertEqual(summary.providers, ["azure": 2, "aws-irsa": 1, "azure-pod-identity": 1, "gcp": 1])
        XCTAssertEqual(summary.identities, 4)
        XCTAssertEqual(summary.pods, 4, "the pod of the service account without a binding is not counted")
        // Identities in error (api, default) + the cluster's error; warnings: legacy/old + the cluster's.
        XCTAssertEqual(summary.errors, 3)
        XCTAssertEqual(summary.warnings, 2)
        // The legacy binding carries no verdict; `checking` counts as unknown.
        XCTAssertEqual(summary.trust, TrustCounts(trusted: 1, mismatch: 1, unknown: 2))
        XCTAssertEqual(summary.issuer, "https://oidc.example/abc")
        XCTAssertEqual(summary.issuerDiscovery, discovery)
        XCTAssertEqual(summary.webhooks.map(\.failurePolicy), ["Ignore"])
        XCTAssertEqual(summary.soonestTokenExpiry, now.addingTimeInterval(600), "the api pod's token, not the unbound pod's")
        XCTAssertEqual(summary.refreshedAt, now)
        XCTAssertTrue(summary.hasErrors)
    }

    func testWithoutTheAuditThereIsNoTrustAndAnEmptyClusterIsAllZeros() {
        XCTAssertNil(ClusterSummarizer.summarize(sampleInventory(), facts: facts, audited: false, issuerDiscovery: nil, now: now).trust)
        let empty = ClusterSummarizer.summarize(Inventory(issuer: nil, webhooks: [], identities: [], clusterFindings: []),
                                                facts: facts, audited: true, issuerDiscovery: nil, now: now)
        XCTAssertEqual(empty.providers, [:])
        XCTAssertEqual([empty.identities, empty.pods, empty.errors, empty.warnings], [0, 0, 0, 0])
        XCTAssertEqual(empty.trust, TrustCounts())
        XCTAssertNil(empty.soonestTokenExpiry)
        XCTAssertFalse(empty.hasErrors)
    }

    func testUnreachableRowSaysWhyInOneLine() {
        let failure = ClusterFailure(kind: .forbidden, message: "forbidden (403): user cannot list serviceaccounts")
        let summary = ClusterSummarizer.unreachable(facts, failure: failure, now: now)
        XCTAssertEqual(summary.status, .unreachable)
        let table = FleetTable.render([summary, ClusterSummarizer.summarize(sampleInventory(), facts: ClusterContextFacts(
            context: "dev", cluster: "dev", server: "https://dev", user: "u"), audited: true, issuerDiscovery: nil, now: now)],
                                      width: 400, now: now)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("CONTEXT   STATUS"), table)
        XCTAssertTrue(lines[1].hasPrefix("prod-aks  unreachable: forbidden  -"), table)
        XCTAssertTrue(lines[2].contains("dev       ready"), table)
        XCTAssertTrue(lines[2].contains("Azure WI 2, AWS IRSA 1, GKE WI 1, aad-pod-id 1"), table)
        XCTAssertTrue(lines[2].contains("1✓ 1✗ 2?"), table)
        XCTAssertTrue(lines[2].contains("azure:Ignore"), table)
        XCTAssertTrue(lines[2].hasSuffix("in 10m"), table)
        XCTAssertEqual(lines[4], "UNREACHABLE (1)")
        XCTAssertEqual(lines[5], "  prod-aks: forbidden: forbidden (403): user cannot list serviceaccounts")
    }

    func testNarrowTablesCutTheIssuerFirstAndNeverTheContext() {
        let summary = ClusterSummarizer.summarize(sampleInventory(), facts: facts, audited: true, issuerDiscovery: nil, now: now)
        let table = FleetTable.render([summary], width: 60, now: now)
        let row = table.split(separator: "\n")[1]
        XCTAssertTrue(row.hasPrefix("prod-aks  ready"), table)
        XCTAssertTrue(row.contains("https://oid…"), "the issuer shrinks to its minimum with an ellipsis: \(table)")
    }

    func testFleetDocumentRoundTripsAndLeavesOutAMissingInventory() throws {
        let ready = ClusterSummarizer.summarize(sampleInventory(), facts: facts, audited: true, issuerDiscovery: nil, now: now)
        let document = FleetDocument(clusters: [FleetCluster(summary: ready, inventory: sampleInventory()),
                                                FleetCluster(summary: ClusterSummarizer.unreachable(facts, failure: ClusterFailure(kind: .dns, message: "x"), now: now))])
        let data = try document.encoded()
        XCTAssertEqual(try FleetDocument.decode(data), document)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let clusters = try XCTUnwrap(object["clusters"] as? [[String: Any]])
        XCTAssertNotNil(clusters[0]["inventory"])
        XCTAssertNil(clusters[1]["inventory"], "an unreachable cluster has no inventory key")
        XCTAssertEqual((clusters[1]["summary"] as? [String: Any])?["status"] as? String, "unreachable")
    }
}
