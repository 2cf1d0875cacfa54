import Foundation
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashService
@testable import WidashTUI
import XCTest

/// The dashboard's environment against the real demo sandbox: the same session `widash --demo`
/// builds (in-memory kubeconfig, libcurl, TLS, the sandbox CA and host mapping for the clouds).
final class LiveEnvironmentTests: XCTestCase {
    private func start(showToken: Bool = false) async throws -> (LiveEnvironment, SandboxServer) {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>",
                                                context: nil, namespace: nil)
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: SandboxServer.operatorEnvironment(base: [:]),
            eksClusterName: SandboxServer.operatorEnvironment["WIDASH_EKS_CLUSTER"]))
        return (LiveEnvironment(session: session, showToken: showToken), sandbox)
    }

    private func trace(_ env: LiveEnvironment, _ namespace: String, _ pod: String) async -> TraceReport? {
        var report: TraceReport?
        for await event in env.runTrace(namespace: namespace, pod: pod, resource: nil, podToken: false) {
            if case .finished(let r) = event { report = r }
        }
        return report
    }

    func testTracesAreTheCloudsVerdicts() async throws {
        let (env, sandbox) = try await start()
        addTeardownBlock { await sandbox.stop() }

        let wrongRun = await trace(env, "broken", "wrong-subject")
        let wrong = try XCTUnwrap(wrongRun)
        XCTAssertEqual(wrong.result, .failed)
        XCTAssertEqual(wrong.steps.map(\.status), [.passed, .passed, .failed, .skipped, .skipped])
        XCTAssertEqual(wrong.steps[2].evidence["errorCode"], "AADSTS700213")
        XCTAssertEqual(wrong.steps[2].diagnosis?.mismatches.first?.field, "subject")

        let healthyRun = await trace(env, "shop", "frontend")
        let healthy = try XCTUnwrap(healthyRun)
        XCTAssertEqual(healthy.result, .passed, "\(healthy.steps.map { ($0.number, $0.status, $0.diagnosis?.summary ?? "") })")
        XCTAssertEqual(healthy.steps.map(\.status), Array(repeating: StepStatus.passed, count: 5))

        let missingRun = await trace(env, "shop", "no-such-pod")
        let missing = try XCTUnwrap(missingRun)
        XCTAssertEqual(missing.steps.first?.status, .failed)
        XCTAssertTrue(missing.steps.first?.diagnosis?.summary.contains("not found") ?? false)
    }

    func testTestTokenIsHiddenUnlessAskedAndIsExchangedWithoutCallingAResource() async throws {
        let (hiddenEnv, sandbox) = try await start()
        addTeardownBlock { await sandbox.stop() }
        let hidden = await hiddenEnv.fetchToken(namespace: "shop", serviceAccount: "frontend", pod: "frontend")
        XCTAssertNil(hidden.error)
        XCTAssertNil(hidden.rawToken)
        XCTAssertTrue(hidden.claimLines.contains("sub: system:serviceaccount:shop:frontend"), "\(hidden.claimLines)")
        guard case .verified = hidden.signature else { return XCTFail("signature: \(hidden.signature)") }
        XCTAssertTrue(hidden.cloudTokenSummary?.hasPrefix("cloud token for") ?? false, hidden.cloudTokenSummary ?? "nil")

        let (shownEnv, other) = try await start(showToken: true)
        addTeardownBlock { await other.stop() }
        let shown = await shownEnv.fetchToken(namespace: "shop", serviceAccount: "frontend", pod: nil)
        XCTAssertEqual(shown.rawToken?.split(separator: ".").count, 3)
    }

    func testInventoryStreamCompletesWithWhatTheServerHolds() async throws {
        let (env, sandbox) = try await start()
        addTeardownBlock { await sandbox.stop() }
        let accounts = await sandbox.storedObjects("serviceaccounts").count
        var last: InventoryUpdate?
        for await update in env.inventoryUpdates(namespace: nil) {
            last = update
            if update.isComplete { break }
        }
        let complete = try XCTUnwrap(last)
        XCTAssertTrue(complete.isComplete)
        XCTAssertEqual(complete.inventory.identities.count, accounts)
        let namespaces = await env.namespaces()
        XCTAssertTrue(namespaces.contains("broken") && namespaces.contains("shop"), "\(namespaces)")
        let resources = await env.traceResources(namespace: "shop", serviceAccount: "backend")
        XCTAssertTrue(resources.contains { $0.hasPrefix("https://shop-cosmos.documents.azure.com") }, "\(resources)")
    }
}
