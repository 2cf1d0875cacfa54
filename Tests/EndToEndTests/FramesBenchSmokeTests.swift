import Foundation
import XCTest

/// `widash-bench frames` (issue "Scale and speed", (b) and (c)) at a small size: the real dashboard
/// in a pseudo-terminal reaches a complete frame, every scripted key gets a frame, `:q` exits 0,
/// and the table has its rows. No timing is asserted — timing goals live in the benchmark's table.
final class FramesBenchSmokeTests: XCTestCase {
    func testFramesBenchmarkReachesACompleteFrameAndFramesEveryKey() async throws {
        let arguments = ["frames", "--namespaces", "10", "--service-accounts", "100", "--pods", "1000", "--runs", "1",
                         "--widash", try WidashCLI.binary().path, "--timeout", "90"]
        let result = try await WidashCLI.runProgram(try WidashCLI.benchBinary(), arguments, environment: WidashCLI.environment(), timeout: 150)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)

        // The terminal run: the frame log showed a complete frame and one frame per key; widash exited 0.
        let run = try XCTUnwrap(lines.first { $0.hasPrefix("  run 1 terminal:") }, result.summary)
        XCTAssertTrue(run.contains("complete frame seen: yes"), run)
        XCTAssertTrue(run.hasSuffix("exit 0"), run)
        let framed = try XCTUnwrap(run.range(of: "keys framed ").map { run[$0.upperBound...].prefix { $0 != "," } }, run)
        let counts = framed.split(separator: "/").compactMap { Int($0) }
        XCTAssertEqual(counts.count, 2, run)
        XCTAssertGreaterThan(counts.first ?? 0, 100, "the script types over a hundred keys: \(run)")
        XCTAssertEqual(counts.first, counts.last, "every key must get a frame: \(run)")
        XCTAssertNotNil(lines.first { $0.hasPrefix("consistency: ok") }, result.summary)

        // The table: (b) and (c) rows with the targets, and the in-process rows.
        for (prefix, target) in [("(b) start → first identity rows", "≤ 0.5 s"), ("(b) start → complete frame", "≤ 1.5 s"), ("(c) key → frame, first sort", "p99 ≤ 10 ms"),
                                 ("(c) key → frame, filter", "p99 ≤ 10 ms"), ("(c) key → frame, scroll", "p99 ≤ 10 ms"),
                                 ("(c) key → frame, sort", "p99 ≤ 10 ms"), ("(c) key → frame, pods", "p99 ≤ 10 ms")] {
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(prefix) }, "no row \(prefix) in:\n\(result.stdout)")
            XCTAssertTrue(row.contains(target), row)
        }
        XCTAssertNotNil(lines.first { $0.contains("update + render in-process, filter") }, result.summary)
    }
}
