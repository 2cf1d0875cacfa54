import Foundation
import XCTest

/// Drives the real `widash --demo` dashboard under tmux at a fixed size (issue "The dashboard",
/// acceptance): identities listed, filter, open, trace with step 3 failed and AADSTS700213 on screen,
/// `:theme monochrome`, resizes, `:q` exits 0 and restores the terminal.
final class DashboardTmuxTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "DashboardTmuxTests") }

    override func tearDown() { harness?.close() }

    func testDemoDashboardEndToEnd() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let dir = t.directory.path
        // stty -g before and after: the terminal must be restored exactly.
        let script = "stty -g > \(dir)/before; TERM=xterm-256color \(binary) --demo; echo $? > \(dir)/code; stty -g > \(dir)/after; sleep 60"
        try t.start(script)

        var screen = try t.waitFor("identities listed") { $0.contains("frontend") && $0.contains("wrong-subject") && $0.contains("shop") }
        XCTAssertTrue(screen.contains("Identities"), screen)

        try t.keys("/wrong-sub", "Enter")
        screen = try t.waitFor("filter narrows to wrong-subject") { !$0.contains("frontend") && $0.contains("wrong-subject") }
        try t.keys("Enter")
        screen = try t.waitFor("identity detail opens") { $0.contains("Identity broken/wrong-subject") }
        try t.keys("t")
        screen = try t.waitFor("step 3 failed with AADSTS700213", timeout: 40) {
            $0.contains("AADSTS700213") && $0.contains("✗ 3  trust checked")
        }
        XCTAssertTrue(screen.contains("Trace broken/wrong-subject"), screen)
        try t.keys("G")
        screen = try t.waitFor("steps 4 and 5 skipped and the result line") {
            $0.contains("FAILED at step 3") && $0.contains("4  token issued") && $0.contains("5  resource called")
        }
        try t.keys("g")
        screen = try t.waitFor("step 1 at the top") { $0.contains("✓ 1  token projected") }

        try t.keys(":theme monochrome", "Enter")
        screen = try t.waitFor("theme switched") { $0.contains("theme monochrome") }

        try t.resize(width: 80, height: 24)
        screen = try t.waitFor("redraws at 80x24") { $0.split(separator: "\n").first.map { $0.count <= 80 } == true && $0.contains("widash") }
        try t.resize(width: 30, height: 8)
        screen = try t.waitFor("too small message") { $0.lowercased().contains("too small") }
        try t.resize(width: 120, height: 35)
        screen = try t.waitFor("back to full size") { $0.contains("widash") && !$0.lowercased().contains("too small") }

        try t.keys(":q", "Enter")
        let code = try t.waitForFile("\(dir)/code")
        XCTAssertEqual(code.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        let after = try t.waitForFile("\(dir)/after")
        let before = try String(contentsOfFile: "\(dir)/before", encoding: .utf8)
        XCTAssertEqual(before, after, "terminal settings restored after exit")
    }

    /// A bad config file does not stop the dashboard: it opens with the defaults and the banner
    /// names the file and the line (the CLI commands refuse the same file: TokenEndToEndTests).
    func testBadConfigFileOpensTheDashboardWithTheProblemInTheBanner() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let dir = t.directory.path
        try FileManager.default.createDirectory(atPath: "\(dir)/config/widash", withIntermediateDirectories: true)
        try "theme: dark\nrefreshSeconds: soon\n".write(toFile: "\(dir)/config/widash/config.yaml", atomically: true, encoding: .utf8)
        try t.start("XDG_CONFIG_HOME=\(dir)/config TERM=xterm-256color \(binary) --demo; echo $? > \(dir)/code; sleep 60")
        let screen = try t.waitFor("identities listed under a banner naming the config file and line") {
            $0.contains("wrong-subject") && $0.contains("config.yaml, line 2")
        }
        XCTAssertTrue(screen.contains("defaults in use: config file"), screen)
        XCTAssertFalse(screen.contains("theme dark"), "a bad file's settings are not half-applied:\n\(screen)")
        try t.keys(":q", "Enter")
        XCTAssertEqual(try t.waitForFile("\(dir)/code").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }
    /// Issue "Cloud-side trust at a glance", acceptance: without any trace, the list shows the audit's
    /// verdicts in TRUST (✗ with the failing field, ⚠ no role, ✓ trusted), the detail compares field by
    /// field, and `r` audits again.
    func testTheListShowsTheTrustAuditWithoutATrace() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let dir = t.directory.path
        try t.start("HOME=\(WidashCLI.home) TERM=xterm-256color \(binary) --demo; echo $? > \(dir)/code; sleep 60", width: 200, height: 50)
        let expected: [(String, String, String)] = [
            ("broken", "wrong-subject", "✗ subject"), ("broken", "wrong-issuer", "✗ issuer"), ("broken", "wrong-audience", "✗ audience"),
            ("aws", "irsa-bad-trust", "✗ subject"), ("broken", "no-role", "⚠ no role"),
            ("shop", "frontend", "✓ trusted"), ("shop", "backend", "✓ trusted"), ("aws", "irsa-ok", "✓ trusted"),
            ("aws", "podid-ok", "✓ trusted"), ("gcp", "gke-ok", "✓ trusted"),
        ]
        func allShown(_ screen: String) -> Bool {
            expected.allSatisfy { ns, name, trust in Self.row(screen, ns, name)?.contains(trust) == true }
        }
        var screen = try t.waitFor("every verdict in TRUST") { allShown($0) }
        XCTAssertTrue(screen.contains("TRUST"), screen)
        // STATUS agrees: errors for mismatches, a warning for no role, ✓ ok only once trusted.
        XCTAssertTrue(Self.row(screen, "broken", "wrong-subject")?.contains("✗ subject mismatch") == true, screen)
        XCTAssertTrue(Self.row(screen, "broken", "no-role")?.contains("⚠") == true, screen)
        XCTAssertTrue(Self.row(screen, "aws", "irsa-ok")?.contains("✓ ok") == true, screen)

        try t.keys("r")
        screen = try t.waitFor("the re-run is acknowledged") { $0.contains("auditing the cloud side again") }
        screen = try t.waitFor("the verdicts come back") { allShown($0) }

        try t.keys("/wrong-sub", "Enter")
        screen = try t.waitFor("filter narrows to wrong-subject") { !$0.contains("frontend") && $0.contains("wrong-subject") }
        try t.keys("Enter")
        screen = try t.waitFor("the detail compares field by field") {
            $0.contains("cloud side (trust audit") && $0.contains("✗ cloud    system:serviceaccount:broken:wrongsubject")
                && $0.contains("cluster  system:serviceaccount:broken:wrong-subject")
        }
        XCTAssertTrue(screen.contains("az identity federated-credential update --name 'aks-wrong-subject'"), screen)
        XCTAssertFalse(screen.contains("Trace "), "no trace was run")
        try t.keys(":q", "Enter")
        XCTAssertEqual(try t.waitForFile("\(dir)/code").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    /// The list row of a service account: the line whose first two cells are its namespace and name.
    static func row(_ screen: String, _ namespace: String, _ name: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { line in
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            return cells.count > 2 && cells[1] == Substring(namespace) && cells[2] == Substring(name)
        }
    }
}
