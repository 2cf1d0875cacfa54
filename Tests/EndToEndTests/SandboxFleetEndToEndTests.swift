import Foundation
import WidashTestPeers
import XCTest

/// The fleet from the outside: `widash sandbox serve --clusters N` (one ready line, one kubeconfig
/// with a context per cluster, kubectl and widash in each) and `widash --demo --context C` for every
/// cluster of the demo fleet.
final class SandboxFleetEndToEndTests: XCTestCase {
    func testServeThreeClustersGivesAContextPerClusterForKubectlAndWidash() async throws {
        let directory = try TemporaryDirectory("serve-fleet")
        defer { directory.remove() }
        let kubeconfig = directory.file("kc")
        let child = try WidashCLI.start(["sandbox", "serve", "--static", "--clusters", "3", "--scenario", "scale",
                                         "--namespaces", "2", "--service-accounts", "4", "--pods", "6", "--kubeconfig-out", kubeconfig])
        var stopped = false
        defer { if !stopped { child.killHard() } }

        let line = try XCTUnwrap(child.firstStdoutLine(timeout: 60), "no ready line within 60 s; \(child.result.summary)")
        let info = try decodeJSONObject(line)
        XCTAssertEqual(info["kubeconfig"] as? String, kubeconfig)
        let clusters = try XCTUnwrap(info["clusters"] as? [[String: Any]], line)
        XCTAssertEqual(clusters.compactMap { $0["context"] as? String }, ["widash-sandbox-1", "widash-sandbox-2", "widash-sandbox-3"])
        let issuers = clusters.compactMap { $0["issuer"] as? String }
        XCTAssertEqual(Set(issuers).count, 3, "each cluster its own issuer: \(issuers)")
        XCTAssertEqual(Set(clusters.compactMap { $0["caPEM"] as? String }).count, 3, "each cluster its own CA")
        XCTAssertEqual(issuers.first, info["issuer"] as? String)

        let kubectl = try Peers.kubectl()
        let home = directory.file("kubectl-home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        for (index, context) in ["widash-sandbox-1", "widash-sandbox-2", "widash-sandbox-3"].enumerated() {
            let pods = try await WidashCLI.runProgram(
                URL(fileURLWithPath: kubectl),
                ["--kubeconfig", kubeconfig, "--cache-dir", directory.file("cache-\(index)"), "--context", context, "get", "pods", "-A", "--no-headers"],
                environment: ["HOME": home, "PATH": "/usr/bin:/bin"], timeout: 60)
            XCTAssertEqual(pods.exitCode, 0, "\(context): \(pods.summary)")
            XCTAssertEqual(pods.stdout.split(separator: "\n").count, 6, "\(context): \(pods.stdout)")

            let identities = try await WidashCLI.run(["identities", "-A", "-o", "json", "--kubeconfig", kubeconfig, "--context", context])
            XCTAssertEqual(identities.exitCode, 0, "\(context): \(identities.summary)")
            let document = try InventoryDocument(json: identities.stdout)
            XCTAssertEqual(document.root["issuer"] as? String, issuers[index], "\(context) reads its own cluster's issuer")
        }

        child.send(SIGTERM)
        let exited = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: child.waitForExit(timeout: 20)) }
        }
        XCTAssertTrue(exited, "sandbox serve --clusters 3 still runs 20 s after SIGTERM")
        stopped = exited
        XCTAssertEqual(child.result.exitCode, 0, child.result.summary)
    }

    func testServeRefusesZeroClusters() async throws {
        let result = try await WidashCLI.run(["sandbox", "serve", "--clusters", "0"])
        XCTAssertEqual(result.exitCode, 2, result.summary)
        XCTAssertTrue(result.stderr.contains("--clusters"), result.stderr)
    }

    func testDemoIdentitiesWorkInEveryReachableDemoContext() async throws {
        let expected: [(context: String, present: [String], issuer: String?)] = [
            ("widash-sandbox", ["shop/frontend", "aws/irsa-ok", "gcp/gke-ok"], nil),
            ("widash-sandbox-eks", ["payments/ledger", "payments/invoices", "payments/settlement", "payments/reports"],
             "https://oidc.eks.us-east-1.amazonaws.com/id/"),
            ("widash-sandbox-gke", ["analytics/ingest", "analytics/dashboards", "analytics/batch"], nil),
        ]
        var seen: [String: Set<String>] = [:]
        for entry in expected {
            let result = try await WidashCLI.run(["identities", "--demo", "--context", entry.context, "-o", "json"])
            XCTAssertEqual(result.exitCode, 0, "\(entry.context): \(result.summary)")
            let document = try InventoryDocument(json: result.stdout)
            let keys = Set(document.identityKeys)
            for key in entry.present { XCTAssertTrue(keys.contains(key), "\(entry.context) lacks \(key): \(keys.sorted())") }
            if let issuer = entry.issuer {
                XCTAssertTrue((document.root["issuer"] as? String)?.hasPrefix(issuer) == true, "\(entry.context): \(document.root["issuer"] ?? "none")")
            }
            seen[entry.context] = keys
        }
        XCTAssertTrue(seen["widash-sandbox-eks"]?.isDisjoint(with: seen["widash-sandbox-gke"] ?? []) == false,
                      "both small clusters have the default service accounts")
        XCTAssertFalse(seen["widash-sandbox"]?.contains("payments/ledger") ?? true, "the demo cluster is not the EKS-like one")

        // The GKE-like cluster serves no issuer discovery: the inventory says so as a cluster finding.
        let gke = try await WidashCLI.run(["identities", "--demo", "--context", "widash-sandbox-gke", "-o", "json"])
        XCTAssertTrue(try InventoryDocument(json: gke.stdout).clusterFindingCodes.contains("issuer-discovery-unreachable"), gke.stdout)
        XCTAssertNil(try InventoryDocument(json: gke.stdout).root["issuer"], "no issuer is known for the GKE-like cluster")

        // The decommissioned cluster: connection refused, said plainly, exit non-zero, fast.
        let gone = try await WidashCLI.run(["identities", "--demo", "--context", "widash-sandbox-decommissioned", "-o", "json"], timeout: 30)
        XCTAssertNotEqual(gone.exitCode, 0, gone.summary)
        XCTAssertTrue(gone.stderr.contains("refused"), gone.stderr)
        XCTAssertTrue(gone.stderr.contains("127.0.0.1:1") || gone.stderr.contains("127.0.0.1 port 1"), gone.stderr)
    }
}
