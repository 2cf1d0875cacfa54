import Foundation
import XCTest
import WidashCore
import WidashHTTP
import WidashKube
@testable import WidashService
import WidashSandbox

/// A service account's watched events against the demo sandbox over HTTPS: shop/checkout's stuck
/// rollout (its revision 2 ReplicaSet cannot create pods) shows its FailedCreate event, a retry
/// arrives through the watch, and a user who may not list workloads is told which permission.
final class IdentityEventsFeedTests: XCTestCase {
    private func session(_ server: SandboxServer, context: String? = nil) throws -> ClusterSession {
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: try XCTUnwrap(server.info.kubeconfig), context: context))
        return ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                   cloudEnvironment: [:], readOnly: true))
    }

    private func start() async throws -> (SandboxServer, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-events-\(UUID().uuidString)")
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path))
        return (server, directory)
    }

    func testTheStuckRolloutsFailedCreateIsListedThenWatched() async throws {
        let (server, directory) = try await start()
        addTeardownBlock {
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        var feed = try session(server).identityEvents(namespace: "shop", serviceAccount: "checkout")
        feed.coalesce = .milliseconds(1)
        var first: IdentityEventsUpdate?
        var retried: IdentityEventsUpdate?
        let deadline = ContinuousClock.now + .seconds(60)
        for await update in feed.updates() {
            if ContinuousClock.now > deadline { break }
            guard update.listed, update.events.contains(where: { $0.reason == "FailedCreate" }) else { continue }
            if first == nil {
                first = update
                // The controller's next requeue comes due: the event is patched, a MODIFIED watch event.
                _ = try await server.retryStuckRollout()
                continue
            }
            if update.events.first(where: { $0.reason == "FailedCreate" })?.occurrences == 21 {
                retried = update
                break
            }
        }
        let listed = try XCTUnwrap(first)
        XCTAssertEqual(listed.unreadable, [])
        XCTAssertTrue(listed.workloads.contains("Deployment/checkout"), "\(listed.workloads)")
        XCTAssertEqual(listed.workloads.filter { $0.hasPrefix("ReplicaSet/checkout-") }.count, 2, "\(listed.workloads)")
        let failed = try XCTUnwrap(listed.events.first { $0.reason == "FailedCreate" })
        XCTAssertEqual(failed.occurrences, 20)
        XCTAssertEqual(failed.involvedObject.kind, "ReplicaSet")
        XCTAssertEqual(EventDiagnosis.diagnose(failed)?.kind, .webhookUnavailable)
        XCTAssertTrue(listed.events.contains { $0.reason == "ScalingReplicaSet" && $0.involvedObject.kind == "Deployment" })
        XCTAssertEqual(listed.events.first?.reason, "FailedCreate", "newest first")
        XCTAssertNotNil(retried, "the retry arrived through the watch")

        // Another account of the namespace has none of these.
        var other = try session(server).identityEvents(namespace: "shop", serviceAccount: "frontend")
        other.coalesce = .milliseconds(1)
        for await update in other.updates() where update.listed {
            XCTAssertEqual(update.events, [])
            XCTAssertEqual(update.workloads, ["Deployment/frontend", "ReplicaSet/\(update.workloads.last?.split(separator: "/").last ?? "")"])
            break
        }
    }

    func testAUserWhoMayNotListWorkloadsIsToldThePermissionAndStillGetsPodEvents() async throws {
        let (server, directory) = try await start()
        addTeardownBlock {
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        var feed = try session(server, context: server.info.namespacedContext).identityEvents(namespace: "shop", serviceAccount: "checkout")
        feed.coalesce = .milliseconds(1)
        var final: IdentityEventsUpdate?
        for await update in feed.updates() where update.listed {
            final = update
            break
        }
        let update = try XCTUnwrap(final)
        let refused = update.unreadable.map(\.summary)
        XCTAssertEqual(update.unreadable.count, 4, "\(refused)")
        XCTAssertTrue(refused.contains { $0.contains("replicasets.apps in shop (403, needs RBAC permission \"list replicasets.apps\"") }, "\(refused)")
        XCTAssertTrue(refused.allSatisfy { $0.contains("running as checkout are not shown") }, "\(refused)")
        XCTAssertEqual(update.events, [], "without the workloads the ReplicaSet's events cannot be attributed")
    }
}
