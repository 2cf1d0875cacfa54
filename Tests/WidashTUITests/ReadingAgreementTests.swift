import Foundation
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashService
@testable import WidashTUI
import XCTest

/// One fact, one place: for every pod of the demo, what `widash identities` prints, what the
/// dashboard's live feed shows and what `widash trace` decides agree on the provider and the
/// pod's findings (all three read the pod with PodReader).
final class ReadingAgreementTests: XCTestCase {
    func testIdentitiesDashboardAndTraceAgreeOnEveryDemoPod() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>", context: nil, namespace: nil)
        let environment = SandboxServer.operatorEnvironment(base: [:])
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: environment, eksClusterName: environment["WIDASH_EKS_CLUSTER"],
            gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"]))

        // `widash identities` (the snapshot) and the dashboard (the live feed).
        let cli = try await session.inventory(namespace: nil)
        // The feed's first complete update may come before its cluster-wide reads (webhooks,
        // aad-pod-identity) are in: compare the reading once they are, as the CLI's snapshot has them.
        var dashboard: Inventory?
        let legacyRead = cli.identities.contains { $0.pods.contains { $0.provider == .azurePodIdentity } }
        let deadline = Date().addingTimeInterval(30)
        for await update in LiveEnvironment(session: session, showToken: false).inventoryUpdates(namespace: nil) where update.isComplete {
            dashboard = update.inventory
            let hasLegacy = update.inventory.identities.contains { $0.pods.contains { $0.provider == .azurePodIdentity } }
            if hasLegacy == legacyRead || Date() > deadline { break }
        }
        let live = try XCTUnwrap(dashboard)

        // The cloud side (the dashboard audits, `inventory` does not) is compared in AuditTraceAgreementTests.
        let cloudCodes: Set<FindingCode> = [.trustMismatch, .trustUnknown, .trustWarning, .noRoleAssignment, .podStartedBeforeAssociation, .legacyPodIdentity]
        func pods(_ inventory: Inventory) -> [String: (provider: Provider?, findings: [String])] {
            var out: [String: (Provider?, [String])] = [:]
            for entry in inventory.identities {
                for pod in entry.pods {
                    let key = "\(pod.namespace)/\(pod.name)"
                    out[key] = (pod.provider, entry.findings.filter { f in f.subject == key && !cloudCodes.contains { $0.rawValue == f.code } }
                        .map(\.code).sorted())
                }
            }
            return out
        }
        let fromCLI = pods(cli)
        let fromDashboard = pods(live)
        XCTAssertEqual(fromCLI.keys.sorted(), fromDashboard.keys.sorted())
        XCTAssertEqual(fromCLI.count, 21, "every demo pod")

        // `widash trace`, for every pod (step 1 carries the reading's provider and findings).
        for (key, expected) in fromCLI.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").map(String.init)
            var report: TraceReport?
            for await event in try await session.trace(namespace: parts[0], pod: parts[1]) {
                if case .finished(let r) = event { report = r }
            }
            let trace = try XCTUnwrap(report, key)
            let traced = (trace.steps.first?.evidence["findings"] ?? "").split(separator: ",").map(String.init).sorted()
            // A legacy aad-pod-identity pod has no federated provider to trace.
            let provider = expected.provider == .azurePodIdentity ? nil : expected.provider
            XCTAssertEqual(trace.provider, provider, "\(key): provider")
            XCTAssertEqual(traced, expected.findings, "\(key): findings")
            XCTAssertEqual(fromDashboard[key]?.provider, expected.provider, "\(key): dashboard provider")
            XCTAssertEqual(fromDashboard[key]?.findings, expected.findings, "\(key): dashboard findings")
        }
    }
}
