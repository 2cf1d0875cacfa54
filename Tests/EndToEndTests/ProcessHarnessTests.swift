import Foundation
import XCTest

/// The subprocess harness itself: output is captured in full and a hung child is killed.
final class ProcessHarnessTests: XCTestCase {
    func testAHungChildIsKilledAtTheDeadline() async throws {
        let (result, finished) = try await WidashCLI.runOrKill(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo started; exec sleep 600"],
                                                               environment: [:], timeout: 1)
        XCTAssertFalse(finished)
        XCTAssertTrue(result.killedBySignal, result.summary)
        XCTAssertEqual(result.exitCode, SIGKILL, result.summary)
        XCTAssertEqual(result.stdout, "started\n")
    }

    func testLargeOutputOnBothPipesIsCapturedWhole() async throws {
        let script = "head -c 300000 /dev/zero | tr '\\0' a; head -c 200000 /dev/zero | tr '\\0' b >&2; exit 7"
        let (result, finished) = try await WidashCLI.runOrKill(URL(fileURLWithPath: "/bin/sh"), ["-c", script],
                                                               environment: [:], timeout: 30)
        XCTAssertTrue(finished)
        XCTAssertEqual(result.exitCode, 7)
        XCTAssertFalse(result.killedBySignal)
        XCTAssertEqual(result.stdout.count, 300_000)
        XCTAssertEqual(result.stderr.count, 200_000)
    }
}
