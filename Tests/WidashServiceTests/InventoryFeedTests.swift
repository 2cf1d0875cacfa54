import Foundation
import XCTest
import WidashCore
import WidashHTTP
import WidashKube
@testable import WidashService
import WidashSandbox

/// The live feed against the sandbox over HTTPS: pages show while the lists load, then the
/// inventory equals a one-shot load, and watch changes arrive.
final class InventoryFeedTests: XCTestCase {
    func testFirstPagesShowWhileLoadingThenTheFeedEqualsAOneShotLoad() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-feed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path))
        defer { Task { await server.stop() } }
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: try XCTUnwrap(server.info.kubeconfig)))
        var options = KubeClientOptions()
        options.pageSize = 3
        options.followingPageSize = 3
        let session = ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                          cloudEnvironment: [:], readOnly: true), kubeOptions: options)
        var feed = InventoryFeed(session: session, namespace: nil)
        feed.coalesce = .milliseconds(1)

        var partial: InventoryFeedUpdate?
        var complete: InventoryFeedUpdate?
        for await update in feed.updates() {
            XCTAssertLessThanOrEqual(update.loaded, update.expected)
            if !update.isComplete, !update.inventory.identities.isEmpty, partial == nil { partial = update }
            // Complete once both lists are done and the webhooks (read beside the lists) arrived.
            if update.isComplete, !update.inventory.webhooks.isEmpty {
                complete = update
                break
            }
        }
        let first = try XCTUnwrap(partial, "an update with rows arrived before the lists were complete")
        let last = try XCTUnwrap(complete)
        XCTAssertLessThan(first.inventory.identities.count + first.loaded, last.inventory.identities.count + last.loaded)

        let oneShot = try await session.inventory(namespace: nil)
        XCTAssertEqual(last.inventory.identities.map(\.key), oneShot.identities.map(\.key))
        XCTAssertEqual(last.inventory.identities.map { $0.pods.map(\.name) }, oneShot.identities.map { $0.pods.map(\.name) })
        XCTAssertEqual(last.inventory.identities.map(\.findings), oneShot.identities.map(\.findings))
    }
    /// The dashboard's feed for a user who may read only namespace `shop`: the context's namespace
    /// is shown and the banner says what could not be read, with the permission.
    func testANamespaceScopedUserSeesItsNamespaceAndTheBannerSaysWhatItCannotRead() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-feed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path))
        defer { Task { await server.stop() } }
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: try XCTUnwrap(server.info.kubeconfig),
                                                                 context: server.info.namespacedContext))
        let session = ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                          cloudEnvironment: [:], readOnly: true))
        var feed = InventoryFeed(session: session, namespace: nil)
        feed.coalesce = .milliseconds(1)
        var last: InventoryFeedUpdate?
        let deadline = ContinuousClock.now + .seconds(60)
        for await update in feed.updates() {
            last = update
            if update.isComplete, !update.inventory.identities.isEmpty, update.problem?.contains("webhook") == true { break }
            if ContinuousClock.now > deadline { break }  // the assertions below say what was missing
        }
        let update = try XCTUnwrap(last)
        XCTAssertEqual(Set(update.inventory.identities.map(\.namespace)), ["shop"])
        let problem = try XCTUnwrap(update.problem)
        XCTAssertTrue(problem.contains(#"needs RBAC permission "list serviceaccounts" cluster-wide"#), problem)
        XCTAssertTrue(problem.contains("mutatingwebhookconfigurations"), problem)
    }
}
