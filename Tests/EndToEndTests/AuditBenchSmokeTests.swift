import Foundation
import WidashTestPeers
import XCTest

/// `widash-bench audit` (issue "Cloud-side trust at a glance") at a small size: the audit of the
/// scale scenario's bindings ends with every verdict equal to the scenario's rule, botocore (the
/// peer) reads the same roles, the real dashboard frames every key while its audit runs, and the
/// table has its rows. No timing is asserted — timing goals live in the benchmark's table.
final class AuditBenchSmokeTests: XCTestCase {
    func testAuditBenchmarkChecksEveryVerdictAndRunsItsPeer() async throws {
        let python = try Peers.python(importing: ["botocore"])
        let arguments = ["audit", "--namespaces", "10", "--service-accounts", "120", "--pods", "240", "--runs", "1",
                         "--widash", try WidashCLI.binary().path, "--python", python, "--timeout", "90"]
        let result = try await WidashCLI.runProgram(try WidashCLI.benchBinary(), arguments, environment: WidashCLI.environment(), timeout: 180)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let consistency = try XCTUnwrap(lines.first { $0.hasPrefix("consistency:") }, result.summary)
        // 120 accounts, every one with a cloud side: 40 Azure (4 subject mismatches, 1 without a role),
        // 40 IRSA (4 mismatches), 40 EKS Pod Identity (4 whose role lacks sts:TagSession).
        XCTAssertEqual(consistency, "consistency: ok — every verdict is the scenario's: trusted 107, subjectMismatch 8, noRoleAssignment 1, "
                       + "trustPolicyMismatch 4")
        let audit = try XCTUnwrap(lines.first { $0.hasPrefix("widash: full trust audit, 120 bindings") }, result.summary)
        XCTAssertTrue(audit.contains("≤ 10 s"), audit)
        let peer = try XCTUnwrap(lines.first { $0.hasPrefix("botocore: iam get_role × 40") }, result.summary)
        XCTAssertTrue(peer.contains("widash/botocore"), peer)
        let keys = try XCTUnwrap(lines.first { $0.hasPrefix("dashboard key → frame p99 while its audit runs") }, result.summary)
        XCTAssertTrue(keys.contains("≤ 10 ms"), keys)
        let run = try XCTUnwrap(lines.first { $0.hasPrefix("  dashboard: complete frame") }, result.summary)
        XCTAssertTrue(run.hasSuffix("exit 0"), run)
        let framed = try XCTUnwrap(run.range(of: "keys framed ").map { run[$0.upperBound...].prefix { $0 != "," } }, run)
        let counts = framed.split(separator: "/").compactMap { Int($0) }
        XCTAssertEqual(counts.first, counts.last, "every key must get a frame: \(run)")
    }
}
