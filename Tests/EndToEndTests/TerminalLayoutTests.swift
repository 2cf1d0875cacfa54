import Foundation
import XCTest

/// Issue #8 "Terminal": the real `widash --demo` under tmux survives resize storms and tiny
/// terminals, and draws readable ASCII in a non-UTF-8 locale.
final class TerminalLayoutTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "TerminalLayoutTests") }

    override func tearDown() { harness?.close() }

    func testResizeStormLeavesAWorkingDashboardAtTheFinalSize() throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        try t.start(run.script(), width: 100, height: 30)
        try run.waitForIdentities()
        let pid = try run.pid()

        // 80 resizes as fast as tmux takes them, through sizes down to 1×1 and up to 200×60.
        for i in 1...80 {
            try t.resize(width: (i * 37) % 200 + 1, height: (i * 13) % 60 + 1)
        }
        try t.resize(width: 90, height: 25)

        XCTAssertTrue(TerminalScenario.isAlive(pid), "widash survived the storm")
        let screen = try t.waitFor("the frame redrawn at exactly 90×25") { screen in
            let lines = screen.screenLines
            // The main box spans the full width and the status line is the last row.
            return screen.fits(width: 90, height: 25)
                && lines.contains { $0.hasPrefix("┌") && $0.hasSuffix("┐") && $0.count == 90 }
                && lines.count >= 25 && lines[24].contains("service accounts")
        }
        XCTAssertTrue(screen.contains("Identities"), screen)

        try t.keys("/wrong-sub", "Enter")
        try t.waitFor("keys still work: the filter narrows the table to one row") {
            $0.contains("Identities(all)[1] </wrong-sub>") && $0.contains("wrong-subj") && !$0.contains("irsa-ok")
        }
        try t.keys(":q", "Enter")
        XCTAssertEqual(try run.finished().code, 0)
        try run.assertTerminalRestored()
    }

    func testTinyTerminalsShowTheHintAndRecover() throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        // Starts at 1×1: nothing fits, but it must run and draw without crashing.
        try t.start(run.script(), width: 1, height: 1)
        let pid = try run.pid()
        try t.waitFor("something drawn in the single cell") { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        try run.assertDashboardOwnsTerminal()

        try t.resize(width: 10, height: 3)
        var screen = try t.waitFor("a partial hint at 10×3") { $0.contains("terminal") }
        XCTAssertTrue(screen.fits(width: 10, height: 3), screen)
        try t.resize(width: 20, height: 3)
        screen = try t.waitFor("the whole hint at 20×3") { $0.contains("terminal too small") }
        XCTAssertTrue(screen.fits(width: 20, height: 3), screen)
        try t.resize(width: 1, height: 1)
        try t.resize(width: 39, height: 9)
        screen = try t.waitFor("the hint with the needed size just below the minimum") {
            $0.contains("terminal too small") && $0.contains("need 40×10")
        }
        XCTAssertTrue(TerminalScenario.isAlive(pid), "widash survived the tiny sizes")

        try t.resize(width: 100, height: 30)
        screen = try t.waitFor("the full dashboard after growing back") {
            $0.contains("Identities") && $0.contains("wrong-subj") && !$0.contains("too small")
        }
        XCTAssertTrue(screen.fits(width: 100, height: 30), screen)
        try t.keys(":q", "Enter")
        XCTAssertEqual(try run.finished().code, 0)
        try run.assertTerminalRestored()
    }

    func testCLocaleUsesASCIIFallbacks() throws {
        try assertASCIIDashboard(environment: "LANG=C LC_ALL=C TERM=xterm-256color")
    }

    func testPOSIXLocaleUsesASCIIFallbacks() throws {
        try assertASCIIDashboard(environment: "LANG= LC_ALL=POSIX TERM=xterm-256color")
    }

    /// In a non-UTF-8 locale every cell is ASCII (box, status glyphs, ellipses), and a trace still
    /// reads: step 3 failed with the AADSTS code.
    private func assertASCIIDashboard(environment: String) throws {
        let t = try XCTUnwrap(harness)
        let run = try TerminalScenario(t)
        try t.start(run.script(environment: environment), width: 100, height: 30)
        var screen = try run.waitForIdentities()
        XCTAssertTrue(screen.unicodeScalars.allSatisfy(\.isASCII), "only ASCII on screen:\n\(screen)")
        XCTAssertTrue(screen.screenLines.contains { $0.hasPrefix("+--") && $0.hasSuffix("-+") }, "an ASCII box:\n\(screen)")
        // A row is ok once the trust audit has answered for it (until then it shows checking).
        screen = try t.waitFor("an ASCII check mark") { $0.contains("v ok") }
        XCTAssertTrue(screen.unicodeScalars.allSatisfy(\.isASCII), "only ASCII on screen:\n\(screen)")

        try t.keys("/wrong-sub", "Enter")
        try t.waitFor("filter narrows to wrong-subject") {
            $0.contains("Identities(all)[1] </wrong-sub>") && $0.contains("wrong-subj") && !$0.contains("irsa-ok")
        }
        try t.keys("Enter", "t")
        screen = try t.waitFor("step 3 failed, in ASCII", timeout: 30) { $0.contains("x 3  trust checked") && $0.contains("AADSTS700213") }
        XCTAssertTrue(screen.unicodeScalars.allSatisfy(\.isASCII), "only ASCII on the trace screen:\n\(screen)")
        try t.keys(":q", "Enter")
        XCTAssertEqual(try run.finished().code, 0)
        try run.assertTerminalRestored()
    }
}
