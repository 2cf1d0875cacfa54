import Foundation
import WidashTestPeers
import XCTest

/// `widash-bench fleet` (issue "Fleet view", benchmark) at a small size: the sandbox serves a fleet,
/// the real dashboard with `--fleet` reaches its complete fleet frame and exits 0, the CLI reports
/// every context ready with every pod, kubectl reads each context, and the table has its rows. No
/// timing is asserted — timing goals live in the benchmark's table.
final class FleetBenchSmokeTests: XCTestCase {
    func testFleetBenchmarkReachesTheCompleteFleetFrame() async throws {
        let arguments = ["fleet", "--clusters", "3", "--namespaces", "2", "--service-accounts", "10", "--pods", "40", "--runs", "1",
                         "--widash", try WidashCLI.binary().path, "--kubectl", try Peers.kubectl(), "--timeout", "90"]
        let result = try await WidashCLI.runProgram(try WidashCLI.benchBinary(), arguments, environment: WidashCLI.environment(), timeout: 180)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertNotNil(lines.first { $0.hasPrefix("sandbox: 3 clusters") }, result.summary)
        XCTAssertNotNil(lines.first { $0.hasPrefix("consistency: ok") && $0.contains("3 clusters ready with 40 pods each") }, result.summary)
        for prefix in ["widash --fleet: spawn → complete fleet frame", "widash identities --all-contexts", "kubectl get pods -A, once per context"] {
            XCTAssertNotNil(lines.first { $0.hasPrefix(prefix) }, "no row \(prefix) in:\n\(result.stdout)")
        }
        XCTAssertNotNil(lines.first { $0.hasPrefix("target: complete fleet frame ≤ 3 s") }, result.summary)
    }
}
