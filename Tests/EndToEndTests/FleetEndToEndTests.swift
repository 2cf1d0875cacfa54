import Foundation
import WidashSandbox
import XCTest

/// `widash identities --all-contexts` and `widash doctor --all-contexts`, run as the real binary:
/// the fleet's JSON equals, cluster by cluster, what `--context C` prints alone, and the exit codes.
final class FleetEndToEndTests: XCTestCase {
    /// The acceptance test of issue #15: against one sandbox (by its kubeconfig file), each
    /// cluster's `inventory` in `--all-contexts --details -o json` is exactly the document
    /// `--context C -o json` prints; only the time of the cloud reads (`checkedAt`) may differ.
    func testDetailsEqualEachContextsOwnJSONOnOneSandbox() async throws {
        let sandbox = try await InProcessSandbox.start()
        addTeardownBlock { await sandbox.stop() }
        let kubeconfig = try sandbox.kubeconfigPath()
        let fleet = try await WidashCLI.run(["identities", "--all-contexts", "--details", "-o", "json", "--kubeconfig", kubeconfig], timeout: 120)
        XCTAssertEqual(fleet.exitCode, 0, fleet.summary)
        let clusters = try Self.clusters(fleet.stdout)
        XCTAssertGreaterThanOrEqual(clusters.count, 3, fleet.stdout)
        for cluster in clusters {
            let summary = try XCTUnwrap(cluster["summary"] as? [String: Any])
            let context = try XCTUnwrap(summary["context"] as? String)
            XCTAssertEqual(summary["status"] as? String, "ready", "\(context): \(summary)")
            let alone = try await WidashCLI.run(["identities", "--context", context, "-o", "json", "--kubeconfig", kubeconfig], timeout: 120)
            XCTAssertEqual(alone.exitCode, 0, alone.summary)
            let expected = Self.normalized(try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)), sandbox: false)
            let actual = Self.normalized(try XCTUnwrap(cluster["inventory"], "\(context) has no inventory"), sandbox: false)
            XCTAssertEqual(actual as? NSDictionary, expected as? NSDictionary, "\(context): the fleet's inventory differs from --context's")
            let identities = ((expected as? [String: Any])?["identities"] as? [[String: Any]]) ?? []
            XCTAssertEqual(summary["identities"] as? Int, identities.filter { !(($0["bindings"] as? [Any]) ?? []).isEmpty }.count, context)
        }
    }

    /// The same with `--demo`, as the issue words it: every `--demo` run starts its own sandbox, so
    /// the sandbox's start time and loopback ports are the only differences allowed.
    func testDemoDetailsEqualEachContextAloneUpToTheSandboxsTimesAndPorts() async throws {
        let fleet = try await WidashCLI.run(["identities", "--all-contexts", "--details", "-o", "json", "--demo"], timeout: 180)
        XCTAssertEqual(fleet.exitCode, 0, fleet.summary)
        let clusters = try Self.clusters(fleet.stdout)
        XCTAssertGreaterThanOrEqual(clusters.count, 3, fleet.stdout)
        var compared = 0
        for cluster in clusters {
            let summary = try XCTUnwrap(cluster["summary"] as? [String: Any])
            let context = try XCTUnwrap(summary["context"] as? String)
            let alone = try await WidashCLI.run(["identities", "--context", context, "-o", "json", "--demo"], timeout: 120)
            guard summary["status"] as? String == "ready" else {
                // An unreachable demo context fails alone too (exit 3), and has no inventory in the fleet.
                XCTAssertNil(cluster["inventory"], context)
                XCTAssertEqual(alone.exitCode, 3, alone.summary)
                continue
            }
            XCTAssertEqual(alone.exitCode, 0, alone.summary)
            let expected = Self.normalized(try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)), sandbox: true)
            let actual = Self.normalized(try XCTUnwrap(cluster["inventory"]), sandbox: true)
            XCTAssertEqual(actual as? NSDictionary, expected as? NSDictionary, "\(context): the fleet's inventory differs from --context's")
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 3)
    }

    func testExitThreeOnlyWhenNoClusterCanBeReachedAndOneForFailOn() async throws {
        let directory = try TemporaryDirectory("fleet")
        addTeardownBlock { directory.remove() }
        let dead = try directory.write("""
            apiVersion: v1
            kind: Config
            clusters:
            - {name: gone, cluster: {server: "https://127.0.0.1:1"}}
            - {name: also-gone, cluster: {server: "https://127.0.0.1:1"}}
            users:
            - {name: u, user: {token: "not-a-real-token-0000"}}
            contexts:
            - {name: one, context: {cluster: gone, user: u}}
            - {name: two, context: {cluster: also-gone, user: u}}
            """, to: "dead.yaml")
        let none = try await WidashCLI.run(["identities", "--all-contexts", "--kubeconfig", dead, "--no-cloud"], timeout: 60)
        XCTAssertEqual(none.exitCode, 3, none.summary)
        XCTAssertTrue(none.stdout.contains("one      unreachable: refused"), none.summary)
        XCTAssertTrue(none.stderr.contains("no cluster could be reached (2 context(s))"), none.summary)
        let doctor = try await WidashCLI.run(["doctor", "--all-contexts", "--kubeconfig", dead], timeout: 60)
        XCTAssertEqual(doctor.exitCode, 3, doctor.summary)
        XCTAssertTrue(doctor.stdout.contains("== two (https://127.0.0.1:1) ==\nFAIL  API server  unreachable (refused): "), doctor.summary)
        // Some reached, one not: that context failed its first check (exit 1), the others are still checked.
        let partial = try await WidashCLI.run(["doctor", "--all-contexts", "--demo", "--contexts", "shop$|decommissioned"], timeout: 120)
        XCTAssertEqual(partial.exitCode, 1, partial.summary)
        XCTAssertTrue(partial.stdout.contains("PASS  API server"), partial.summary)
        XCTAssertTrue(partial.stdout.contains("unreachable (refused)"), partial.summary)

        // The demo: one context unreachable does not make the run fail; --fail-on does.
        let plain = try await WidashCLI.run(["identities", "--all-contexts", "--demo"], timeout: 120)
        XCTAssertEqual(plain.exitCode, 0, plain.summary)
        XCTAssertTrue(plain.stdout.hasPrefix("CONTEXT"), plain.summary)
        let failing = try await WidashCLI.run(["identities", "--all-contexts", "--demo", "--fail-on", "error", "-o", "json"], timeout: 120)
        XCTAssertEqual(failing.exitCode, 1, failing.summary)
        let summaries = try Self.clusters(failing.stdout).compactMap { $0["summary"] as? [String: Any] }
        let withErrors = summaries.filter { ($0["errors"] as? Int ?? 0) > 0 }.compactMap { $0["context"] as? String }
        XCTAssertFalse(withErrors.isEmpty, failing.stdout)
        XCTAssertTrue(failing.stderr.contains("error in \(withErrors.joined(separator: ", "))"), failing.summary)
        // A pattern that leaves only a cluster without error findings passes the same gate.
        let clean = summaries.filter { $0["errors"] as? Int == 0 && $0["status"] as? String == "ready" }.compactMap { $0["context"] as? String }
        if let one = clean.first {
            let gate = try await WidashCLI.run(["identities", "--all-contexts", "--demo", "--contexts", "^\(one)$", "--fail-on", "error"], timeout: 120)
            XCTAssertEqual(gate.exitCode, 0, gate.summary)
        }
    }

    func testUsageErrors() async throws {
        for arguments in [["identities", "--all-contexts", "--context", "x"], ["identities", "--contexts", "x"],
                          ["doctor", "--all-contexts", "--context", "x"], ["identities", "--all-contexts", "--cluster-timeout", "soon"],
                          ["identities", "--details"]] {
            let result = try await WidashCLI.run(arguments, timeout: 30)
            XCTAssertEqual(result.exitCode, 2, "\(arguments): \(result.summary)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
        }
    }

    private static func clusters(_ stdout: String) throws -> [[String: Any]] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        return try XCTUnwrap(object["clusters"] as? [[String: Any]], stdout)
    }

    /// Drops `checkedAt` (when the cloud side was read); with `sandbox`, also replaces timestamps
    /// and loopback ports, which belong to one sandbox's start.
    static func normalized(_ value: Any, sandbox: Bool) -> Any {
        switch value {
        case let object as [String: Any]:
            var out: [String: Any] = [:]
            for (key, item) in object where key != "checkedAt" { out[key] = normalized(item, sandbox: sandbox) }
            return out
        case let array as [Any]:
            return array.map { normalized($0, sandbox: sandbox) }
        case let text as String where sandbox:
            return text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>", options: .regularExpression)
                .replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:<port>", options: .regularExpression)
        default:
            return value
        }
    }
}
