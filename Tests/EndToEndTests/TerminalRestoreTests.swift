import Foundation
import XCTest

/// Issue #8 "Terminal": however the real dashboard ends — ctrl-c, SIGINT, SIGTERM, a crash, the
/// terminal going away — the pane is back in the normal screen with a visible cursor and a sane tty.
final class TerminalRestoreTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "TerminalRestoreTests") }

    override func tearDown() { harness?.close() }

    /// Starts the dashboard, checks it took the terminal over, ends it with `end`, and checks the
    /// exit code and the restored terminal.
    private func assertRestored(after end: (TerminalScenario, pid_t) throws -> Void, expectedCode: Int32) throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        try t.start(run.script(), width: 100, height: 30)
        try run.waitForIdentities()
        try run.assertDashboardOwnsTerminal()
        let pid = try run.pid()
        try end(run, pid)
        let result = try run.finished()
        XCTAssertEqual(result.code, expectedCode, "exit code; stderr: \(result.stderr)")
        try run.assertTerminalRestored()
        XCTAssertFalse(TerminalScenario.isAlive(pid))
    }

    func testCtrlCKeyQuitsAndRestoresTheTerminal() throws {
        // In raw mode ctrl-c arrives as a key, not a signal: it quits normally.
        try assertRestored(after: { run, _ in try run.harness.keys("C-c") }, expectedCode: 0)
    }

    func testSIGINTRestoresTheTerminal() throws {
        try assertRestored(after: { _, pid in XCTAssertEqual(kill(pid, SIGINT), 0) }, expectedCode: 128 + SIGINT)
    }

    func testSIGTERMRestoresTheTerminal() throws {
        try assertRestored(after: { _, pid in XCTAssertEqual(kill(pid, SIGTERM), 0) }, expectedCode: 128 + SIGTERM)
    }

    func testCrashRestoresTheTerminal() throws {
        // A fatal signal (what a Swift runtime trap or a bad pointer produces) still restores the terminal
        // before the process dies with that signal.
        try assertRestored(after: { _, pid in XCTAssertEqual(kill(pid, SIGSEGV), 0) }, expectedCode: 128 + SIGSEGV)
    }

    /// A fatal error in the running dashboard: its input terminal hangs up without a SIGHUP (it
    /// belongs to another pane, so another session). Reads then fail at once; the dashboard must stop
    /// with exit 2 and a message instead of spinning, and restore the terminal it draws on.
    func testInputTerminalGoingAwayIsAFatalErrorThatRestoresTheTerminal() throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        try t.start("sleep 120", width: 100, height: 60)
        let inputPane = try t.display("#{pane_id}")
        let inputTTY = try t.display("#{pane_tty}")
        XCTAssertTrue(inputTTY.hasPrefix("/dev/"), inputTTY)
        let pane = try t.split(run.script(input: inputTTY))
        try run.waitForIdentities(pane: pane)
        try run.assertDashboardOwnsTerminal(pane: pane)
        let pid = try run.pid()

        try t.tmux(["kill-pane", "-t", inputPane])
        let result = try run.finished()
        XCTAssertEqual(result.code, 2, "stderr: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("the terminal went away"), result.stderr)
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count, 1,
                       "one line: \(result.stderr)")
        try run.assertTerminalRestored(pane: pane)
        XCTAssertFalse(TerminalScenario.isAlive(pid))
    }

    func testClosingThePaneEndsTheDashboard() throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        try t.start("sleep 120", width: 100, height: 60)
        let pane = try t.split(run.script())
        try run.waitForIdentities(pane: pane)
        let pid = try run.pid()
        try t.tmux(["kill-pane", "-t", pane])
        XCTAssertTrue(TerminalScenario.waitUntilGone(pid), "widash ended after its terminal closed")
    }
}
