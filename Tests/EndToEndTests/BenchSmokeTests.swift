import Foundation
import WidashTestPeers
import XCTest

/// The scale benchmarks (`widash-bench load` and `watch`, issue "Scale and speed") run end to end at
/// a small size: they complete and their consistency checks hold. No timing is asserted — timing
/// goals live in the benchmark's table, not in tests.
final class BenchSmokeTests: XCTestCase {
    private static let smallCluster = ["--namespaces", "10", "--service-accounts", "100", "--pods", "1000"]

    private func runBench(_ arguments: [String]) async throws -> ChildResult {
        try await WidashCLI.runProgram(try WidashCLI.benchBinary(), arguments, environment: WidashCLI.environment(), timeout: 120)
    }

    func testLoadBenchmarkCompletesAndSeesWhatTheServerHolds() async throws {
        // kubectl is the peer: missing, the test skips (fails under CI=true) rather than run without it.
        let kubectl = try Peers.kubectl()
        let result = try await runBench(["load"] + Self.smallCluster + ["--runs", "1", "--json-runs", "1", "--kubectl", kubectl])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let consistency = try XCTUnwrap(lines.first { $0.hasPrefix("consistency:") }, result.summary)
        XCTAssertTrue(consistency.hasPrefix("consistency: ok"), consistency)
        XCTAssertTrue(consistency.contains("pods=1000") && consistency.contains("serviceAccounts=100"), consistency)
        // The table has widash's row and, side by side, curl's (and kubectl's) with a ratio and the target.
        let widashRow = try XCTUnwrap(lines.first { $0.hasPrefix("widash: full inventory load") }, result.summary)
        XCTAssertTrue(widashRow.contains("peak RSS ≤ 200 MB"), widashRow)
        let curlRow = try XCTUnwrap(lines.first { $0.hasPrefix("curl: both lists") }, result.summary)
        XCTAssertTrue(curlRow.contains("×") && curlRow.contains("≤ 1.6×"), curlRow)
        XCTAssertNotNil(lines.first { $0.hasPrefix("curl: both lists in protobuf") }, result.summary)
        let kubectlRow = try XCTUnwrap(lines.first { $0.hasPrefix("kubectl get serviceaccounts,pods -A ") }, result.summary)
        XCTAssertTrue(kubectlRow.contains("≤ 0.1×"), kubectlRow)
        XCTAssertNotNil(lines.first { $0.hasPrefix("kubectl get serviceaccounts,pods -A -o json") }, result.summary)
        let held = try XCTUnwrap(lines.first { $0.hasPrefix("held per pod:") }, result.summary)
        XCTAssertNotNil(Int(held.split(separator: " ").dropFirst(3).first ?? ""), "no byte figure in: \(held)")
        let heap = try XCTUnwrap(lines.first { $0.hasPrefix("live heap per pod") }, result.summary)
        XCTAssertTrue(heap.contains(" B with the objects"), heap)
    }

    func testWatchBenchmarkCompletesAndTheViewEqualsTheServer() async throws {
        let result = try await runBench(["watch"] + Self.smallCluster + ["--runs", "2", "--timeout", "60"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // Two bursts: not-ready, then ready again; each reflected in full by the live inventory.
        XCTAssertEqual(lines.filter { $0.hasPrefix("  burst ") }.count, 2, result.summary)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  burst 1: 1000 pods → not ready") }, result.summary)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  burst 2: 1000 pods → ready") }, result.summary)
        let consistency = try XCTUnwrap(lines.first { $0.hasPrefix("consistency:") }, result.summary)
        XCTAssertTrue(consistency.hasPrefix("consistency: ok"), consistency)
        XCTAssertTrue(consistency.contains("1000 pods, 100 service accounts"), consistency)
        let row = try XCTUnwrap(lines.first { $0.hasPrefix("watch events applied") }, result.summary)
        XCTAssertTrue(row.contains("≥ 20000/s"), row)
    }
}
