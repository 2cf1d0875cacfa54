import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// Real kubectl reads the demo's stuck rollout: shop/checkout's revision 2 ReplicaSet cannot create
/// its pod (the canary webhook is unavailable, failurePolicy Fail), and the ReplicaSet controller's
/// FailedCreate events are listed, selected by field and watched as they are patched.
final class KubectlEventsTests: XCTestCase {
    var fixture: SandboxFixture?

    override func setUp() async throws {
        _ = try Peers.kubectl()
        fixture = try await SandboxFixture.start()
    }

    override func tearDown() async throws {
        await fixture?.stop()
    }

    private func sandbox() throws -> SandboxFixture { try XCTUnwrap(fixture) }

    private func failedCreate(_ list: [String: Any]) -> [[String: Any]] {
        (list["items"] as? [[String: Any]] ?? []).filter { $0["reason"] as? String == "FailedCreate" }
    }

    func testReplicaSetsAndDeploymentsAreServedWithTheStuckRevision() throws {
        let sandbox = try sandbox()
        let rs = try sandbox.kubectl(["get", "rs", "-n", "shop", "-o", "json"])
        XCTAssertEqual(rs.status, 0, rs.stderr)
        let items = try XCTUnwrap(jsonObject(rs.stdout)?["items"] as? [[String: Any]])
        let checkout = items.filter { (($0["metadata"] as? [String: Any])?["name"] as? String)?.hasPrefix("checkout-") == true }
        XCTAssertEqual(checkout.count, 2, "revision 1 and revision 2:\n\(rs.stdout)")
        let stuck = try XCTUnwrap(checkout.first { (($0["status"] as? [String: Any])?["replicas"] as? Int) == 0 })
        let template = ((stuck["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        XCTAssertEqual(template?["serviceAccountName"] as? String, "checkout")
        let condition = (((stuck["status"] as? [String: Any])?["conditions"] as? [[String: Any]])?.first) ?? [:]
        XCTAssertEqual(condition["type"] as? String, "ReplicaFailure")
        XCTAssertEqual(condition["reason"] as? String, "FailedCreate")

        let short = try sandbox.kubectl(["get", "rs,deploy", "-A"])
        XCTAssertEqual(short.status, 0, short.stderr)
        XCTAssertTrue(short.stdout.contains("replicaset.apps/checkout-"), short.stdout)
        XCTAssertTrue(short.stdout.contains("deployment.apps/checkout"), short.stdout)
    }

    func testFailedCreateEventsCarryTheWebhookErrorAndTheCorrelatorsCount() throws {
        let sandbox = try sandbox()
        let result = try sandbox.kubectl(["get", "events", "-n", "shop", "-o", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let events = failedCreate(try XCTUnwrap(jsonObject(result.stdout)))
        XCTAssertEqual(events.count, 1, "one event, patched on every repeat:\n\(result.stdout)")
        let event = try XCTUnwrap(events.first)
        XCTAssertEqual(event["type"] as? String, "Warning")
        XCTAssertEqual((event["source"] as? [String: Any])?["component"] as? String, "replicaset-controller")
        let involved = try XCTUnwrap(event["involvedObject"] as? [String: Any])
        XCTAssertEqual(involved["kind"] as? String, "ReplicaSet")
        let message = try XCTUnwrap(event["message"] as? String)
        XCTAssertTrue(message.hasPrefix("Error creating: Internal error occurred: failed calling webhook \"mutation.azure-workload-identity.io\": failed to call webhook: Post \"https://"), message)
        XCTAssertTrue(message.contains(".svc:443/mutate-v1-pod?timeout=10s\": no endpoints available for service"), message)
        // 41 minutes of exponential requeues (5 ms doubling, capped at 1000 s): 20 attempts, all
        // within the spam filter's burst of 25.
        XCTAssertEqual(event["count"] as? Int, 20)
        XCTAssertNotEqual(event["firstTimestamp"] as? String, event["lastTimestamp"] as? String)

        let all = try sandbox.kubectl(["get", "events", "-A", "--field-selector", "reason=FailedCreate,involvedObject.kind=ReplicaSet", "-o", "json"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(failedCreate(try XCTUnwrap(jsonObject(all.stdout))).count, 1)
        let byName = try sandbox.kubectl(["get", "events", "-n", "shop", "--field-selector", "involvedObject.name=\(involved["name"] as? String ?? "")", "-o", "json"])
        XCTAssertEqual(failedCreate(try XCTUnwrap(jsonObject(byName.stdout))).count, 1, byName.stderr)
        let none = try sandbox.kubectl(["get", "events", "-n", "shop", "--field-selector", "involvedObject.kind=Pod,reason=FailedCreate", "-o", "json"])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertTrue(failedCreate(try XCTUnwrap(jsonObject(none.stdout))).isEmpty)
        // The server-side table kubectl prints, as against a real API server.
        let table = try sandbox.kubectl(["get", "events", "-n", "shop", "--field-selector", "reason=FailedCreate"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.first?.split(separator: " ", omittingEmptySubsequences: true), ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        XCTAssertEqual(rows.count, 2, table.stdout)
        XCTAssertTrue(rows[1].contains("(x20 over 41m)   Warning   FailedCreate   replicaset/checkout-"), rows[1])
        XCTAssertTrue(rows[1].contains("Error creating: Internal error occurred: failed calling webhook"), rows[1])

        let bad = try sandbox.kubectl(["get", "events", "-n", "shop", "--field-selector", "spec.nodeName=x"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("field label not supported: spec.nodeName"), bad.stderr)
    }

    func testWatchSeesTheEventPatchedOnTheNextRetry() async throws {
        let sandbox = try sandbox()
        let kubectl = try Peers.kubectl()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["--kubeconfig", sandbox.kubeconfig, "--cache-dir", sandbox.directory + "/kube-cache",
                             "get", "events", "-n", "shop", "--field-selector", "reason=FailedCreate", "-w", "--output-watch-events",
                             "-o", "jsonpath={.type} {.object.count}{\"\\n\"}"]
        process.environment = ["HOME": sandbox.directory, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        let output = OutputCollector()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        try process.run()
        defer {
            process.terminate()
            pipe.fileHandleForReading.readabilityHandler = nil
        }
        let listed = await TestProcess.waitUntil(timeout: 15) {
            let watches = await sandbox.server.openWatchCount()
            return output.text.contains("ADDED 20") && watches > 0
        }
        XCTAssertTrue(listed, "kubectl did not list and watch:\n\(output.text)")
        let count = try await sandbox.server.retryStuckRollout()
        XCTAssertEqual(count, 21)
        let patched = await TestProcess.waitUntil(timeout: 15) { output.text.contains("MODIFIED 21") }
        XCTAssertTrue(patched, "kubectl -w saw no MODIFIED event:\n\(output.text)")
    }
}
