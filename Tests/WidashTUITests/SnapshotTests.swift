import XCTest
import WidashCore
@testable import WidashTUI

/// Views rendered into the screen buffer at fixed sizes, compared line by line with the text in
/// Snapshots.swift. To re-record after an intended change: WIDASH_RECORD=1, then review the diff.
final class SnapshotTests: XCTestCase {
    private func assertSnapshot(_ buf: ScreenBuffer, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let actual = buf.lines
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print("        \"\(name)\": [")
            for l in actual { print("            \"\(l.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\",") }
            print("        ],")
            return
        }
        let expected = try XCTUnwrap(Snapshots.screens[name], "no snapshot \(name)")
        XCTAssertEqual(actual.count, expected.count, "\(name): line count", file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("\(name) line \(i):\n  expected: \(e)\n  actual:   \(a)", file: file, line: line)
        }
    }

    func testIdentitiesList() throws {
        let s = TestSupport.loadedState()
        let buf = DashboardView.render(s)
        try assertSnapshot(buf, "identities-100x30")
        XCTAssertTrue(buf.lines.contains { $0.hasPrefix("│ shop") && $0.contains(" frontend ") })
        XCTAssertTrue(buf.lines[3].contains("Identities(all)[14]"))
        XCTAssertEqual(buf[2, 5].role, .tableCursor, "the first row carries the cursor")
    }

    func testDetailWithSubjectMismatch() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: nil)
        TestSupport.press(&s, .escape)
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.screen.kind, .detail(key: "broken/wrong-subject"))
        let buf = DashboardView.render(s)
        try assertSnapshot(buf, "detail-mismatch-100x30")
        let text = buf.lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("subject  ✗ expected system:serviceaccount:broken:wrongsubject"))
        XCTAssertTrue(text.contains("got      system:serviceaccount:broken:wrong-subject"))
        XCTAssertTrue(text.contains("issuer   ✓ https://oidc.widash-demo.local/6c3e9f70-aks"))
    }

    func testTraceMidRun() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: 2, runningStepStartedAt: TestSupport.now.addingTimeInterval(-0.4))
        let buf = DashboardView.render(s)
        try assertSnapshot(buf, "trace-running-100x30")
        let text = buf.lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("⠋ 3  trust checked"))
        XCTAssertTrue(text.contains("running 0.4 s"))
        XCTAssertTrue(text.contains("○ 4  token issued"))
    }

    func testTraceFinishedWithStep3Failure() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: nil)
        let buf = DashboardView.render(s)
        try assertSnapshot(buf, "trace-failed-100x30")
        let lines = buf.lines
        guard let top = lines.firstIndex(where: { $0.contains("┌─ diagnosis") }),
              let bottom = lines.firstIndex(where: { $0.contains("└────") && $0.hasPrefix("│") }) else {
            return XCTFail("no diagnosis box on screen")
        }
        XCTAssertTrue(lines[top...bottom].contains { $0.contains("AADSTS700213") }, "AADSTS700213 is inside the diagnosis box")
        XCTAssertTrue(lines.contains { $0.contains("✗ 3  trust checked") })
        XCTAssertTrue(lines.contains { $0.contains("✗ FAILED at step 3 (trust checked)") })
    }

    func testHelp() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "?")
        try assertSnapshot(DashboardView.render(s), "help-100x30")
    }

    func testTooSmallTerminal() {
        let s = TestSupport.loadedState(width: 39, height: 9)
        let lines = DashboardView.render(s).lines
        XCTAssertEqual(lines, ["", "", "", "          terminal too small", "           39×9, need 40×10", "", "", "", ""])
        // A 1×1 terminal renders without crashing.
        XCTAssertEqual(DashboardView.render(TestSupport.loadedState(width: 1, height: 1)).lines.count, 1)
    }

    func testASCIIFallbackWhenLocaleIsNotUTF8() {
        let s = TestSupport.loadedState(width: 60, height: 12)
        let lines = DashboardView.render(s, unicode: false).lines
        XCTAssertTrue(lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[3].hasPrefix("+---"))
    }

    func testWideCharactersAndTruncation() {
        var buf = ScreenBuffer(width: 10, height: 1)
        buf.write("名前テスト長い", x: 0, y: 0)
        XCTAssertEqual(buf.line(0), "名前テス…")
        XCTAssertTrue(buf[1, 0].isContinuation)
        XCTAssertEqual(CharWidth.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(CharWidth.pad("ab", to: 4), "ab  ")
    }
}
