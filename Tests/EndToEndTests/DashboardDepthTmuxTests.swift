import Foundation
import XCTest

/// Issue "Dashboard depth", acceptance: in the real `widash --demo` under tmux, trace the
/// wrong-subject pod, toggle the sequence diagram, `y` on the fix command (the OSC 52 sequence
/// reaches the terminal: tmux, with `set-clipboard on`, turns it into a paste buffer), `:save` a
/// Markdown trace and read it back, open `:timeline`.
final class DashboardDepthTmuxTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "DashboardDepthTmuxTests") }

    override func tearDown() { harness?.close() }

    func testDiagramCopyOfTheFixSaveAndTimeline() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let dir = t.directory.path
        // widash starts only once tmux accepts OSC 52 from the pane (`set-clipboard on`: the
        // sequence sets a paste buffer, which `show-buffer` prints).
        try t.start("while [ ! -e \(dir)/go ]; do sleep 0.1; done; cd \(dir) && TERM=xterm-256color \(binary) --demo; echo $? > \(dir)/code; sleep 60")
        try t.tmux(["set-option", "-s", "set-clipboard", "on"])
        _ = FileManager.default.createFile(atPath: "\(dir)/go", contents: nil)

        _ = try t.waitFor("identities listed") { $0.contains("wrong-subject") && $0.contains("frontend") }
        try t.keys("/wrong-sub", "Enter", "Enter")
        _ = try t.waitFor("identity detail opens") { $0.contains("Identity broken/wrong-subject") }
        try t.keys("t")
        var screen = try t.waitFor("step 3 failed", timeout: 40) { $0.contains("AADSTS700213") && $0.contains("FAILED at step 3") }

        // The diagram: four lanes, the failed arrow's diagnosis and the fix under it.
        try t.keys("d")
        screen = try t.waitFor("sequence diagram") { $0.contains("Entra ID") && $0.contains("API server") && $0.contains("fix: ") }
        XCTAssertTrue(screen.contains("✗ AADSTS700213"), screen)

        // `y` on the fix command (the cursor lands on it when a failed trace is drawn).
        try t.keys("y")
        screen = try t.waitFor("copy confirmed") { $0.contains("copied fix command") }
        let buffer = try t.tmux(["show-buffer"])
        XCTAssertTrue(buffer.hasPrefix("az identity federated-credential"), "clipboard holds the fix command: \(buffer)")
        XCTAssertTrue(buffer.contains("system:serviceaccount:broken:wrong-subject"), buffer)

        // `:save` writes the trace as Markdown for a ticket.
        try t.keys(":save trace.md", "Enter")
        screen = try t.waitFor("saved") { $0.contains("saved trace.md") }
        let markdown = try t.waitForFile("\(dir)/trace.md")
        XCTAssertTrue(markdown.hasPrefix("# widash trace broken/wrong-subject"), markdown)
        XCTAssertTrue(markdown.contains("AADSTS700213"), markdown)
        XCTAssertTrue(markdown.contains(buffer.trimmingCharacters(in: .whitespacesAndNewlines)), "the fix is in the file:\n\(markdown)")
        XCTAssertNil(markdown.range(of: #"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"#, options: .regularExpression),
                     "no whole token in a saved trace")

        // `:timeline`: the pods of the traced identity on a time axis, with "now".
        try t.keys(":timeline", "Enter")
        screen = try t.waitFor("token timeline") { $0.contains("Token timeline") && $0.contains("time (UTC)") }
        XCTAssertTrue(screen.contains("wrong-subject"), screen)

        try t.keys(":q", "Enter")
        XCTAssertEqual(try t.waitForFile("\(dir)/code").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }
}
