import Foundation
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashService
@testable import WidashTUI
import XCTest

/// `--demo`'s live environment end to end: opening shop/checkout's detail starts the events watch
/// (the command the update returns, run by the real executor), the sandbox's ReplicaSet controller
/// emulation delivers the stuck rollout's FailedCreate over HTTPS list + watch, and the detail shows
/// it with the diagnosis; a retry arrives as a patched event.
final class LiveEventsTests: XCTestCase {
    private func start() async throws -> (LiveEnvironment, SandboxServer) {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>",
                                                context: nil, namespace: nil)
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: SandboxServer.operatorEnvironment(base: [:]),
            eksClusterName: SandboxServer.operatorEnvironment["WIDASH_EKS_CLUSTER"]))
        return (LiveEnvironment(session: session, showToken: false, auditsTrust: false), sandbox)
    }

    /// Drains the queue into `update` until `done` holds (or 30 s pass).
    private func pump(_ queue: MessageQueue, _ state: inout AppState, until done: (AppState) -> Bool) async throws -> Bool {
        for _ in 0..<3000 {
            for message in queue.drain() { _ = update(&state, message) }
            if done(state) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func testTheDetailOfTheStuckRolloutsAccountShowsItsFailedCreate() async throws {
        let (env, sandbox) = try await start()
        addTeardownBlock { await sandbox.stop() }
        let queue = MessageQueue()
        let executor = CommandExecutor(environment: env, themes: ThemeLoader(searchDirectories: [TestSupport.themesDirectory]),
                                       post: { queue.post($0) })
        addTeardownBlock { executor.cancelAll() }
        var state = AppState(width: 100, height: 60, now: Date(), options: DashboardOptions(auditsTrust: false))
        executor.execute(.watchInventory(namespace: nil))
        let loaded = try await pump(queue, &state) { $0.identity(key: "shop/checkout") != nil && $0.loaded >= $0.expected && $0.expected > 0 }
        XCTAssertTrue(loaded, "the inventory never listed shop/checkout")

        Navigation.push(&state, .detail(key: "shop/checkout"))
        let commands = update(&state, .tick(Date()))
        XCTAssertEqual(commands.last, .watchEvents(key: "shop/checkout", namespace: "shop", serviceAccount: "checkout"))
        for command in commands { executor.execute(command) }

        func failedCount(_ s: AppState) -> Int? {
            s.identityEvents["shop/checkout"]?.events.first { $0.reason == "FailedCreate" }?.occurrences
        }
        let listed = try await pump(queue, &state) { failedCount($0) != nil }
        XCTAssertTrue(listed, "no FailedCreate arrived: \(String(describing: state.identityEvents["shop/checkout"]))")
        XCTAssertEqual(failedCount(state), 20)
        state.now = Date()
        TestSupport.send(&state, "G")
        let text = DashboardView.render(state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("⚠ Warning  FailedCreate  replicaset/checkout-"), text)
        XCTAssertTrue(text.contains("webhook mutation.azure-workload-identity.io unavailable (no endpoints available for service"), text)
        XCTAssertTrue(text.contains("fix: kubectl -n azure-workload-identity-system get pods,endpoints"), text)
        XCTAssertTrue(text.contains("(x20 over 41m)"), text)

        // The controller's next retry: the watch delivers the patched event.
        _ = try await sandbox.retryStuckRollout()
        let patched = try await pump(queue, &state) { failedCount($0) == 21 }
        XCTAssertTrue(patched, "the retry did not arrive through the watch")

        // Leaving the detail stops the watch.
        XCTAssertEqual(TestSupport.press(&state, .escape), [.stopEvents])
    }
}
